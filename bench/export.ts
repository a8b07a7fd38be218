/**
 * The export scenario: one administrator exports every ticket of the bench workspace (both
 * statuses) while nothing else runs, and the server process is watched meanwhile: rows per
 * second from the mutation to DONE, and its resident memory, sampled every 50 ms from
 * /proc/<pid>/status (VmRSS), before the export and at its highest during it. VmHWM, the
 * kernel's own high-water mark, is reported too; it covers the process's whole life, earlier
 * scenarios included, so the sampled peak is the export's figure.
 */
import { readFileSync, statSync } from "node:fs";
import path from "node:path";

export interface ExportFigures {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  fileMiB: number;
  rssBeforeMiB: number;
  rssPeakMiB: number;
  vmHwmMiB: number;
}

type Gql = <T>(query: string, variables: Record<string, unknown>, token?: string) => Promise<T>;

function statusKiB(pid: number, key: "VmRSS" | "VmHWM"): number {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) : 0;
}

const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;

export async function runExportScenario(opts: { gql: Gql; pid: number; token: string; exportDir: string }): Promise<ExportFigures> {
  const { gql, pid, token } = opts;
  const before = statusKiB(pid, "VmRSS");
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, statusKiB(pid, "VmRSS"));
  }, 50);
  const started = process.hrtime.bigint();
  try {
    const { exportTickets } = await gql<{ exportTickets: { export: { id: string } | null; userErrors: unknown[] } }>(
      `mutation { exportTickets(input: { filter: { folder: ALL, status: null } }) { export { id } userErrors { code message } } }`,
      {},
      token,
    );
    if (!exportTickets.export) throw new Error(`exportTickets refused: ${JSON.stringify(exportTickets.userErrors)}`);
    const id = exportTickets.export.id;
    for (;;) {
      const { node } = await gql<{ node: { status: string; rowCount: number; error: string | null } }>(
        `query($id: ID!) { node(id: $id) { ... on TicketExport { status rowCount error } } }`,
        { id },
        token,
      );
      if (node.status === "DONE") {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const uuid = Buffer.from(id, "base64").toString("utf8").split(":")[1];
        const bytes = statSync(path.join(opts.exportDir, `${uuid}.csv`)).size;
        return {
          rows: node.rowCount,
          seconds: Math.round(seconds * 10) / 10,
          rowsPerSecond: Math.round(node.rowCount / seconds),
          fileMiB: mib(bytes / 1024),
          rssBeforeMiB: mib(before),
          rssPeakMiB: mib(peak),
          vmHwmMiB: mib(statusKiB(pid, "VmHWM")),
        };
      }
      if (node.status !== "PENDING" && node.status !== "RUNNING") throw new Error(`the export ended ${node.status}: ${node.error}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    clearInterval(sampler);
  }
}
