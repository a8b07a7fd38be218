/**
 * The SQL statements per request of the benchmark's inbox and ticket detail queries, as the
 * server counts them (x-sql-statements), authentication included: a budget that does not grow
 * with the page size, so a change that brings back one statement per row fails here.
 */
import { DETAIL_QUERY, inboxQuery } from "../../bench/queries";
import { addMember, ok, openTicket, team } from "../support/fixtures";
import { startTestServer, type SignedUp, type TestServer } from "../support/harness";

let srv: TestServer;
let admin: SignedUp;
let agent: SignedUp;
const tickets: string[] = [];

beforeAll(async () => {
  // Authentication is counted every time, as on a request whose token is not remembered yet.
  srv = await startTestServer({ AUTH_CACHE_MS: "0" });
  ({ admin, agent } = await team(srv));
  const others = await Promise.all([1, 2, 3].map((i) => addMember(srv, admin.workspaceId, "AGENT", `agent${i}`)));
  const assignees = [admin, agent, ...others].map((m) => m.userId);
  await ok(
    srv,
    `mutation { createContactField(input: { name: "Plan", type: TEXT, featured: true }) { userErrors { code } } }`,
    {},
    admin.token,
  );
  for (let i = 0; i < 30; i++) {
    const ticket = await openTicket(srv, admin.token, i % 5 === 4 ? {} : { assigneeId: assignees[i % assignees.length] });
    tickets.push(ticket.id);
  }
  const first = await ok<{ node: { contact: { id: string } } }>(
    srv,
    `query($id: ID!) { node(id: $id) { ... on Ticket { contact { id } } } }`,
    { id: tickets[0] },
    admin.token,
  );
  const contactId = first.node.contact.id;
  await ok(
    srv,
    `mutation($i: SetContactFieldsInput!) { setContactFields(input: $i) { userErrors { code } } }`,
    { i: { contactId, values: [{ key: "plan", value: "Gold" }] } },
    admin.token,
  );
  await ok(
    srv,
    `mutation($i: UpdateNotepadInput!) { updateNotepad(input: $i) { userErrors { code } } }`,
    { i: { contactId, text: "Call mornings" } },
    agent.token,
  );
  // A thread with notes by several members, an assignment and messages both ways.
  for (const [i, member] of [admin, agent, ...others].entries()) {
    await ok(
      srv,
      `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { failures { code } } }`,
      { i: { ticketIds: [tickets[0]], note: `note ${i}` } },
      member.token,
    );
  }
});
afterAll(async () => {
  await srv?.close();
});

async function statements(query: string, variables: Record<string, unknown>, token: string): Promise<number> {
  const res = await srv.gql(query, variables, token);
  expect(res.errors).toBeUndefined();
  return Number(res.headers.get("x-sql-statements"));
}

describe("SQL statements per request", () => {
  it.each([
    ["an administrator", () => admin.token],
    ["an agent", () => agent.token],
  ])("inbox, as %s: at most 3, the same for 1, 10 and 100 tickets", async (_who, token) => {
    const counts = [];
    for (const first of [1, 10, 100]) {
      counts.push(await statements(inboxQuery(true), { filter: { folder: "ALL", status: "OPEN" }, first }, token()));
    }
    console.log(`inbox SQL statements for 1, 10, 100 tickets: ${counts.join(", ")}`);
    expect(new Set(counts).size).toBe(1);
    expect(counts[0]).toBeLessThanOrEqual(3);
  });

  it("ticket detail with its thread, contact fields and notepad: at most 5", async () => {
    const [asAdmin, asAgent] = [
      await statements(DETAIL_QUERY, { id: tickets[0] }, admin.token),
      await statements(DETAIL_QUERY, { id: tickets[0] }, agent.token),
    ];
    console.log(`ticket detail SQL statements: administrator ${asAdmin}, agent ${asAgent}`);
    expect(asAdmin).toBeLessThanOrEqual(5);
    expect(asAgent).toBeLessThanOrEqual(5);
  });
});
