import { randomUUID } from "node:crypto";
import { toGlobalId } from "../../src/schema/global-id";
import { BULK_FIELDS, newUrn, ok, openTicket, team, uuid } from "../support/fixtures";
import { startTestServer, type TestServer } from "../support/harness";

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});

const CONTACT_FIELDS = `id name urns language createdAt`;
const CREATE = `mutation($i: CreateContactInput!) { createContact(input: $i) { contact { ${CONTACT_FIELDS} } userErrors { code field message } } }`;
const UPDATE = `mutation($i: UpdateContactInput!) { updateContact(input: $i) { contact { ${CONTACT_FIELDS} } userErrors { code field message } } }`;
const LIST = `query($search: String, $first: Int, $after: String) { contacts(search: $search, first: $first, after: $after) {
  edges { cursor node { id name urns } } nodes { id name urns } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount } }`;
const NODE = `query($id: ID!) { node(id: $id) { id ... on Contact { ${CONTACT_FIELDS} } } }`;
const CLOSE = `mutation($i: CloseTicketsInput!) { closeTickets(input: $i) { ${BULK_FIELDS} } }`;
const RECEIVE = `mutation($i: ReceiveMessageInput!) { receiveMessage(input: $i) { message { id text } userErrors { code field } } }`;
const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id text } userErrors { code field } } }`;
const MESSAGES = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) { node(id: $id) { ... on Contact {
  messages(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id text direction } } nodes { id text } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } } }`;

interface Contact {
  id: string;
  name: string | null;
  urns: string[];
  language: string | null;
  createdAt: string;
}
interface UserError {
  code: string;
  field: string[] | null;
  message: string;
}
interface ContactPayload {
  contact: Contact | null;
  userErrors: UserError[];
}
interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
interface ContactPage {
  edges: Array<{ cursor: string; node: { id: string; name: string | null; urns: string[] } }>;
  nodes: Array<{ id: string; name: string | null; urns: string[] }>;
  pageInfo: PageInfo;
  totalCount: number | null;
}
interface MessagePage {
  edges: Array<{ cursor: string; node: { id: string; text: string; direction: string } }>;
  nodes: Array<{ id: string; text: string }>;
  pageInfo: PageInfo;
}
type GqlErrors = Array<{ message: string; extensions?: Record<string, unknown> }> | undefined;

async function create(token: string, input: Record<string, unknown>): Promise<ContactPayload> {
  return (await ok<{ createContact: ContactPayload }>(srv, CREATE, { i: { urns: [], ...input } }, token)).createContact;
}

async function created(token: string, input: Record<string, unknown>): Promise<Contact> {
  const payload = await create(token, input);
  if (!payload.contact) throw new Error(`createContact failed: ${JSON.stringify(payload.userErrors)}`);
  return payload.contact;
}

async function update(token: string, input: Record<string, unknown>): Promise<ContactPayload> {
  return (await ok<{ updateContact: ContactPayload }>(srv, UPDATE, { i: input }, token)).updateContact;
}

async function list(token: string, vars: { search?: string | null; first?: number; after?: string | null }): Promise<ContactPage> {
  return (await ok<{ contacts: ContactPage }>(srv, LIST, vars, token)).contacts;
}

async function node(token: string, id: string): Promise<Contact> {
  return (await ok<{ node: Contact }>(srv, NODE, { id }, token)).node;
}

async function messages(token: string, id: string, vars: Record<string, unknown>): Promise<MessagePage> {
  return (await ok<{ node: { messages: MessagePage } }>(srv, MESSAGES, { id, ...vars }, token)).node.messages;
}

async function close(token: string, ticketId: string): Promise<void> {
  const res = await ok<{ closeTickets: { failures: unknown[] } }>(srv, CLOSE, { i: { ticketIds: [ticketId] } }, token);
  expect(res.closeTickets.failures).toEqual([]);
}

/** Contacts and URNs of a workspace, straight from the database. */
async function counts(workspaceGlobalId: string): Promise<{ contacts: number; urns: number }> {
  const [row] = await srv.server.db.query<Array<{ contacts: string; urns: string }>>(
    `SELECT (SELECT count(*) FROM contacts WHERE workspace_id = $1) AS contacts,
            (SELECT count(*) FROM contact_urns WHERE workspace_id = $1) AS urns`,
    [uuid(workspaceGlobalId)],
  );
  return { contacts: Number(row.contacts), urns: Number(row.urns) };
}

