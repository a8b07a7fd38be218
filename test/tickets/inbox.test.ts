import { addMember, newUrn, ok, openTicket, team, updateMember, uuid } from "../support/fixtures";
import { startTestServer, type SignedUp, type TestServer } from "../support/harness";

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});

type Folder = "MINE" | "UNASSIGNED" | "ALL";
type Status = "OPEN" | "CLOSED";

interface ListedTicket {
  id: string;
  status: Status;
  lastActivityAt: string;
  assignee: { id: string } | null;
  topic: { id: string };
}

interface Connection<N> {
  totalCount: number | null;
  eventCursor: string | null;
  edges: Array<{ cursor: string; node: N }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const TICKETS = `query($filter: TicketFilter, $first: Int, $after: String) {
  tickets(filter: $filter, first: $first, after: $after) {
    totalCount eventCursor
    edges { cursor node { id status lastActivityAt assignee { id } topic { id } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  } }`;

const CLOSE = `mutation($i: CloseTicketsInput!) { closeTickets(input: $i) { tickets { id } failures { ticketId code } } }`;
const REOPEN = `mutation($i: ReopenTicketsInput!) { reopenTickets(input: $i) { tickets { id } failures { ticketId code } } }`;
const ASSIGN = `mutation($i: AssignTicketsInput!) { assignTickets(input: $i) { tickets { id } failures { ticketId code } } }`;
const NOTE = `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { tickets { id } failures { ticketId code } } }`;
const TOPIC = `mutation($i: ChangeTicketTopicInput!) { changeTicketTopic(input: $i) { tickets { id } failures { ticketId code } } }`;
const RECEIVE = `mutation($i: ReceiveMessageInput!) { receiveMessage(input: $i) { message { id ticket { id } } userErrors { code } } }`;
const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } userErrors { code } } }`;

type Bulk<K extends string> = Record<K, { tickets: Array<{ id: string }>; failures: Array<{ ticketId: string; code: string }> }>;

/** Runs a bulk ticket mutation and fails the test on any failure. */
async function bulk<K extends string>(key: K, mutation: string, input: Record<string, unknown>, token: string): Promise<string[]> {
  const data = await ok<Bulk<K>>(srv, mutation, { i: input }, token);
  expect(data[key].failures).toEqual([]);
  return data[key].tickets.map((t) => t.id);
}

const closeTickets = (ids: string[], token: string) => bulk("closeTickets", CLOSE, { ticketIds: ids }, token);
const reopenTickets = (ids: string[], token: string) => bulk("reopenTickets", REOPEN, { ticketIds: ids }, token);
const assignTickets = (ids: string[], assigneeId: string | null, token: string) =>
  bulk("assignTickets", ASSIGN, { ticketIds: ids, assigneeId }, token);
const addNote = (ids: string[], note: string, token: string) => bulk("addTicketNote", NOTE, { ticketIds: ids, note }, token);
const changeTopic = (ids: string[], topicId: string, token: string) => bulk("changeTicketTopic", TOPIC, { ticketIds: ids, topicId }, token);

async function receive(token: string, urn: string, text: string): Promise<{ id: string; ticket: { id: string } | null }> {
  const data = await ok<{ receiveMessage: { message: { id: string; ticket: { id: string } | null } | null; userErrors: unknown[] } }>(
    srv,
    RECEIVE,
    { i: { urn, text } },
    token,
  );
  expect(data.receiveMessage.userErrors).toEqual([]);
  return data.receiveMessage.message!;
}

async function createTopic(token: string, name: string): Promise<string> {
  const data = await ok<{ createTopic: { topic: { id: string } } }>(
    srv,
    `mutation($i: CreateTopicInput!) { createTopic(input: $i) { topic { id } } }`,
    { i: { name } },
    token,
  );
  return data.createTopic.topic.id;
}

async function generalTopic(token: string): Promise<string> {
  const { topics } = await ok<{ topics: Array<{ id: string; isSystem: boolean }> }>(srv, `{ topics { id isSystem } }`, {}, token);
  return topics.find((t) => t.isSystem)!.id;
}

async function createContact(token: string, name: string, urns: string[]): Promise<string> {
  const data = await ok<{ createContact: { contact: { id: string } | null; userErrors: unknown[] } }>(
    srv,
    `mutation($i: CreateContactInput!) { createContact(input: $i) { contact { id } userErrors { code field } } }`,
    { i: { name, urns } },
    token,
  );
  expect(data.createContact.userErrors).toEqual([]);
  return data.createContact.contact!.id;
}

async function inboxPage(
  token: string,
  filter: Record<string, unknown> | undefined,
  first: number,
  after?: string | null,
): Promise<Connection<ListedTicket>> {
  const data = await ok<{ tickets: Connection<ListedTicket> }>(srv, TICKETS, { filter, first, after }, token);
  return data.tickets;
}

/** Every ticket of a list, following endCursor; also the totalCount of the first page. */
async function inboxAll(
  token: string,
  filter: Record<string, unknown> | undefined,
  first = 7,
): Promise<{ tickets: ListedTicket[]; totalCount: number | null }> {
  const tickets: ListedTicket[] = [];
  let after: string | null = null;
  let totalCount: number | null | undefined;
  for (;;) {
    const page = await inboxPage(token, filter, first, after);
    totalCount ??= page.totalCount;
    tickets.push(...page.edges.map((e) => e.node));
    expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
    expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
    if (!page.pageInfo.hasNextPage) break;
    expect(page.edges).toHaveLength(first);
    after = page.pageInfo.endCursor;
  }
  return { tickets, totalCount: totalCount ?? null };
}

/** A small seeded PRNG, so a failing run can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `task` over items, `width` at a time. */
async function inBatches<T, R>(items: T[], width: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += width) {
    results.push(...(await Promise.all(items.slice(i, i + width).map((item, j) => task(item, i + j)))));
  }
  return results;
}

/** What the test knows of each ticket; `activity` orders last activity (all changes here are sequential). */
interface Model {
  id: string;
  topicId: string;
  assigneeId: string | null;
  status: Status;
  activity: number;
}

/** The expected list: open first, then by last activity and id, newest first. */
function expected(models: Model[], filter: { folder: Folder; status: Status | null; topicId?: string }, viewerId: string): string[] {
  return models
    .filter((m) => filter.status === null || m.status === filter.status)
    .filter((m) => filter.topicId === undefined || m.topicId === filter.topicId)
    .filter((m) => (filter.folder === "MINE" ? m.assigneeId === viewerId : filter.folder === "UNASSIGNED" ? m.assigneeId === null : true))
    .sort(
      (a, b) =>
        (a.status === b.status ? 0 : a.status === "OPEN" ? -1 : 1) ||
        b.activity - a.activity ||
        (uuid(a.id) < uuid(b.id) ? 1 : uuid(a.id) > uuid(b.id) ? -1 : 0),
    )
    .map((m) => m.id);
}

describe("inbox folders", () => {
  let admin: SignedUp;
  let agent: SignedUp;
  let editor: SignedUp;
  let topics: string[];
  const models: Model[] = [];
  let clock = 0;

  beforeAll(async () => {
    ({ admin, agent, editor } = await team(srv));
    topics = [await generalTopic(admin.token), await createTopic(admin.token, "Sales"), await createTopic(admin.token, "Billing")];
    const assignees = [null, admin.userId, agent.userId, editor.userId];
    // 30 tickets over 3 topics and 4 assignees (one of them nobody), opened one after another.
    for (let i = 0; i < 30; i++) {
      const topicId = topics[i % 3];
      const assigneeId = assignees[Math.floor(i / 3) % 4];
      const t = await openTicket(srv, admin.token, { topicId, ...(assigneeId ? { assigneeId } : {}) });
      models.push({ id: t.id, topicId, assigneeId, status: "OPEN", activity: ++clock });
    }
    // Close some, touch others, move one topic: each moves the ticket's last activity.
    for (const i of [1, 4, 8, 13, 17, 22, 29]) {
      await closeTickets([models[i].id], editor.token);
      models[i].status = "CLOSED";
      models[i].activity = ++clock;
    }
    for (const i of [0, 5, 17]) {
      await addNote([models[i].id], `note ${i}`, agent.token);
      models[i].activity = ++clock;
    }
    await changeTopic([models[3].id], topics[2], admin.token);
    models[3].topicId = topics[2];
    models[3].activity = ++clock;
    // Assignment does not move last activity.
    await assignTickets([models[3].id, models[9].id], agent.userId, admin.token);
    models[3].assigneeId = agent.userId;
    models[9].assigneeId = agent.userId;
    await assignTickets([models[10].id], null, admin.token);
    models[10].assigneeId = null;
  });

  it("lists exactly the matching tickets of every folder, status and topic, in order, with exact totalCounts", async () => {
    const filters: Array<{ folder: Folder; status: Status | null; topicId?: string }> = [];
    for (const folder of ["MINE", "UNASSIGNED", "ALL"] as const) {
      for (const status of ["OPEN", "CLOSED", null] as const) {
        for (const topicId of [undefined, ...topics]) filters.push({ folder, status, ...(topicId ? { topicId } : {}) });
      }
    }
    for (const viewer of [admin, agent]) {
      for (const filter of filters) {
        const { tickets, totalCount } = await inboxAll(viewer.token, filter);
        const want = expected(models, filter, viewer.userId);
        expect({ filter, ids: tickets.map((t) => t.id) }).toEqual({ filter, ids: want });
        expect({ filter, totalCount }).toEqual({ filter, totalCount: want.length });
        // Open first; lastActivityAt never increases within a status.
        for (let i = 1; i < tickets.length; i++) {
          const [a, b] = [tickets[i - 1], tickets[i]];
          if (a.status === b.status) expect(Date.parse(a.lastActivityAt)).toBeGreaterThanOrEqual(Date.parse(b.lastActivityAt));
          else expect([a.status, b.status]).toEqual(["OPEN", "CLOSED"]);
        }
      }
    }
  });

  it("counts totalCount however it is selected, and answers the same page when it is not", async () => {
    const filter = { folder: "ALL", status: "OPEN" };
    const want = expected(models, { folder: "ALL", status: "OPEN" }, admin.userId).length;
    const page = (selection: string, fragments = "") =>
      ok<{ tickets: Record<string, unknown> & { edges: Array<{ node: { id: string } }> } }>(
        srv,
        `query($filter: TicketFilter) { tickets(filter: $filter, first: 5) { ${selection} edges { node { id } } } } ${fragments}`,
        { filter },
        admin.token,
      );
    const plain = await page("totalCount");
    expect(plain.tickets.totalCount).toBe(want);
    expect((await page("n: totalCount")).tickets.n).toBe(want);
    expect((await page("...Counted", "fragment Counted on TicketConnection { totalCount }")).tickets.totalCount).toBe(want);
    expect((await page("... on TicketConnection { totalCount }")).tickets.totalCount).toBe(want);
    const without = await page("");
    expect(without.tickets).not.toHaveProperty("totalCount");
    expect(without.tickets.edges).toEqual(plain.tickets.edges);
  });

  it("a team agent's folders hold exactly their team's topics' tickets, in order, across pages", async () => {
    const teamTopics = [topics[1], topics[2]];
    const created = await ok<{ createTeam: { team: { id: string } } }>(
      srv,
      `mutation($t: [ID!]!) { createTeam(input: { name: "Sales and billing", topicIds: $t }) { team { id } } }`,
      { t: teamTopics },
      admin.token,
    );
    const member = await addMember(srv, admin.workspaceId, "AGENT", "teamed");
    await updateMember(srv, admin.token, member.userId, { teamId: created.createTeam.team.id });
    const theirs = models.filter((m) => teamTopics.includes(m.topicId));
    for (const filter of [
      { folder: "ALL" as const, status: "OPEN" as const },
      { folder: "ALL" as const, status: null },
      { folder: "UNASSIGNED" as const, status: null },
      { folder: "ALL" as const, status: "CLOSED" as const, topicId: topics[2] },
      // A topic outside the team does not exist for them: nothing listed, nothing counted.
      { folder: "ALL" as const, status: null, topicId: topics[0] },
    ]) {
      for (const first of [1, 4, 100]) {
        const { tickets, totalCount } = await inboxAll(member.token, filter, first);
        const want = expected(theirs, filter, member.userId);
        expect({ filter, first, ids: tickets.map((t) => t.id) }).toEqual({ filter, first, ids: want });
        expect(totalCount).toBe(want.length);
      }
    }
    // The topic outside the team holds tickets: its empty folder above is the team rule at work.
    expect(expected(models, { folder: "ALL", status: null, topicId: topics[0] }, admin.userId).length).toBeGreaterThan(0);
  });

  it("defaults to ALL and OPEN, 25 a page; an explicit null status lists both, open first", async () => {
    const all = expected(models, { folder: "ALL", status: "OPEN" }, admin.userId);
    const data = await ok<{ tickets: Connection<ListedTicket> }>(
      srv,
      `{ tickets { totalCount edges { node { id status } } pageInfo { hasNextPage } } }`,
      {},
      admin.token,
    );
    expect(data.tickets.totalCount).toBe(all.length);
    expect(data.tickets.edges.map((e) => e.node.id)).toEqual(all.slice(0, 25));
    const empty = await inboxPage(admin.token, {}, 100);
    expect(empty.edges.map((e) => e.node.id)).toEqual(all);
    const both = await inboxPage(admin.token, { status: null }, 100);
    expect(both.totalCount).toBe(models.length);
    expect(both.edges.map((e) => e.node.status)).toEqual(
      [...models.map((m) => m.status)].sort((a, b) => (a === b ? 0 : a === "OPEN" ? -1 : 1)),
    );
  });

  it("ticketCounts gives each folder's open and closed counts and each topic's open count", async () => {
    for (const viewer of [admin, agent, editor]) {
      const { ticketCounts } = await ok<{
        ticketCounts: {
          folders: Array<{ folder: Folder; open: number; closed: number }>;
          topics: Array<{ id: string; openCount: number }>;
        };
      }>(srv, `{ ticketCounts { folders { folder open closed } topics { id openCount } } }`, {}, viewer.token);
      const count = (folder: Folder, status: Status) => expected(models, { folder, status }, viewer.userId).length;
      expect(ticketCounts.folders).toEqual(
        (["MINE", "UNASSIGNED", "ALL"] as const).map((folder) => ({
          folder,
          open: count(folder, "OPEN"),
          closed: count(folder, "CLOSED"),
        })),
      );
      const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
      expect([...ticketCounts.topics].sort(byId)).toEqual(
        topics
          .map((id) => ({ id, openCount: expected(models, { folder: "ALL", status: "OPEN", topicId: id }, viewer.userId).length }))
          .sort(byId),
      );
    }
    // The same numbers as the topics list.
    const { topics: listed } = await ok<{ topics: Array<{ id: string; openCount: number }> }>(
      srv,
      `{ topics { id openCount } }`,
      {},
      admin.token,
    );
    expect(listed.map((t) => t.openCount)).toEqual(
      listed.map((t) => models.filter((m) => m.topicId === t.id && m.status === "OPEN").length),
    );
  });

  it("orders tickets with the same lastActivityAt by id, newest first, across pages", async () => {
    const { admin: owner } = await team(srv);
    const opened = await inBatches(Array.from({ length: 12 }), 6, () => openTicket(srv, owner.token));
    // The API never gives two tickets the same instant: set it, as a busy workspace may.
    await srv.server.db.query(`UPDATE tickets SET last_activity_at = '2030-01-01T00:00:00Z' WHERE id = ANY($1)`, [
      opened.map((t) => uuid(t.id)),
    ]);
    const { tickets } = await inboxAll(owner.token, {}, 5);
    expect(tickets.map((t) => uuid(t.id))).toEqual(
      opened
        .map((t) => uuid(t.id))
        .sort()
        .reverse(),
    );
  });
});

describe("inbox search", () => {
  it("finds tickets by contact name, URN or message text, ignoring case; totalCount is null", async () => {
    const { admin, editor } = await team(srv);
    const aliceUrn = newUrn();
    const alice = await createContact(admin.token, "Alice Wonderland", [aliceUrn]);
    const bob = await createContact(admin.token, "Bob Stone", [newUrn()]);
    const percent = await createContact(admin.token, "100% Sure_Thing", [newUrn()]);
    const aliceTicket = await openTicket(srv, admin.token, { contactId: alice, contactUrn: undefined });
    const bobTicket = await openTicket(srv, admin.token, { contactId: bob, contactUrn: undefined });
    const percentTicket = await openTicket(srv, admin.token, { contactId: percent, contactUrn: undefined });
    const carolUrn = newUrn();
    const carolTicket = await openTicket(srv, admin.token, { contactUrn: carolUrn });
    const message = await receive(editor.token, carolUrn, "My INVOICE is wrong");
    expect(message.ticket?.id).toBe(carolTicket.id);
    await closeTickets([bobTicket.id], admin.token);

    const search = async (text: string, status: Status | null = "OPEN") => {
      const page = await inboxPage(admin.token, { search: text, status }, 50);
      expect(page.totalCount).toBeNull();
      return page.edges.map((e) => e.node.id).sort();
    };
    expect(await search("WONDER")).toEqual([aliceTicket.id]);
    expect(await search("alice wonderland")).toEqual([aliceTicket.id]);
    expect(await search(aliceUrn.slice(-8))).toEqual([aliceTicket.id]);
    expect(await search(aliceUrn)).toEqual([aliceTicket.id]);
    expect(await search("invoice")).toEqual([carolTicket.id]);
    expect(await search("  invoice  ")).toEqual([carolTicket.id]);
    // Closed tickets only with their status.
    expect(await search("stone")).toEqual([]);
    expect(await search("stone", "CLOSED")).toEqual([bobTicket.id]);
    expect(await search("stone", null)).toEqual([bobTicket.id]);
    // LIKE's wildcards are literal text.
    expect(await search("0% S")).toEqual([percentTicket.id]);
    expect(await search("%%%")).toEqual([]);
    expect(await search("e_w")).toEqual([]);
    expect(await search("e w")).toEqual([aliceTicket.id]);
    expect(await search("nobody like this")).toEqual([]);

    // Another workspace's contacts are never found.
    const stranger = await srv.signUp();
    const strange = await inboxPage(stranger.token, { search: "wonder", status: null }, 50);
    expect(strange.edges).toEqual([]);
  });

  it("pages search results without repeating a ticket", async () => {
    const { admin } = await team(srv);
    const ids: string[] = [];
    for (let i = 0; i < 9; i++) {
      const contact = await createContact(admin.token, `Searchable person ${i}`, [newUrn()]);
      ids.push((await openTicket(srv, admin.token, { contactId: contact, contactUrn: undefined })).id);
    }
    await openTicket(srv, admin.token);
    const { tickets, totalCount } = await inboxAll(admin.token, { search: "searchable" }, 4);
    expect(totalCount).toBeNull();
    expect(tickets.map((t) => t.id)).toEqual([...ids].reverse());
  });

  it("rejects a search shorter than 3 characters with BAD_USER_INPUT naming search", async () => {
    const { agent } = await team(srv);
    for (const text of ["", "ab", "  ab  ", "x"]) {
      const res = await srv.gql(TICKETS, { filter: { search: text }, first: 10 }, agent.token);
      expect({ text, ext: res.errors?.[0].extensions }).toMatchObject({
        text,
        ext: { code: "BAD_USER_INPUT", field: "search", fieldPath: ["search"] },
      });
      expect(res.data ?? null).toBeNull();
    }
  });
});

describe("inbox arguments", () => {
  it("first outside 1..100 is BAD_USER_INPUT naming first", async () => {
    const { agent } = await team(srv);
    for (const first of [0, -1, 101, 1000]) {
      const res = await srv.gql(TICKETS, { first }, agent.token);
      expect({ first, ext: res.errors?.[0].extensions }).toEqual({
        first,
        ext: { code: "BAD_USER_INPUT", field: "first", fieldPath: ["first"] },
      });
    }
    for (const first of [1, 100]) await inboxPage(agent.token, undefined, first);
  });

  it("a cursor the list did not give out is BAD_USER_INPUT naming after", async () => {
    const { admin } = await team(srv);
    await openTicket(srv, admin.token);
    await openTicket(srv, admin.token);
    const page = await inboxPage(admin.token, {}, 1);
    const good = page.pageInfo.endCursor!;
    const parts = JSON.parse(Buffer.from(good, "base64").toString("utf8")) as string[];
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64");
    const garbage = [
      "garbage",
      b64([]),
      b64(parts.slice(0, 3)),
      b64([...parts, "x"]),
      b64({ a: 1 }),
      b64(["PENDING", parts[1], parts[2], parts[3]]),
      b64([parts[0], "-5", parts[2], parts[3]]),
      b64([parts[0], "99999999999999999999", parts[2], parts[3]]),
      b64([parts[0], "9223372036854775807", parts[2], parts[3]]),
      b64([parts[0], parts[1], "not-a-uuid", parts[3]]),
      b64([parts[0], parts[1], "-".repeat(36), parts[3]]),
      b64([parts[0], parts[1], parts[2], "snapshot"]),
      b64([parts[0], parts[1], parts[2], "9:3:"]),
      b64([parts[0], parts[1], parts[2], "0:0:"]),
      b64([parts[0], parts[1], parts[2], "3:9:12"]),
      b64([parts[0], parts[1], parts[2], "99999999999999999999999:99999999999999999999999:"]),
      b64([parts[0], parts[1], parts[2], "9223372036854775808:9223372036854775808:"]),
      b64([parts[0], parts[1], parts[2], "3:9:5,4"]),
      b64([parts[0], parts[1], parts[2], "3:9:4,"]),
    ];
    const answers: Array<{ after: string; ext: unknown }> = [];
    for (const after of garbage) {
      const res = await srv.gql(TICKETS, { first: 5, after }, admin.token);
      answers.push({ after: Buffer.from(after, "base64").toString("utf8"), ext: res.errors?.[0].extensions });
    }
    expect(answers).toEqual(
      garbage.map((after) => ({
        after: Buffer.from(after, "base64").toString("utf8"),
        ext: { code: "BAD_USER_INPUT", field: "after", fieldPath: ["after"] },
      })),
    );
    const next = await inboxPage(admin.token, {}, 1, good);
    expect(next.edges).toHaveLength(1);
  });
});

describe("tickets by id", () => {
  const NODE = `query($id: ID!) { node(id: $id) { id ... on Ticket { status contact { id } topic { name } } } }`;
  const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Ticket { status } } }`;

  it("node and nodes return the workspace's tickets; another workspace's tickets are NOT_FOUND and never listed", async () => {
    const { admin, agent } = await team(srv);
    const mine = await openTicket(srv, admin.token);
    const closed = await openTicket(srv, admin.token);
    await closeTickets([closed.id], admin.token);
    const stranger = await srv.signUp();
    const foreign = await openTicket(srv, stranger.token);
    await addNote([foreign.id], "private", stranger.token);

    const node = await ok<{ node: { id: string; status: string; contact: { id: string }; topic: { name: string } } }>(
      srv,
      NODE,
      { id: mine.id },
      agent.token,
    );
    expect(node.node).toEqual({ id: mine.id, status: "OPEN", contact: { id: mine.contact.id }, topic: { name: "General" } });

    const missing = await srv.gql<{ node: unknown }>(NODE, { id: foreign.id }, agent.token);
    expect(missing.data?.node).toBeNull();
    expect(missing.errors).toMatchObject([{ path: ["node"], extensions: { code: "NOT_FOUND" } }]);

    const nodes = await srv.gql<{ nodes: Array<{ id: string; status: string } | null> }>(
      NODES,
      { ids: [mine.id, foreign.id, closed.id] },
      admin.token,
    );
    expect(nodes.data?.nodes).toEqual([{ id: mine.id, status: "OPEN" }, null, { id: closed.id, status: "CLOSED" }]);
    expect(nodes.errors).toMatchObject([{ path: ["nodes", 1], extensions: { code: "NOT_FOUND" } }]);

    // Never in lists, counts or search of the other workspace; and the other way round.
    const { tickets } = await inboxAll(admin.token, { status: null });
    expect(tickets.map((t) => t.id).sort()).toEqual([mine.id, closed.id].sort());
    const theirs = await inboxAll(stranger.token, { status: null });
    expect(theirs.tickets.map((t) => t.id)).toEqual([foreign.id]);
    expect(theirs.totalCount).toBe(1);
    const { ticketCounts } = await ok<{ ticketCounts: { folders: Array<{ open: number; closed: number }> } }>(
      srv,
      `{ ticketCounts { folders { open closed } } }`,
      {},
      stranger.token,
    );
    expect(ticketCounts.folders).toEqual([
      { open: 0, closed: 0 },
      { open: 1, closed: 0 },
      { open: 1, closed: 0 },
    ]);
    // A foreign topic filter lists nothing of theirs.
    const foreignTopic = await generalTopic(stranger.token);
    const filtered = await inboxPage(admin.token, { topicId: foreignTopic, status: null }, 10);
    expect(filtered.edges).toEqual([]);
    expect(filtered.totalCount).toBe(0);
    // Bulk changes treat it as unknown.
    const res = await ok<Bulk<"closeTickets">>(srv, CLOSE, { i: { ticketIds: [foreign.id] } }, admin.token);
    expect(res.closeTickets.failures).toEqual([{ ticketId: foreign.id, code: "NOT_FOUND" }]);
  });
});

