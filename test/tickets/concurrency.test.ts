/**
 * Fifty clients, each with its own member token (administrators, editors, agents, some of them
 * in a team), apply random ticket operations for CONCURRENCY_SECONDS (10 by default; 60 for the
 * full run), mostly on tickets of ONE topic and a small pool of contacts, so that they collide:
 * the same tickets locked by bulk changes in different orders, the same contacts opened and
 * reopened, one topic's counts written by everyone. Meanwhile a poller follows the event log and
 * a subscriber the live feed. Afterwards: no client ever saw a deadlock, a serialization failure
 * or an internal error; counts are exact; one open ticket per contact; each ticket's events are
 * versions 1..n, one each; and both readers got the whole log, each event once, in cursor order
 * (so no reader ever found an event committed below a cursor it had already passed).
 */
import { retriedTransactions } from "../../src/db/transaction";
import { addMember, newUrn, ok, uuid } from "../support/fixtures";
import { type SignedUp, startTestServer, type TestServer } from "../support/harness";
import {
  checkApiInvariants,
  checkDatabaseInvariants,
  compareCursors,
  expectOrderedLog,
  type Gql,
  type LogEvent,
  readEventLog,
  type Sql,
} from "../support/invariants";
import { until } from "../support/server-process";
import { logSubscriber } from "../support/subscriber";
import { prng } from "../support/prng";

const SECONDS = Number(process.env.CONCURRENCY_SECONDS ?? 10);
const CLIENTS = 50;
const SEED = Number(process.env.CONCURRENCY_SEED ?? Date.now() % 2 ** 31);

let srv: TestServer;
let owner: SignedUp;
let clients: Array<SignedUp & { role: "ADMINISTRATOR" | "EDITOR" | "AGENT"; team: boolean }>;
let topics: { main: string; others: string[] };
const gql: Gql = (query, variables, token) => srv.gql(query, variables, token);
const sql: Sql = (text, params) => srv.server.db.query(text, params);

beforeAll(async () => {
  srv = await startTestServer({ DB_POOL_SIZE: "20", COUNT_SQUASH_INTERVAL_MS: "200", FEED_SWEEP_INTERVAL_MS: "500" });
  owner = await srv.signUp({ workspaceName: "Busy" });
  const ids: string[] = [];
  for (const name of ["Main", "Sales", "Support"]) {
    const res = await ok<{ createTopic: { topic: { id: string } } }>(
      srv,
      `mutation($n: String!) { createTopic(input: { name: $n }) { topic { id } } }`,
      { n: name },
      owner.token,
    );
    ids.push(res.createTopic.topic.id);
  }
  topics = { main: ids[0], others: ids.slice(1) };
  // Team agents see Main and Sales only: some of what they try is NOT_FOUND for them.
  const desk = await ok<{ createTeam: { team: { id: string } } }>(
    srv,
    `mutation($t: [ID!]) { createTeam(input: { name: "Desk", topicIds: $t }) { team { id } } }`,
    { t: ids.slice(0, 2) },
    owner.token,
  );
  const roles = [
    ...Array<"ADMINISTRATOR">(9).fill("ADMINISTRATOR"),
    ...Array<"EDITOR">(15).fill("EDITOR"),
    ...Array<"AGENT">(25).fill("AGENT"),
  ];
  const added: Array<SignedUp & { role: "ADMINISTRATOR" | "EDITOR" | "AGENT"; team: boolean }> = [];
  // A few logIns at a time: more in flight from one address would be throttled as guessing.
  for (let i = 0; i < roles.length; i += 4) {
    const batch = await Promise.all(
      roles.slice(i, i + 4).map((role, j) => addMember(srv, owner.workspaceId, role, `${role.toLowerCase()}${i + j}`)),
    );
    added.push(...batch.map((m, j) => ({ ...m, role: roles[i + j], team: false })));
  }
  const members = await ok<{ members: Array<{ id: string; user: { id: string } }> }>(
    srv,
    `{ members { id user { id } } }`,
    {},
    owner.token,
  );
  for (const agent of added.filter((m) => m.role === "AGENT").slice(0, 10)) {
    const member = members.members.find((m) => m.user.id === agent.userId)!;
    await ok(
      srv,
      `mutation($i: UpdateMemberInput!) { updateMember(input: $i) { userErrors { code } } }`,
      { i: { id: member.id, teamId: desk.createTeam.team.id } },
      owner.token,
    );
    agent.team = true;
  }
  clients = [{ ...owner, role: "ADMINISTRATOR", team: false }, ...added];
  expect(clients).toHaveLength(CLIENTS);
}, 180_000);

afterAll(async () => {
  await srv?.close();
});