/** Every stored contact row of a workspace, to prove a refused call changed nothing. */
async function stored(workspaceGlobalId: string): Promise<unknown[]> {
  return srv.server.db.query(
    `SELECT c.id, c.name, c.language, c.created_at, array(SELECT u.urn || '#' || u.priority FROM contact_urns u WHERE u.contact_id = c.id ORDER BY u.urn) AS urns
       FROM contacts c WHERE c.workspace_id = $1 ORDER BY c.id`,
    [uuid(workspaceGlobalId)],
  );
}

function expectCode(errors: GqlErrors, code: string, field?: string): void {
  expect(errors).toHaveLength(1);
  expect(errors?.[0].extensions?.code).toBe(code);
  if (field !== undefined) expect(errors?.[0].extensions?.field).toBe(field);
  expect(JSON.stringify(errors)).not.toMatch(/stack|SELECT|INSERT|UPDATE |node_modules|\.ts:/);
}

/** Cursors no list gave out, some shaped like real ones: each must be BAD_USER_INPUT, never a SQL error. */
const FORGED_CURSORS = [
  "garbage",
  Buffer.from("[1]").toString("base64"),
  Buffer.from('{"a":1}').toString("base64"),
  Buffer.from(JSON.stringify(["1700000000000000", "not-a-uuid"])).toString("base64"),
  Buffer.from(JSON.stringify(["soon", randomUUID()])).toString("base64"),
  Buffer.from(JSON.stringify([1e30, randomUUID()])).toString("base64"),
  Buffer.from(JSON.stringify(["99999999999999999999999", randomUUID()])).toString("base64"),
  Buffer.from(JSON.stringify(["-5", randomUUID()])).toString("base64"),
];

/** Walks `contacts` page by page; `between` runs after each page. */
async function walk(
  token: string,
  opts: { search?: string; first: number; between?: (page: number) => Promise<void> },
): Promise<{ ids: string[]; pages: ContactPage[] }> {
  const ids: string[] = [];
  const pages: ContactPage[] = [];
  let after: string | null = null;
  for (let i = 0; i < 100; i++) {
    const page: ContactPage = await list(token, { search: opts.search, first: opts.first, after });
    pages.push(page);
    ids.push(...page.nodes.map((n) => n.id));
    expect(page.edges.map((e) => e.node.id)).toEqual(page.nodes.map((n) => n.id));
    expect(page.nodes.length).toBeLessThanOrEqual(opts.first);
    expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
    if (!page.pageInfo.hasNextPage) return { ids, pages };
    expect(page.nodes).toHaveLength(opts.first);
    expect(page.pageInfo.endCursor).toBe(page.edges[page.edges.length - 1].cursor);
    after = page.pageInfo.endCursor;
    await opts.between?.(i);
  }
  throw new Error("paging did not end");
}