describe("a ticket's thread, notes and last message", () => {
  interface EventNode {
    type: string;
    ticketVersion: number;
    note: string | null;
  }
  const EVENTS = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) { node(id: $id) { ... on Ticket {
    events(first: $first, after: $after, last: $last, before: $before) {
      edges { cursor node { type ticketVersion note } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } } }`;

  async function events(token: string, id: string, args: Record<string, unknown>): Promise<Connection<EventNode>> {
    const data = await ok<{ node: { events: Connection<EventNode> } }>(srv, EVENTS, { id, ...args }, token);
    return data.node.events;
  }
  const versions = (c: Connection<EventNode>) => c.edges.map((e) => e.node.ticketVersion);

  it("events come oldest first, paged forward with first/after and backward from the newest with last/before", async () => {
    const { admin, agent } = await team(srv);
    const sales = await createTopic(admin.token, "Sales");
    const t = await openTicket(srv, admin.token, { note: "Opened with a note" });
    await addNote([t.id], "first note", agent.token);
    await assignTickets([t.id], agent.userId, admin.token);
    await changeTopic([t.id], sales, agent.token);
    await addNote([t.id], "second note", agent.token);
    await closeTickets([t.id], agent.token);
    await reopenTickets([t.id], admin.token);
    await receive(admin.token, t.contact.urns[0], "hello");
    const types = ["OPENED", "NOTE_ADDED", "ASSIGNED", "TOPIC_CHANGED", "NOTE_ADDED", "CLOSED", "REOPENED", "MESSAGE_RECEIVED"];

    const all = await events(agent.token, t.id, {});
    expect(all.edges.map((e) => e.node.type)).toEqual(types);
    expect(versions(all)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(all.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });

    const p1 = await events(agent.token, t.id, { first: 3 });
    expect(versions(p1)).toEqual([1, 2, 3]);
    expect(p1.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: p1.edges[0].cursor,
      endCursor: p1.edges[2].cursor,
    });
    const p2 = await events(agent.token, t.id, { first: 3, after: p1.pageInfo.endCursor });
    expect(versions(p2)).toEqual([4, 5, 6]);
    expect(p2.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const p3 = await events(agent.token, t.id, { first: 3, after: p2.pageInfo.endCursor });
    expect(versions(p3)).toEqual([7, 8]);
    expect(p3.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true, endCursor: p3.edges[1].cursor });
    const exact = await events(agent.token, t.id, { first: 8 });
    expect(exact.pageInfo.hasNextPage).toBe(false);

    const l1 = await events(agent.token, t.id, { last: 3 });
    expect(versions(l1)).toEqual([6, 7, 8]);
    expect(l1.pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: true,
      startCursor: l1.edges[0].cursor,
      endCursor: l1.edges[2].cursor,
    });
    const l2 = await events(agent.token, t.id, { last: 3, before: l1.pageInfo.startCursor });
    expect(versions(l2)).toEqual([3, 4, 5]);
    expect(l2.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const l3 = await events(agent.token, t.id, { last: 3, before: l2.pageInfo.startCursor });
    expect(versions(l3)).toEqual([1, 2]);
    expect(l3.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const lastAll = await events(agent.token, t.id, { last: 8 });
    expect(versions(lastAll)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(lastAll.pageInfo.hasPreviousPage).toBe(false);

    // Cursors of the two directions are the same cursors.
    expect(l1.edges.map((e) => e.cursor)).toEqual(all.edges.slice(5).map((e) => e.cursor));

    for (const [args, field] of [
      [{ first: 0 }, "first"],
      [{ first: 101 }, "first"],
      [{ last: 0 }, "last"],
      [{ last: 101 }, "last"],
      [{ first: 2, after: "garbage" }, "after"],
      [{ last: 2, before: "garbage" }, "before"],
    ] as const) {
      const res = await srv.gql(EVENTS, { id: t.id, ...args }, agent.token);
      expect({ args, ext: res.errors?.[0].extensions }).toEqual({
        args,
        ext: { code: "BAD_USER_INPUT", field, fieldPath: field.split(".") },
      });
    }
  });

  it("notes are the OPENED note, when opened with one, then each NOTE_ADDED, oldest first", async () => {
    const { admin, agent } = await team(srv);
    const withNote = await openTicket(srv, admin.token, { note: "  Call back @contact.name  " });
    const without = await openTicket(srv, admin.token);
    await addNote([withNote.id, without.id], "both", agent.token);
    await closeTickets([withNote.id], agent.token);
    await addNote([withNote.id], "after closing", admin.token);
    const NOTES = `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Ticket { notes { type note ticketVersion actor { id } } } } }`;
    const data = await ok<{ nodes: Array<{ notes: Array<{ type: string; note: string; ticketVersion: number; actor: { id: string } }> }> }>(
      srv,
      NOTES,
      { ids: [withNote.id, without.id] },
      agent.token,
    );
    expect(data.nodes[0].notes).toEqual([
      { type: "OPENED", note: "Call back", ticketVersion: 1, actor: { id: admin.userId } },
      { type: "NOTE_ADDED", note: "both", ticketVersion: 2, actor: { id: agent.userId } },
      { type: "NOTE_ADDED", note: "after closing", ticketVersion: 4, actor: { id: admin.userId } },
    ]);
    expect(data.nodes[1].notes).toEqual([{ type: "NOTE_ADDED", note: "both", ticketVersion: 2, actor: { id: agent.userId } }]);
  });

  it("lastMessage is the newest message of the ticket, incoming or outgoing", async () => {
    const { admin, agent } = await team(srv);
    const t = await openTicket(srv, admin.token);
    const LAST = `query($id: ID!) { node(id: $id) { ... on Ticket { lastMessage { id text direction } } } }`;
    const last = async () =>
      (await ok<{ node: { lastMessage: { text: string; direction: string } | null } }>(srv, LAST, { id: t.id }, agent.token)).node
        .lastMessage;
    expect(await last()).toBeNull();
    await receive(admin.token, t.contact.urns[0], "first question");
    expect(await last()).toMatchObject({ text: "first question", direction: "INCOMING" });
    const sent = await ok<{ sendMessage: { userErrors: unknown[] } }>(srv, SEND, { i: { ticketId: t.id, text: "an answer" } }, agent.token);
    expect(sent.sendMessage.userErrors).toEqual([]);
    expect(await last()).toMatchObject({ text: "an answer", direction: "OUTGOING" });
    // A note is not a message.
    await addNote([t.id], "internal", agent.token);
    expect(await last()).toMatchObject({ text: "an answer" });
    // A message of another contact does not change it.
    await receive(admin.token, newUrn(), "someone else");
    expect(await last()).toMatchObject({ text: "an answer" });
  });
});

describe("inbox statement budget", () => {
  const INBOX = `query($first: Int) { tickets(filter: {folder: ALL, status: OPEN}, first: $first) {
    totalCount eventCursor
    edges { cursor node { id status lastActivityAt contact { name urns } topic { name } assignee { name } lastMessage { text } } } } }`;

  it("issues the same few statements for 5 tickets as for 100", async () => {
    const { admin, editor, agent } = await team(srv);
    const others = await Promise.all([
      addMember(srv, admin.workspaceId, "AGENT", "second agent"),
      addMember(srv, admin.workspaceId, "EDITOR", "second editor"),
    ]);
    const assignees = [admin, editor, agent, ...others].map((m) => m.userId);
    const topics = [
      await generalTopic(admin.token),
      ...(await Promise.all(["A", "B", "C"].map((n) => createTopic(admin.token, `Topic ${n}`)))),
    ];
    await inBatches(Array.from({ length: 110 }), 10, async (_, i) => {
      const urn = newUrn();
      const contact = await createContact(admin.token, `Contact ${i}`, [urn, newUrn()]);
      await openTicket(srv, admin.token, {
        contactId: contact,
        contactUrn: undefined,
        topicId: topics[i % topics.length],
        ...(i % 7 === 6 ? {} : { assigneeId: assignees[i % assignees.length] }),
      });
      await receive(editor.token, urn, `message ${i}`);
    });

    const measure = async (first: number) => {
      const res = await srv.gql<{
        tickets: { totalCount: number; edges: Array<{ node: { lastMessage: { text: string } | null; contact: { urns: string[] } } }> };
      }>(INBOX, { first }, agent.token);
      expect(res.errors).toBeUndefined();
      expect(res.data!.tickets.edges).toHaveLength(first);
      expect(res.data!.tickets.totalCount).toBe(110);
      for (const edge of res.data!.tickets.edges) {
        expect(edge.node.lastMessage?.text).toMatch(/^message \d+$/);
        expect(edge.node.contact.urns).toHaveLength(2);
      }
      return Number(res.headers.get("x-sql-statements"));
    };
    // Both measured with the token's actor remembered (AUTH_CACHE_MS); test/statement-budget.test.ts counts authentication too.
    await measure(5);
    const five = await measure(5);
    const hundred = await measure(100);
    console.log(`inbox query SQL statements: first 5 -> ${five}, first 100 -> ${hundred}`);
    expect({ five, hundred }).toEqual({ five: hundred, hundred });
    expect(hundred).toBeLessThanOrEqual(2);
  });
});

describe("keyset pagination while tickets change", () => {
  /**
   * Pages through a list with first: 10 while, between pages, another client changes random
   * tickets. No ticket may come twice, and every ticket left alone must come exactly once.
   */
  async function pageWhileChanging(
    token: string,
    filter: Record<string, unknown>,
    change: (page: number) => Promise<string[]>,
  ): Promise<{ seen: string[]; touched: Set<string> }> {
    const seen: string[] = [];
    const touched = new Set<string>();
    let after: string | null = null;
    for (let page = 0; ; page++) {
      const result = await inboxPage(token, filter, 10, after);
      seen.push(...result.edges.map((e) => e.node.id));
      if (!result.pageInfo.hasNextPage) break;
      after = result.pageInfo.endCursor;
      for (const id of await change(page)) touched.add(id);
    }
    return { seen, touched };
  }

  function expectPagedOnce(seen: string[], touched: Set<string>, universe: string[]): void {
    const counts = new Map<string, number>();
    for (const id of seen) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
    const untouched = universe.filter((id) => !touched.has(id));
    expect(untouched.filter((id) => counts.get(id) !== 1)).toEqual([]);
    // Touched tickets may be missed (or, when a change moved them into the list, shown once); nothing else shows up.
    expect(seen.filter((id) => !universe.includes(id) && !touched.has(id))).toEqual([]);
  }

  it("returns no open ticket twice and every untouched one once while others add notes, close and reassign", async () => {
    const { admin, editor, agent } = await team(srv);
    const rnd = random(42);
    const opened = await inBatches(Array.from({ length: 120 }), 10, () => openTicket(srv, admin.token));
    const ids = opened.map((t) => t.id);
    const open = new Set(ids);
    const assignees = [admin.userId, editor.userId, agent.userId];
    const { seen, touched } = await pageWhileChanging(admin.token, { status: "OPEN" }, async (page) => {
      const picked = [...new Set(Array.from({ length: 4 }, () => ids[Math.floor(rnd() * ids.length)]))].filter((id) => open.has(id));
      const [noted, closed, reassigned] = [
        picked.filter((_, i) => i % 3 === 0),
        picked.filter((_, i) => i % 3 === 1),
        picked.filter((_, i) => i % 3 === 2),
      ];
      if (noted.length) await addNote(noted, `between pages ${page}`, editor.token);
      if (closed.length) await closeTickets(closed, editor.token);
      closed.forEach((id) => open.delete(id));
      if (reassigned.length) await assignTickets(reassigned, assignees[page % 3], editor.token);
      return picked;
    });
    expect(touched.size).toBeGreaterThan(20);
    expectPagedOnce(seen, touched, ids);
  });

  it("with status null, returns no ticket twice and every untouched one once while tickets close and reopen", async () => {
    const { admin, editor } = await team(srv);
    const rnd = random(7);
    const opened = await inBatches(Array.from({ length: 120 }), 10, () => openTicket(srv, admin.token));
    const ids = opened.map((t) => t.id);
    const closedAtStart = ids.filter((_, i) => i % 4 === 0);
    await closeTickets(closedAtStart, admin.token);
    const closed = new Set(closedAtStart);
    const { seen, touched } = await pageWhileChanging(admin.token, { status: null }, async (page) => {
      const picked = [...new Set(Array.from({ length: 5 }, () => ids[Math.floor(rnd() * ids.length)]))];
      const toClose = picked.filter((id) => !closed.has(id));
      const toReopen = picked.filter((id) => closed.has(id)).slice(0, 1);
      const toNote = picked.filter((id) => !toClose.includes(id) && !toReopen.includes(id));
      if (toClose.length) await closeTickets(toClose, editor.token);
      toClose.forEach((id) => closed.add(id));
      if (toReopen.length) await reopenTickets(toReopen, editor.token);
      toReopen.forEach((id) => closed.delete(id));
      if (toNote.length) await addNote(toNote, `page ${page}`, editor.token);
      return picked;
    });
    expect(touched.size).toBeGreaterThan(20);
    expectPagedOnce(seen, touched, ids);
  });

  it("in MINE and a topic, returns no ticket twice and every untouched one once while tickets are reassigned and noted", async () => {
    const { admin, editor } = await team(srv);
    const rnd = random(99);
    const sales = await createTopic(admin.token, "Sales");
    const opened = await inBatches(Array.from({ length: 90 }), 10, (_, i) =>
      openTicket(srv, admin.token, { topicId: sales, assigneeId: i % 3 === 0 ? editor.userId : admin.userId }),
    );
    const mine = opened.filter((t) => t.assignee?.id === admin.userId).map((t) => t.id);
    const others = opened.filter((t) => t.assignee?.id !== admin.userId).map((t) => t.id);
    const { seen, touched } = await pageWhileChanging(admin.token, { folder: "MINE", topicId: sales }, async (page) => {
      const away = mine[Math.floor(rnd() * mine.length)];
      const noted = mine[Math.floor(rnd() * mine.length)];
      const toMe = others[Math.floor(rnd() * others.length)];
      await addNote([noted], `page ${page}`, editor.token);
      const moved = [away, toMe].filter((id) => id !== noted);
      for (const id of moved) {
        const res = await ok<Bulk<"assignTickets">>(
          srv,
          ASSIGN,
          { i: { ticketIds: [id], assigneeId: id === toMe ? admin.userId : editor.userId } },
          editor.token,
        );
        if (res.assignTickets.failures.length > 0) expect(res.assignTickets.failures[0].code).toBe("ALREADY_ASSIGNED");
      }
      return [noted, ...moved];
    });
    expect(touched.size).toBeGreaterThan(5);
    expectPagedOnce(seen, touched, mine);
    // A ticket assigned to the viewer while paging is not in the list it started from, unless touched.
    expect(seen.filter((id) => others.includes(id) && !touched.has(id))).toEqual([]);
  });

  it("does not return a ticket opened while paging, nor lose the older ones", async () => {
    const { admin } = await team(srv);
    const opened = await inBatches(Array.from({ length: 35 }), 7, () => openTicket(srv, admin.token));
    const { seen } = await pageWhileChanging(admin.token, {}, async () => {
      await openTicket(srv, admin.token);
      return [];
    });
    expect([...seen].sort()).toEqual(opened.map((t) => t.id).sort());
  });
});
