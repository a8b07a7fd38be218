import { addMember, ok, team } from "../support/fixtures";
import { type GqlResponse, startTestServer, type TestServer } from "../support/harness";

/**
 * One workspace's burst of contended writes (320 bulk changes, replies, messages and contact
 * edits at once, on the same 100 tickets, within the rate limits) answers every call, and leaves
 * another workspace served meanwhile: no SERVICE_UNAVAILABLE, no internal error, on either side.
 * Each workspace's transactions hold at most half the pool (DB_POOL_SIZE 10); locks are taken in
 * an order where replies and messages never deadlock with reopening.
 */

/** Eight calls a round: 320 at once. */
const ROUNDS = 40;

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ DB_POOL_SIZE: "10" });
});
afterAll(() => srv.close());

it("serves a burst of 320 contended writes, and another workspace meanwhile, without SERVICE_UNAVAILABLE", async () => {
  const { admin, editor, agent } = await team(srv);
  const second = await addMember(srv, admin.workspaceId, "AGENT");
  const other = await srv.signUp();
  const tag = Date.now().toString(36);
  const tickets: string[] = [];
  for (let i = 0; i < 100; i++) {
    const res = await ok<{ openTicket: { ticket: { id: string } } }>(
      srv,
      `mutation($u: String!) { openTicket(input: { contactUrn: $u }) { ticket { id } } }`,
      { u: `ext:burst-${tag}-${i}` },
      admin.token,
    );
    tickets.push(res.openTicket.ticket.id);
  }
  const contact = (
    await ok<{ createContact: { contact: { id: string } } }>(
      srv,
      `mutation($i: CreateContactInput!) { createContact(input: $i) { contact { id } } }`,
      { i: { name: "Burst", urns: [`ext:burst-contact-${tag}`] } },
      admin.token,
    )
  ).createContact.contact.id;
  await ok(
    srv,
    `mutation { createContactField(input: { name: "Plan", type: TEXT, agentAccess: EDIT }) { userErrors { code } } }`,
    {},
    admin.token,
  );

  const reversed = [...tickets].reverse();
  const tokens = [admin.token, editor.token, agent.token, second.token];
  const calls: Array<Promise<GqlResponse<unknown>>> = [];
  for (let i = 0; i < ROUNDS; i++) {
    const token = tokens[i % 4];
    const send = (query: string, variables: Record<string, unknown>, as = token) => calls.push(srv.gql(query, variables, as));
    send(`mutation($t: [ID!]!) { addTicketNote(input: { ticketIds: $t, note: "busy" }) { failures { code } } }`, {
      t: i % 2 ? tickets : reversed,
    });
    send(`mutation($t: [ID!]!, $a: ID) { assignTickets(input: { ticketIds: $t, assigneeId: $a }) { failures { code } } }`, {
      t: i % 2 ? reversed : tickets,
      a: i % 2 ? agent.userId : null,
    });
    send(`mutation($t: [ID!]!) { closeTickets(input: { ticketIds: $t }) { failures { code } } }`, { t: tickets.slice(i, i + 50) });
    send(`mutation($t: [ID!]!) { reopenTickets(input: { ticketIds: $t }) { failures { code } } }`, {
      t: tickets.slice(i, i + 50).reverse(),
    });
    send(
      `mutation($c: ID!, $v: String) { setContactFields(input: { contactId: $c, values: [{ key: "plan", value: $v }] }) { userErrors { code } } }`,
      {
        c: contact,
        v: `plan ${i}`,
      },
    );
    send(`mutation($c: ID!, $v: String!) { updateNotepad(input: { contactId: $c, text: $v }) { userErrors { code } } }`, {
      c: contact,
      v: `pad ${i}`,
    });
    send(`mutation($t: ID!) { sendMessage(input: { ticketId: $t, text: "hello" }) { userErrors { code } } }`, { t: tickets[i] });
    send(
      `mutation($u: String!) { receiveMessage(input: { urn: $u, text: "hi" }) { message { id } } }`,
      { u: `ext:burst-${tag}-${i}` },
      i % 2 ? admin.token : editor.token,
    );
  }
  // Meanwhile, another workspace reads, as an inbox would.
  let done = false;
  const bystander: Array<GqlResponse<unknown>> = [];
  const waits: number[] = [];
  const probing = (async () => {
    while (!done) {
      const started = performance.now();
      bystander.push(await srv.gql(`{ viewer { user { name } } tickets(first: 10) { totalCount } }`, {}, other.token));
      waits.push(performance.now() - started);
    }
  })();
  const started = performance.now();
  const answers = await Promise.all(calls);
  const wall = performance.now() - started;
  done = true;
  await probing;
  waits.sort((a, b) => a - b);
  process.stdout.write(
    `${calls.length} contended writes at once: ${Math.round(wall)} ms; the other workspace's ${waits.length} reads meanwhile: ` +
      `median ${Math.round(waits[waits.length >> 1])} ms, slowest ${Math.round(waits[waits.length - 1])} ms\n`,
  );

  const failed = answers.filter((a) => a.status !== 200 || a.errors);
  expect(failed.map((a) => [a.status, a.errors?.map((e) => e.extensions?.code)])).toEqual([]);
  expect(bystander.length).toBeGreaterThan(0);
  expect(bystander.filter((b) => b.status !== 200 || b.errors).map((b) => b.status)).toEqual([]);
});