describe("createContact", () => {
  it("administrators and editors create contacts with normalised, deduplicated URNs, a trimmed name and a language", async () => {
    const { admin, editor } = await team(srv);
    const contact = await created(editor.token, {
      name: "  Ana Lopez  ",
      urns: ["tel:+250 788-123-123", "whatsapp:+250788123123", "tel:+250788123123", " TEL:00250788123123 ", "MAILTO:Ana@Example.org"],
      language: "kin",
    });
    expect(contact).toEqual({
      id: expect.any(String),
      name: "Ana Lopez",
      urns: ["tel:+250788123123", "whatsapp:250788123123", "mailto:ana@example.org"],
      language: "kin",
      createdAt: expect.any(String),
    });
    expect(await counts(admin.workspaceId)).toEqual({ contacts: 1, urns: 3 });
    expect(await node(admin.token, contact.id)).toEqual(contact);

    const minimal = await created(admin.token, { urns: [newUrn()] });
    expect(minimal).toMatchObject({ name: null, language: null });
    const blankName = await created(admin.token, { name: "   ", urns: [newUrn()], language: null });
    expect(blankName.name).toBeNull();
    expect((await created(admin.token, { urns: [newUrn()], language: "en" })).language).toBe("en");
  });

  it("agents are FORBIDDEN and anonymous callers UNAUTHENTICATED; nothing is created", async () => {
    const { admin, agent } = await team(srv);
    const before = await counts(admin.workspaceId);
    expectCode((await srv.gql(CREATE, { i: { name: "X", urns: [newUrn()] } }, agent.token)).errors, "FORBIDDEN");
    expectCode((await srv.gql(CREATE, { i: { name: "X", urns: [newUrn()] } })).errors, "UNAUTHENTICATED");
    expect(await counts(admin.workspaceId)).toEqual(before);
  });

  it('a URN of another contact is URN_TAKEN at ["urns", i], i being its place in the input, and nothing is created', async () => {
    const { admin, editor } = await team(srv);
    const existing = await created(admin.token, { name: "Owner", urns: ["tel:+250788555001", "whatsapp:250788555001"] });
    const before = await stored(admin.workspaceId);
    const free = newUrn();

    const cases: Array<[string[], number]> = [
      [["tel:+250788555001"], 0],
      [[free, "tel:+250 788 555 001"], 1],
      [[free, "whatsapp:+250788555001", "tel:+250788555001"], 1],
      // A duplicate earlier in the input must not shift the index reported.
      [[free, free.replace("+", "00"), "whatsapp:250788555001"], 2],
      [["tel:+250 788-555-002", "tel:+250788555002", "tel:+250788555001"], 2],
    ];
    for (const [urns, index] of cases) {
      const payload = await create(editor.token, { name: "Thief", urns });
      expect(payload.contact).toBeNull();
      expect(payload.userErrors).toEqual([{ code: "URN_TAKEN", field: ["urns", String(index)], message: expect.any(String) }]);
    }
    expect(await stored(admin.workspaceId)).toEqual(before);
    // The free URNs of the refused inputs were not claimed.
    expect((await created(editor.token, { urns: [free, "tel:+250788555002"] })).urns).toEqual([free, "tel:+250788555002"]);
    expect((await node(admin.token, existing.id)).urns).toEqual(["tel:+250788555001", "whatsapp:250788555001"]);

    // URNs are unique per workspace only.
    const stranger = await srv.signUp();
    expect((await created(stranger.token, { urns: ["tel:+250788555001"] })).urns).toEqual(["tel:+250788555001"]);
  });

  it('concurrent creates claiming one URN make one contact; the others get URN_TAKEN at ["urns", i]', async () => {
    const { admin } = await team(srv);
    const urn = newUrn();
    const results = await Promise.all(Array.from({ length: 8 }, () => create(admin.token, { urns: [newUrn(), urn] })));
    const winners = results.filter((r) => r.contact !== null);
    expect(winners).toHaveLength(1);
    for (const r of results.filter((x) => x.contact === null)) {
      expect(r.userErrors).toEqual([{ code: "URN_TAKEN", field: ["urns", "1"], message: expect.any(String) }]);
    }
    expect(await counts(admin.workspaceId)).toEqual({ contacts: 1, urns: 2 });
  });

  it('an invalid URN is INVALID_URN at ["urns", i] and nothing is created', async () => {
    const { admin } = await team(srv);
    const before = await counts(admin.workspaceId);
    for (const [urns, index] of [
      [["nope"], 0],
      [[newUrn(), "tel:0788123123"], 1],
      [[newUrn(), newUrn(), "fax:123"], 2],
      [[newUrn(), ""], 1],
      [["mailto:a@b", newUrn()], 0],
    ] as Array<[string[], number]>) {
      const payload = await create(admin.token, { name: "Bad", urns });
      expect(payload.contact).toBeNull();
      expect(payload.userErrors).toEqual([{ code: "INVALID_URN", field: ["urns", String(index)], message: expect.any(String) }]);
    }
    expect(await counts(admin.workspaceId)).toEqual(before);
  });

  it.each([
    ["an upper-case language", { language: "EN" }, "language"],
    ["a one-letter language", { language: "e" }, "language"],
    ["a four-letter language", { language: "engl" }, "language"],
    ["a language with a digit", { language: "e1" }, "language"],
    ["an empty language", { language: "" }, "language"],
    ["a language with a region", { language: "en-US" }, "language"],
    ["an overlong name", { name: "n".repeat(101) }, "name"],
    ["more than 10 URNs", { urns: Array.from({ length: 11 }, () => newUrn()) }, "urns"],
    ["a NUL character in the name", { name: "Ana\u0000" }, "name"],
    ["an overlong URN", { urns: [`ext:${"x".repeat(300)}`] }, "urns"],
    ["no urns", { urns: undefined }, "urns"],
  ])("%s is BAD_USER_INPUT and creates nothing", async (_label, change, field) => {
    const { admin } = await team(srv);
    const before = await counts(admin.workspaceId);
    const res = await srv.gql(CREATE, { i: { name: "Valid", urns: [newUrn()], language: "en", ...change } }, admin.token);
    expectCode(res.errors, "BAD_USER_INPUT", field);
    expect(res.data ?? null).toBeNull();
    expect(await counts(admin.workspaceId)).toEqual(before);
  });
});

