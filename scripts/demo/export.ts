import type { Api } from "./api";

/**
 * One finished ticket export of the administrator's, as if they had exported the whole inbox at
 * the end of the week: its CSV file is under EXPORT_DIR of the seeding process (DATA_DIR/exports
 * by default), downloadable for EXPORT_RETENTION_HOURS from now by a server that shares it.
 */
export async function seedExport(api: Api, adminToken: string, timeoutMs = 600_000): Promise<{ id: string; rowCount: number }> {
  const { export: started } = await api.mutate<{ export: { id: string } }>(
    `mutation { exportTickets(input: { filter: { folder: ALL, status: null } }) { export { id } userErrors { code message } } }`,
    {},
    adminToken,
  );
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const { node } = await api.call<{ node: { status: string; rowCount: number; error: string | null } }>(
      `query($id: ID!) { node(id: $id) { ... on TicketExport { status rowCount error } } }`,
      { id: started.id },
      adminToken,
    );
    if (node.status === "DONE") return { id: started.id, rowCount: node.rowCount };
    if (node.status !== "PENDING" && node.status !== "RUNNING") throw new Error(`the demo export ended ${node.status}: ${node.error}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("the demo export did not finish in time");
}