const BULK = `tickets { id version } failures { ticketId code }`;
const OPS = {
  open: `mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { id version } existingTicket { id } userErrors { code } } }`,
  assign: `mutation($i: AssignTicketsInput!) { assignTickets(input: $i) { ${BULK} } }`,
  note: `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { ${BULK} } }`,
  topic: `mutation($i: ChangeTicketTopicInput!) { changeTicketTopic(input: $i) { ${BULK} } }`,
  close: `mutation($i: CloseTicketsInput!) { closeTickets(input: $i) { ${BULK} } }`,
  reopen: `mutation($i: ReopenTicketsInput!) { reopenTickets(input: $i) { ${BULK} } }`,
  reply: `mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } userErrors { code } } }`,
  receive: `mutation($i: ReceiveMessageInput!) { receiveMessage(input: $i) { message { id } userErrors { code } } }`,
} as const;
type Op = keyof typeof OPS;

interface Tally {
  requests: number;
  /** Changes that were made: tickets opened, tickets changed by a bulk call, messages. */
  applied: number;
  byOp: Record<string, number>;
  /** Refusals by code: userErrors and TicketFailures, which are expected under collisions. */
  refused: Record<string, number>;
  problems: string[];
}

describe(`${CLIENTS} concurrent clients for ${SECONDS} s (seed ${SEED})`, () => {
  it(
    "never see a deadlock, a serialization failure or an internal error, and every invariant holds",
    async () => {
      process.stdout.write(`concurrency seed ${SEED} (replay the choices with CONCURRENCY_SEED=${SEED}), ${SECONDS} s\n`);
      const urns = Array.from({ length: 80 }, () => newUrn());
      const tickets: string[] = [];
      const userIds = clients.map((c) => c.userId);
      const tally: Tally = { requests: 0, applied: 0, byOp: {}, refused: {}, problems: [] };
      const retriesBefore = retriedTransactions();
      const [{ deadlocks: deadlocksBefore }] = await sql<{ deadlocks: number }>(
        `SELECT deadlocks::int FROM pg_stat_database WHERE datname = current_database()`,
      );

      // A seed ticket so that every client has something to work on from the start.
      const first = await ok<{ openTicket: { ticket: { id: string } } }>(
        srv,
        OPS.open,
        { i: { contactUrn: urns[0], topicId: topics.main } },
        owner.token,
      );
      tickets.push(first.openTicket.ticket.id);

      // A live subscriber that resumes as docs/integrators.md "Resuming" says, and a poller of the log.
      const startCursor = (await ok<{ tickets: { eventCursor: string } }>(srv, `{ tickets(first: 1) { eventCursor } }`, {}, owner.token))
        .tickets.eventCursor;
      const subscriber = logSubscriber(srv.wsUrl, owner.token, startCursor, { attempts: Infinity });
      const { events: subscribed, errors: subscriberErrors } = subscriber;

      let stop = false;
      try {
        const deadline = Date.now() + SECONDS * 1000;
        const polled: LogEvent[] = [];
        const poller = (async () => {
          let after: string | null = startCursor;
          while (!stop) {
            const page = await readEventLog(gql, owner.token, after);
            polled.push(...page.events);
            after = page.end;
            await new Promise((r) => setTimeout(r, 50));
          }
          return after;
        })();

        const run = async (client: (typeof clients)[number], index: number) => {
          const next = prng(SEED + index * 7919);
          const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
          const canOpen = client.role !== "AGENT";
          while (Date.now() < deadline) {
            const roll = next();
            let op: Op;
            if (canOpen && roll < 0.25) op = "open";
            else if (canOpen && roll < 0.3) op = "receive";
            else op = pick(["assign", "assign", "note", "topic", "close", "close", "reopen", "reply"] as const);
            const ids = Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(tickets));
            const input: Record<string, unknown> = {
              open: () => ({
                contactUrn: pick(urns),
                topicId: next() < 0.85 ? topics.main : pick(topics.others),
                ...(next() < 0.4 ? { assigneeId: pick(userIds) } : {}),
                ...(next() < 0.3 ? { note: "Escalated by the bot" } : {}),
              }),
              receive: () => ({ urn: pick(urns), text: `incoming ${tally.requests}` }),
              assign: () => ({ ticketIds: ids, assigneeId: next() < 0.2 ? null : pick(userIds) }),
              note: () => ({ ticketIds: ids, note: `note by ${client.role}` }),
              topic: () => ({ ticketIds: ids, topicId: next() < 0.5 ? topics.main : pick(topics.others) }),
              close: () => ({ ticketIds: ids }),
              reopen: () => ({ ticketIds: ids }),
              reply: () => ({ ticketId: ids[0], text: "On it" }),
            }[op]();
            tally.requests += 1;
            tally.byOp[op] = (tally.byOp[op] ?? 0) + 1;
            const res = await srv.gql<Record<string, Record<string, unknown>>>(OPS[op], { i: input }, client.token);
            const text = JSON.stringify(res);
            if (res.status !== 200 || res.errors) {
              tally.problems.push(`${op} as ${client.role}: ${res.status} ${text.slice(0, 400)}`);
              continue;
            }
            if (/40P01|40001|deadlock|could not serialize|INTERNAL_SERVER_ERROR/i.test(text))
              tally.problems.push(`${op}: ${text.slice(0, 400)}`);
            const payload = Object.values(res.data!)[0] as {
              ticket?: { id: string } | null;
              tickets?: unknown[];
              message?: unknown;
              failures?: Array<{ code: string }>;
              userErrors?: Array<{ code: string }>;
            };
            if (op === "open" && payload.ticket) tickets.push(payload.ticket.id);
            tally.applied += (payload.tickets?.length ?? 0) + (payload.ticket || payload.message ? 1 : 0);
            for (const f of [...(payload.failures ?? []), ...(payload.userErrors ?? [])])
              tally.refused[f.code] = (tally.refused[f.code] ?? 0) + 1;
          }
        };
        const started = Date.now();
        await Promise.all(clients.map(run));
        const seconds = (Date.now() - started) / 1000;
        stop = true;
        const polledUntil = await poller;

        const retries = retriedTransactions() - retriesBefore;
        const [{ deadlocks: deadlocksAfter }] = await sql<{ deadlocks: number }>(
          `SELECT deadlocks::int FROM pg_stat_database WHERE datname = current_database()`,
        );
        process.stdout.write(
          `concurrency: ${tally.requests} requests in ${seconds.toFixed(1)} s (${(tally.requests / seconds).toFixed(0)}/s) by ${CLIENTS} clients; ` +
            `${tally.applied} changes applied; by operation ${JSON.stringify(tally.byOp)}; refused ${JSON.stringify(tally.refused)}; ` +
            `transactions retried ${retries}; deadlocks detected by PostgreSQL ${deadlocksAfter - deadlocksBefore}\n`,
        );
        expect(tally.problems.slice(0, 10)).toEqual([]);
        expect(tally.applied).toBeGreaterThan(CLIENTS);

        // The data itself.
        const figures = await checkDatabaseInvariants(sql);
        const { events: log } = await checkApiInvariants(sql, gql, {
          workspaceUuid: uuid(owner.workspaceId),
          token: owner.token,
          userUuid: uuid(owner.userId),
        });
        expect(log).toHaveLength(figures.events);

        // The poller saw, while the writers ran, every event after its start cursor, once, in order:
        // had an event committed below a cursor it had passed, it would be missing here.
        const rest = await readEventLog(gql, owner.token, polledUntil);
        const followed = [...polled, ...rest.events];
        expectOrderedLog(followed);
        const expected = log.filter((e) => compareCursors(e.cursor, startCursor) > 0);
        expect(followed.map((e) => e.id)).toEqual(expected.map((e) => e.id));
        // Only the seed ticket's OPENED can be at or before the cursor the readers started from.
        expect(followed.length).toBeGreaterThanOrEqual(figures.events - 1);

        // The subscriber too, live.
        await until(() => subscribed.length >= followed.length, "the subscriber to catch up", 6000);
        expect(subscriberErrors).toEqual([]);
        expectOrderedLog(subscribed);
        expect(subscribed.map((e) => e.id)).toEqual(followed.map((e) => e.id));

        // The Open Tickets group is exactly the contacts with an open ticket, page by page.
        const withOpen = await sql<{ contact_id: string }>(
          `SELECT DISTINCT contact_id FROM tickets WHERE workspace_id = $1 AND status = 'OPEN'`,
          [uuid(owner.workspaceId)],
        );
        const groupMembers: string[] = [];
        let after: string | null = null;
        do {
          const page: {
            contactGroups: Array<{
              contacts: { nodes: Array<{ id: string }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
            }>;
          } = await ok(
            srv,
            `query($after: String) { contactGroups { contacts(first: 7, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } } }`,
            { after },
            owner.token,
          );
          const contacts = page.contactGroups[0].contacts;
          groupMembers.push(...contacts.nodes.map((n) => uuid(n.id)));
          after = contacts.pageInfo.hasNextPage ? contacts.pageInfo.endCursor : null;
        } while (after);
        expect(groupMembers.sort()).toEqual(withOpen.map((r) => r.contact_id).sort());

        process.stdout.write(
          `concurrency: afterwards ${figures.tickets} tickets (${figures.openTickets} open), ${figures.events} events, ` +
            `${followed.length} followed by the poller and ${subscribed.length} by the subscriber; invariants hold\n`,
        );
      } finally {
        stop = true;
        await subscriber.stop();
      }
    },
    Math.max(300_000, SECONDS * 1000 * 4),
  );
});