describe("updateContact", () => {
  it("an omitted field is unchanged, an explicit null clears, a value sets", async () => {
    const { admin, editor } = await team(srv);
    const contact = await created(admin.token, { name: "Ana", urns: [newUrn()], language: "fr" });

    const rename = await update(editor.token, { id: contact.id, name: "  Ana Maria " });
    expect(rename).toEqual({ contact: { ...contact, name: "Ana Maria" }, userErrors: [] });
    const relang = await update(editor.token, { id: contact.id, language: "eng" });
    expect(relang.contact).toEqual({ ...contact, name: "Ana Maria", language: "eng" });
    const nothing = await update(editor.token, { id: contact.id });
    expect(nothing.contact).toEqual({ ...contact, name: "Ana Maria", language: "eng" });
    const clearLanguage = await update(admin.token, { id: contact.id, language: null });
    expect(clearLanguage.contact).toEqual({ ...contact, name: "Ana Maria", language: null });
    const clearName = await update(admin.token, { id: contact.id, name: null });
    expect(clearName.contact).toEqual({ ...contact, name: null, language: null });
    const both = await update(admin.token, { id: contact.id, name: "Bea", language: "rw" });
    expect(both.contact).toEqual({ ...contact, name: "Bea", language: "rw" });
    expect(await node(admin.token, contact.id)).toEqual({ ...contact, name: "Bea", language: "rw" });
    // A blank name is no name, as at creation.
    expect((await update(admin.token, { id: contact.id, name: "   " })).contact).toEqual({ ...contact, name: null, language: "rw" });
    // URNs and createdAt never change through updateContact.
    expect((await node(editor.token, contact.id)).urns).toEqual(contact.urns);
  });

  it("agents are FORBIDDEN; bad input is BAD_USER_INPUT; neither changes the contact", async () => {
    const { admin, agent } = await team(srv);
    const contact = await created(admin.token, { name: "Ana", urns: [newUrn()], language: "fr" });
    const before = await stored(admin.workspaceId);
    expectCode((await srv.gql(UPDATE, { i: { id: contact.id, name: "Hacked" } }, agent.token)).errors, "FORBIDDEN");
    expectCode((await srv.gql(UPDATE, { i: { id: contact.id, name: "Anon" } })).errors, "UNAUTHENTICATED");
    for (const [input, field] of [
      [{ id: contact.id, language: "FR" }, "language"],
      [{ id: contact.id, name: "Ok", language: "french" }, "language"],
      [{ id: contact.id, name: "n".repeat(101) }, "name"],
      [{ id: contact.id, name: "nul\u0000" }, "name"],
      [{ id: admin.workspaceId, name: "x" }, "id"],
      [{ id: "not an id", name: "x" }, "id"],
      [{ name: "x" }, "id"],
    ] as const) {
      expectCode((await srv.gql(UPDATE, { i: input }, admin.token)).errors, "BAD_USER_INPUT", field);
    }
    expect(await stored(admin.workspaceId)).toEqual(before);
  });

  it("another workspace's contact, or an unknown one, is a NOT_FOUND userError and is not changed", async () => {
    const { admin } = await team(srv);
    const stranger = await srv.signUp();
    const theirs = await created(stranger.token, { name: "Theirs", urns: [newUrn()], language: "en" });
    const before = await stored(stranger.workspaceId);
    for (const id of [theirs.id, toGlobalId("Contact", randomUUID())]) {
      for (const change of [{ name: "Mine now" }, { name: null, language: null }, {}]) {
        const payload = await update(admin.token, { id, ...change });
        expect(payload).toEqual({ contact: null, userErrors: [{ code: "NOT_FOUND", field: ["id"], message: expect.any(String) }] });
      }
    }
    expect(await stored(stranger.workspaceId)).toEqual(before);
    expect(await node(stranger.token, theirs.id)).toEqual(theirs);
  });
});

describe("contacts", () => {
  it("search matches name or URN substrings, ignoring case; wildcards are literal", async () => {
    const { admin, agent } = await team(srv);
    const ana = await created(admin.token, { name: "Ana Lopez", urns: ["tel:+250788123123", "mailto:ana.l@example.org"] });
    const bob = await created(admin.token, { name: "Bob Martin", urns: ["whatsapp:447700900123"] });
    const carla = await created(admin.token, { name: "Carla 100%_done", urns: ["telegram:@carla_bot"] });
    await created(admin.token, { urns: ["ext:CRM-000777"] });
    // Another workspace's look-alike is never found.
    const stranger = await srv.signUp();
    await created(stranger.token, { name: "Ana Lopez", urns: ["tel:+250788123123"] });

    const search = async (term: string): Promise<string[]> => (await list(agent.token, { search: term })).nodes.map((n) => n.id).sort();
    expect(await search("ana")).toEqual([ana.id]);
    expect(await search("LOPEZ")).toEqual([ana.id]);
    expect(await search("oPe")).toEqual([ana.id]);
    expect(await search("788123")).toEqual([ana.id]);
    expect(await search("ANA.L@EXAMPLE")).toEqual([ana.id]);
    expect(await search("tel:+250")).toEqual([ana.id]);
    expect(await search("900123")).toEqual([bob.id]);
    expect(await search("whatsapp")).toEqual([bob.id]);
    expect(await search("mar")).toEqual([bob.id]);
    expect(await search("crm-000")).toHaveLength(1);
    expect(await search("CARLA_BOT")).toEqual([carla.id]);
    expect(await search("123")).toEqual([ana.id, bob.id].sort());
    expect(await search("  lopez  ")).toEqual([ana.id]);
    expect(await search("0%_")).toEqual([carla.id]);
    expect(await search("%%%")).toEqual([]);
    expect(await search("___")).toEqual([]);
    expect(await search("zzz")).toEqual([]);
    // A contact with two matching URNs appears once.
    expect(await search("ana")).toHaveLength(1);
    expect(await search("a.l@ex")).toEqual([ana.id]);
  });

  it("search shorter than 3 characters (after trimming), longer than 100 or with a NUL is BAD_USER_INPUT naming search", async () => {
    const { agent } = await team(srv);
    for (const search of ["", "ab", "  ab  ", "   ", "x".repeat(101), "ana\u0000"]) {
      expectCode((await srv.gql(LIST, { search }, agent.token)).errors, "BAD_USER_INPUT", "search");
    }
    // No search (null) lists everything.
    expect((await list(agent.token, { search: null })).nodes).toEqual([]);
  });

  it("pages newest first by keyset, returning every contact exactly once", async () => {
    const { admin, editor } = await team(srv);
    const made: Contact[] = [];
    for (let i = 0; i < 12; i++) made.push(await created(editor.token, { name: `Page ${String(i).padStart(2, "0")}`, urns: [newUrn()] }));
    const { ids, pages } = await walk(admin.token, { first: 5 });
    expect(pages.map((p) => p.nodes.length)).toEqual([5, 5, 2]);
    expect(ids).toEqual(made.map((c) => c.id).reverse());
    for (const p of pages) expect(p.totalCount).toBe(12);
    expect(pages[0].pageInfo.hasPreviousPage).toBe(false);

    // Exactly a page's worth: no empty trailing page.
    const exact = await walk(admin.token, { first: 6 });
    expect(exact.pages.map((p) => p.nodes.length)).toEqual([6, 6]);
    expect(exact.ids).toEqual(ids);
    const all = await list(admin.token, { first: 100 });
    expect(all.nodes.map((n) => n.id)).toEqual(ids);
    expect(all.pageInfo.hasNextPage).toBe(false);

    // Search results page the same way.
    const searched = await walk(admin.token, { search: "page", first: 4 });
    expect(searched.ids).toEqual(ids);
  });

  it("paging returns each contact once even when many share a creation time or contacts are added meanwhile", async () => {
    const { admin } = await team(srv);
    const ws = uuid(admin.workspaceId);
    // Ten contacts created in one statement share created_at exactly; the id breaks the tie.
    const tied = Array.from({ length: 10 }, () => randomUUID());
    await srv.server.db.query(
      `INSERT INTO contacts (id, workspace_id, name, created_at) SELECT id, $1, 'Tied', now() - interval '1 hour' FROM unnest($2::uuid[]) AS id`,
      [ws, tied],
    );
    const older = await created(admin.token, { name: "Later", urns: [newUrn()] });
    const initial = new Set([...tied.map((id) => toGlobalId("Contact", id)), older.id]);

    const addedMeanwhile: string[] = [];
    const { ids } = await walk(admin.token, {
      first: 3,
      between: async () => {
        addedMeanwhile.push((await created(admin.token, { name: "Meanwhile", urns: [newUrn()] })).id);
      },
    });
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of initial) expect(ids).toContain(id);
    expect(ids.filter((id) => !initial.has(id))).toEqual([]);
    expect(ids[0]).toBe(older.id);
    expect(addedMeanwhile.length).toBeGreaterThan(0);
    // A fresh walk sees everything.
    expect((await walk(admin.token, { first: 7 })).ids).toHaveLength(initial.size + addedMeanwhile.length);
  });

  it("first outside 1..100 and a cursor this list never gave are BAD_USER_INPUT", async () => {
    const { admin } = await team(srv);
    await created(admin.token, { urns: [newUrn()] });
    for (const first of [0, -1, 101]) {
      expectCode((await srv.gql(LIST, { first }, admin.token)).errors, "BAD_USER_INPUT", "first");
      expectCode((await srv.gql(LIST, { first, search: "abc" }, admin.token)).errors, "BAD_USER_INPUT", "first");
    }
    for (const after of FORGED_CURSORS) {
      expectCode((await srv.gql(LIST, { after }, admin.token)).errors, "BAD_USER_INPUT", "after");
      expectCode((await srv.gql(LIST, { after, search: "abc" }, admin.token)).errors, "BAD_USER_INPUT", "after");
    }
    expect((await list(admin.token, { first: 1 })).nodes).toHaveLength(1);
    expect((await list(admin.token, { first: 100 })).nodes).toHaveLength(1);
  });

  it("agents read contacts: the list, node, and a contact's tickets and messages", async () => {
    const { admin, agent } = await team(srv);
    const urn = newUrn();
    const ticket = await openTicket(srv, admin.token, { contactUrn: urn });
    await ok(srv, RECEIVE, { i: { urn, text: "hello" } }, admin.token);
    const listed = await list(agent.token, {});
    expect(listed.nodes.map((n) => n.id)).toEqual([ticket.contact.id]);
    expect(listed.totalCount).toBe(1);
    expect(await node(agent.token, ticket.contact.id)).toMatchObject({ id: ticket.contact.id, urns: [urn] });
    const rich = await ok<{
      node: { openTicket: { id: string }; tickets: { nodes: Array<{ id: string }> }; messages: { nodes: Array<{ text: string }> } };
    }>(
      srv,
      `query($id: ID!) { node(id: $id) { ... on Contact { openTicket { id } tickets { nodes { id } } messages { nodes { text } } } } }`,
      { id: ticket.contact.id },
      agent.token,
    );
    expect(rich.node).toEqual({
      openTicket: { id: ticket.id },
      tickets: { nodes: [{ id: ticket.id }] },
      messages: { nodes: [{ text: "hello" }] },
    });
    expectCode((await srv.gql(LIST, {})).errors, "UNAUTHENTICATED");
  });

  it("another workspace's contact is NOT_FOUND through node and null in nodes", async () => {
    const { admin } = await team(srv);
    const stranger = await srv.signUp();
    const theirs = await created(stranger.token, { name: "Theirs", urns: [newUrn()] });
    const mine = await created(admin.token, { name: "Mine", urns: [newUrn()] });
    const res = await srv.gql(NODE, { id: theirs.id }, admin.token);
    expectCode(res.errors, "NOT_FOUND");
    expect(res.errors?.[0].path).toEqual(["node"]);
    expect(res.data?.node ?? null).toBeNull();
    const many = await srv.gql<{ nodes: Array<{ id: string } | null> }>(
      `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
      { ids: [mine.id, theirs.id] },
      admin.token,
    );
    expect(many.data?.nodes).toEqual([{ id: mine.id }, null]);
    expect((await list(admin.token, {})).nodes.map((n) => n.id)).toEqual([mine.id]);
  });
});

describe("Contact.openTicket and Contact.tickets", () => {
  it("openTicket is the open one or null; tickets are newest first and page", async () => {
    const { admin } = await team(srv);
    const urn = newUrn();
    const first = await openTicket(srv, admin.token, { contactUrn: urn });
    await close(admin.token, first.id);
    const second = await openTicket(srv, admin.token, { contactUrn: urn });
    await close(admin.token, second.id);
    const third = await openTicket(srv, admin.token, { contactUrn: urn });
    const contactId = third.contact.id;
    expect(first.contact.id).toBe(contactId);

    const Q = `query($id: ID!, $first: Int, $after: String) { node(id: $id) { ... on Contact {
      openTicket { id status }
      tickets(first: $first, after: $after) { nodes { id status } pageInfo { hasNextPage hasPreviousPage endCursor } } } } }`;
    type R = {
      node: {
        openTicket: { id: string; status: string } | null;
        tickets: { nodes: Array<{ id: string; status: string }>; pageInfo: PageInfo };
      };
    };
    const all = await ok<R>(srv, Q, { id: contactId }, admin.token);
    expect(all.node.openTicket).toEqual({ id: third.id, status: "OPEN" });
    expect(all.node.tickets.nodes).toEqual([
      { id: third.id, status: "OPEN" },
      { id: second.id, status: "CLOSED" },
      { id: first.id, status: "CLOSED" },
    ]);
    expect(all.node.tickets.pageInfo.hasNextPage).toBe(false);

    const p1 = await ok<R>(srv, Q, { id: contactId, first: 2 }, admin.token);
    expect(p1.node.tickets.nodes.map((t) => t.id)).toEqual([third.id, second.id]);
    expect(p1.node.tickets.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const p2 = await ok<R>(srv, Q, { id: contactId, first: 2, after: p1.node.tickets.pageInfo.endCursor }, admin.token);
    expect(p2.node.tickets.nodes.map((t) => t.id)).toEqual([first.id]);
    expect(p2.node.tickets.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    for (const bad of [0, 101])
      expectCode((await srv.gql(Q, { id: contactId, first: bad }, admin.token)).errors, "BAD_USER_INPUT", "first");
    for (const after of FORGED_CURSORS) {
      expectCode((await srv.gql(Q, { id: contactId, after }, admin.token)).errors, "BAD_USER_INPUT", "after");
    }

    await close(admin.token, third.id);
    const none = await ok<R>(srv, Q, { id: contactId }, admin.token);
    expect(none.node.openTicket).toBeNull();
    expect(none.node.tickets.nodes.map((t) => t.status)).toEqual(["CLOSED", "CLOSED", "CLOSED"]);

    // A contact without tickets.
    const lonely = await created(admin.token, { urns: [newUrn()] });
    const empty = await ok<R>(srv, Q, { id: lonely.id }, admin.token);
    expect(empty.node).toEqual({
      openTicket: null,
      tickets: { nodes: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, endCursor: null } },
    });
  });
});

describe("Contact.messages", () => {
  async function conversation(): Promise<{ token: string; contactId: string; texts: string[]; ids: string[] }> {
    const { admin, agent } = await team(srv);
    const urn = newUrn();
    const ticket = await openTicket(srv, admin.token, { contactUrn: urn });
    const texts = ["m1 in", "m2 out", "m3 in", "m4 in", "m5 out"];
    const ids: string[] = [];
    for (const text of texts) {
      if (text.endsWith("in")) {
        const r = await ok<{ receiveMessage: { message: { id: string } } }>(srv, RECEIVE, { i: { urn, text } }, admin.token);
        ids.push(r.receiveMessage.message.id);
      } else {
        const r = await ok<{ sendMessage: { message: { id: string } } }>(srv, SEND, { i: { ticketId: ticket.id, text } }, agent.token);
        ids.push(r.sendMessage.message.id);
      }
    }
    return { token: agent.token, contactId: ticket.contact.id, texts, ids };
  }

  it("lists incoming and outgoing messages oldest first and pages forward", async () => {
    const { token, contactId, texts, ids } = await conversation();
    const all = await messages(token, contactId, {});
    expect(all.nodes.map((m) => m.text)).toEqual(texts);
    expect(all.edges.map((e) => e.node.direction)).toEqual(["INCOMING", "OUTGOING", "INCOMING", "INCOMING", "OUTGOING"]);
    expect(all.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });

    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: MessagePage = await messages(token, contactId, { first: 2, after });
      seen.push(...page.nodes.map((m) => m.id));
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(ids);
  });

  it("last: 2 gives the two newest, and before pages backwards to the oldest", async () => {
    const { token, contactId, texts } = await conversation();
    const newest = await messages(token, contactId, { last: 2 });
    expect(newest.nodes.map((m) => m.text)).toEqual(texts.slice(3));
    expect(newest.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    expect(newest.pageInfo.startCursor).toBe(newest.edges[0].cursor);

    const middle = await messages(token, contactId, { last: 2, before: newest.pageInfo.startCursor });
    expect(middle.nodes.map((m) => m.text)).toEqual(texts.slice(1, 3));
    expect(middle.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });

    const oldest = await messages(token, contactId, { last: 2, before: middle.pageInfo.startCursor });
    expect(oldest.nodes.map((m) => m.text)).toEqual(texts.slice(0, 1));
    expect(oldest.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });

    // before without last uses the default page size, still ending at the cursor.
    const beforeOnly = await messages(token, contactId, { before: newest.pageInfo.startCursor });
    expect(beforeOnly.nodes.map((m) => m.text)).toEqual(texts.slice(0, 3));
    // last larger than the list returns it all.
    const everything = await messages(token, contactId, { last: 100 });
    expect(everything.nodes.map((m) => m.text)).toEqual(texts);
    expect(everything.pageInfo.hasPreviousPage).toBe(false);
  });

  it("rejects first and last together, sizes outside 1..100 and foreign cursors", async () => {
    const { token, contactId } = await conversation();
    expectCode((await srv.gql(MESSAGES, { id: contactId, first: 1, last: 1 }, token)).errors, "BAD_USER_INPUT");
    for (const n of [0, 101, -3]) {
      expectCode((await srv.gql(MESSAGES, { id: contactId, first: n }, token)).errors, "BAD_USER_INPUT", "first");
      expectCode((await srv.gql(MESSAGES, { id: contactId, last: n }, token)).errors, "BAD_USER_INPUT", "last");
    }
    for (const cursor of FORGED_CURSORS) {
      expectCode((await srv.gql(MESSAGES, { id: contactId, after: cursor }, token)).errors, "BAD_USER_INPUT", "after");
      expectCode((await srv.gql(MESSAGES, { id: contactId, before: cursor }, token)).errors, "BAD_USER_INPUT", "before");
      expectCode((await srv.gql(MESSAGES, { id: contactId, last: 2, before: cursor }, token)).errors, "BAD_USER_INPUT", "before");
    }
  });

  it("a contact without messages has an empty list", async () => {
    const { admin } = await team(srv);
    const contact = await created(admin.token, { urns: [newUrn()] });
    const page = await messages(admin.token, contact.id, { last: 2 });
    expect(page).toEqual({
      edges: [],
      nodes: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    });
  });
});
