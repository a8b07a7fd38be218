import { newUrn, OPEN, ok, openTicket, team, type OpenResult } from "../support/fixtures";
import { startTestServer, type SignedUp, type TestServer } from "../support/harness";

let srv: TestServer;
let admin: SignedUp;
let editor: SignedUp;
let agent: SignedUp;
let contactId: string;
const fieldIds: Record<string, string> = {};

const CREATE = `mutation($i: CreateContactFieldInput!) { createContactField(input: $i) { contactField { id key name type featured priority agentAccess } userErrors { code field message } } }`;
const UPDATE = `mutation($i: UpdateContactFieldInput!) { updateContactField(input: $i) { contactField { id key name agentAccess } userErrors { code field } } }`;
const SET = `mutation($i: SetContactFieldsInput!) { setContactFields(input: $i) { contact { id fields { field { key } value editable } } userErrors { code field message } } }`;
type Created = {
  createContactField: { contactField: { id: string; key: string } | null; userErrors: Array<{ code: string; field: string[] }> };
};
type SetResult = {
  setContactFields: {
    contact: { fields: Array<{ field: { key: string }; value: string | null; editable: boolean }> } | null;
    userErrors: Array<{ code: string; field: string[] }>;
  };
};

beforeAll(async () => {
  srv = await startTestServer();
  ({ admin, editor, agent } = await team(srv));
  for (const [name, type, agentAccess, featured, priority] of [
    ["Secret Code", "TEXT", "NONE", false, 0],
    ["Plan", "TEXT", "VIEW", true, 5],
    ["Age", "NUMBER", "EDIT", true, 9],
    ["Next Visit", "DATETIME", "EDIT", false, 0],
  ] as const) {
    const res = await ok<Created>(srv, CREATE, { i: { name, type, agentAccess, featured, priority } }, admin.token);
    fieldIds[res.createContactField.contactField!.key] = res.createContactField.contactField!.id;
  }
  const contact = await ok<{ createContact: { contact: { id: string } } }>(
    srv,
    `mutation { createContact(input: { name: "Zed", urns: ["tel:+250788555000"] }) { contact { id } } }`,
    {},
    admin.token,
  );
  contactId = contact.createContact.contact.id;
  const set = await ok<SetResult>(
    srv,
    SET,
    {
      i: {
        contactId,
        values: [
          { key: "secret_code", value: "hunter2-xyzzy" },
          { key: "plan", value: "Gold" },
          { key: "age", value: "042.50" },
        ],
      },
    },
    admin.token,
  );
  expect(set.setContactFields.userErrors).toEqual([]);
});
afterAll(async () => {
  await srv?.close();
});

describe("field definitions", () => {
  it("derives the key from the name and orders featured fields by priority, then the rest by name", async () => {
    const { contactFields } = await ok<{ contactFields: Array<{ key: string }> }>(srv, `{ contactFields { key } }`, {}, admin.token);
    expect(contactFields.map((f) => f.key)).toEqual(["age", "plan", "next_visit", "secret_code"]);
    const agentView = await ok<{ contactFields: Array<{ key: string }> }>(srv, `{ contactFields { key } }`, {}, agent.token);
    expect(agentView.contactFields.map((f) => f.key)).toEqual(["age", "plan", "next_visit"]);
  });

  it("refuses reserved and taken keys and bad names; the key stays when the name changes", async () => {
    const reserved = await ok<Created>(srv, CREATE, { i: { name: "Language", type: "TEXT" } }, editor.token);
    expect(reserved.createContactField.userErrors).toEqual([{ code: "RESERVED_KEY", field: ["name"], message: expect.any(String) }]);
    const taken = await ok<Created>(srv, CREATE, { i: { name: "next-visit", type: "TEXT" } }, editor.token);
    expect(taken.createContactField.userErrors[0].code).toBe("KEY_TAKEN");
    for (const name of ["", "x".repeat(37), "bad_name", "9lives", "semi;colon"]) {
      const res = await srv.gql(CREATE, { i: { name, type: "TEXT" } }, editor.token);
      expect(res.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "name", fieldPath: ["name"] });
    }
    const created = await ok<Created>(srv, CREATE, { i: { name: "Favourite Colour", type: "TEXT" } }, editor.token);
    const renamed = await ok<{ updateContactField: { contactField: { key: string; name: string } } }>(
      srv,
      UPDATE,
      { i: { id: created.createContactField.contactField!.id, name: "Colour" } },
      editor.token,
    );
    expect(renamed.updateContactField.contactField).toMatchObject({ key: "favourite_colour", name: "Colour" });
    const deleted = await ok<{ deleteContactField: { deletedId: string } }>(
      srv,
      `mutation($i: DeleteContactFieldInput!) { deleteContactField(input: $i) { deletedId userErrors { code } } }`,
      { i: { id: created.createContactField.contactField!.id } },
      editor.token,
    );
    expect(deleted.deleteContactField.deletedId).toBe(created.createContactField.contactField!.id);
  });

  it("allows at most 250 fields per workspace", async () => {
    const other = await srv.signUp();
    const results = await Promise.all(
      Array.from({ length: 253 }, (_, i) => ok<Created>(srv, CREATE, { i: { name: `Field ${i}`, type: "TEXT" } }, other.token)),
    );
    expect(results.filter((r) => r.createContactField.contactField)).toHaveLength(250);
    expect(results.filter((r) => r.createContactField.userErrors[0]?.code === "LIMIT_REACHED")).toHaveLength(3);
  }, 60_000);

  it("only administrators and editors define fields", async () => {
    for (const [query, input] of [
      [CREATE, { name: "Nope", type: "TEXT" }],
      [UPDATE, { id: fieldIds.plan, name: "Nope" }],
      [`mutation($i: DeleteContactFieldInput!) { deleteContactField(input: $i) { deletedId } }`, { id: fieldIds.plan }],
    ] as const) {
      const res = await srv.gql(query, { i: input }, agent.token);
      expect(res.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    }
  });
});

describe("values", () => {
  it("validates each value against its type; one bad value changes nothing", async () => {
    const cases: Array<[string, string, string | null]> = [
      ["age", "abc", null],
      ["age", "1e5", null],
      ["age", "-0.0", "0"],
      ["age", "+7.10", "7.1"],
      ["next_visit", "2024-02-30T10:00:00Z", null],
      ["next_visit", "2024-05-01 10:00", null],
      ["next_visit", "2024-05-01t09:30:00+02:00", "2024-05-01T09:30:00+02:00"],
      ["plan", "p".repeat(641), null],
    ];
    for (const [key, value, stored] of cases) {
      const res = await ok<SetResult>(
        srv,
        SET,
        {
          i: {
            contactId,
            values: [
              { key: "plan", value: "Silver" },
              { key, value },
            ],
          },
        },
        admin.token,
      );
      if (stored === null) {
        expect([key, value, res.setContactFields.userErrors]).toEqual([
          key,
          value,
          [expect.objectContaining({ code: "INVALID_VALUE", field: ["values", "1", "value"] })],
        ]);
      } else {
        const got = res.setContactFields.contact!.fields.find((f) => f.field.key === key)?.value;
        expect([key, value, got]).toEqual([key, value, stored]);
      }
    }
    // "Silver" was set only with the valid values; a failed call left the last good state.
    const contact = await ok<{ node: { field: { value: string } } }>(
      srv,
      `query($id: ID!) { node(id: $id) { ... on Contact { field(key: "plan") { value } } } }`,
      { id: contactId },
      admin.token,
    );
    expect(contact.node.field.value).toBe("Silver");
  });

  it("null or blank clears; unset fields are listed with a null value", async () => {
    const c = await ok<{ createContact: { contact: { id: string } } }>(
      srv,
      `mutation { createContact(input: { urns: [] }) { contact { id } } }`,
      {},
      admin.token,
    );
    const id = c.createContact.contact.id;
    await ok(srv, SET, { i: { contactId: id, values: [{ key: "age", value: "3" }] } }, admin.token);
    const cleared = await ok<SetResult>(srv, SET, { i: { contactId: id, values: [{ key: "age", value: null }] } }, admin.token);
    expect(cleared.setContactFields.contact!.fields).toEqual([
      { field: { key: "age" }, value: null, editable: true },
      { field: { key: "plan" }, value: null, editable: true },
      { field: { key: "next_visit" }, value: null, editable: true },
      { field: { key: "secret_code" }, value: null, editable: true },
    ]);
  });

  it("agents edit EDIT fields only: VIEW is FIELD_NOT_EDITABLE, NONE answers as if it did not exist", async () => {
    const good = await ok<SetResult>(srv, SET, { i: { contactId, values: [{ key: "age", value: "43" }] } }, agent.token);
    expect(good.setContactFields.contact!.fields).toEqual([
      { field: { key: "age" }, value: "43", editable: true },
      { field: { key: "plan" }, value: "Silver", editable: false },
      { field: { key: "next_visit" }, value: expect.anything(), editable: true },
    ]);
    const view = await ok<SetResult>(srv, SET, { i: { contactId, values: [{ key: "plan", value: "Bronze" }] } }, agent.token);
    expect(view.setContactFields.userErrors).toEqual([
      { code: "FIELD_NOT_EDITABLE", field: ["values", "0", "key"], message: expect.any(String) },
    ]);
    const none = await ok<SetResult>(srv, SET, { i: { contactId, values: [{ key: "secret_code", value: "x" }] } }, agent.token);
    const missing = await ok<SetResult>(srv, SET, { i: { contactId, values: [{ key: "no_such_field", value: "x" }] } }, agent.token);
    expect(none.setContactFields.userErrors.map((e) => [e.code, e.field])).toEqual(
      missing.setContactFields.userErrors.map((e) => [e.code, e.field]),
    );
    // The same answer as for a key that does not exist, naming only what the agent sent.
    expect(JSON.stringify(none).replace(/secret_code/g, "K")).toBe(JSON.stringify(missing).replace(/no_such_field/g, "K"));
  });
});

describe("an agent never receives a NONE field", () => {
  const SECRET = "hunter2-xyzzy";
  const shapes: Array<[string, string, (vars: { id: string }) => Record<string, unknown>]> = [
    ["direct", `query($id: ID!) { node(id: $id) { ... on Contact { fields { field { key } value } } } }`, (v) => v],
    ["by key", `query($id: ID!) { node(id: $id) { ... on Contact { field(key: "secret_code") { value } } } }`, (v) => v],
    [
      "alias",
      `query($id: ID!) { node(id: $id) { ... on Contact { a: fields { value } b: field(key: "secret_code") { value } } } }`,
      (v) => v,
    ],
    [
      "fragment",
      `query($id: ID!) { node(id: $id) { ...C } } fragment C on Contact { fields { field { key name agentAccess } value } }`,
      (v) => v,
    ],
    [
      "inline fragment on Node",
      `query($id: ID!) { node(id: $id) { id ... on Node { ... on Contact { fields(featuredOnly: false) { value } } } } }`,
      (v) => v,
    ],
    ["nodes", `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Contact { fields { value } } } }`, (v) => ({ ids: [v.id, v.id] })],
    ["field definitions", `{ contactFields { key name } }`, () => ({})],
    ["search", `{ contacts(search: "hunter2") { nodes { id } } }`, () => ({})],
    ["the ticket's contact", `{ tickets(filter: { status: null }) { nodes { contact { fields { value } } } } }`, () => ({})],
  ];

  beforeAll(async () => {
    await openTicket(srv, admin.token, { contactId });
  });

  it.each(shapes)("%s", async (_shape, query, vars) => {
    const asAdmin = await srv.gql(query, vars({ id: contactId }), admin.token);
    const asAgent = await srv.gql(query, vars({ id: contactId }), agent.token);
    expect(asAgent.errors).toBeUndefined();
    expect(JSON.stringify(asAgent.data)).not.toMatch(/hunter2|secret/i);
    if (!query.includes("search") && !query.includes("contactFields")) expect(JSON.stringify(asAdmin.data)).toContain(SECRET);
  });

  it("a search never matches on a field the agent cannot see, but does for administrators", async () => {
    const asAdmin = await ok<{ contacts: { nodes: Array<{ id: string }> } }>(
      srv,
      `{ contacts(search: "hunter2") { nodes { id } } }`,
      {},
      admin.token,
    );
    expect(asAdmin.contacts.nodes).toEqual([{ id: contactId }]);
    const plan = await ok<{ contacts: { nodes: Array<{ id: string }> } }>(
      srv,
      `{ contacts(search: "silver") { nodes { id } } }`,
      {},
      agent.token,
    );
    expect(plan.contacts.nodes).toEqual([{ id: contactId }]);
  });

  it("a note rendered from @fields.key: a NONE field renders empty with a warning, whoever opens the ticket", async () => {
    await ok(
      srv,
      `mutation($i: CloseTicketsInput!) { closeTickets(input: $i) { tickets { id } } }`,
      {
        i: {
          ticketIds: [
            (
              await ok<{ node: { openTicket: { id: string } } }>(
                srv,
                `query($id: ID!) { node(id: $id) { ... on Contact { openTicket { id } } } }`,
                { id: contactId },
                admin.token,
              )
            ).node.openTicket.id,
          ],
        },
      },
      admin.token,
    );
    const res = await ok<OpenResult>(
      srv,
      OPEN,
      { i: { contactId, note: "code=@fields.secret_code plan=@fields.plan age=@fields.age" } },
      admin.token,
    );
    expect(res.openTicket.ticket!.notes).toEqual([{ note: "code= plan=Silver age=43" }]);
    expect(res.openTicket.warnings).toEqual(["field @fields.secret_code is not visible to agents"]);
  });

  it("a field switched from VIEW to NONE disappears for agents at once, and back", async () => {
    await ok(srv, UPDATE, { i: { id: fieldIds.plan, agentAccess: "NONE" } }, admin.token);
    const hidden = await ok<{ node: { fields: Array<{ field: { key: string } }>; field: unknown } }>(
      srv,
      `query($id: ID!) { node(id: $id) { ... on Contact { fields { field { key } } field(key: "plan") { value } } } }`,
      { id: contactId },
      agent.token,
    );
    expect(hidden.node.fields.map((f) => f.field.key)).toEqual(["age", "next_visit"]);
    expect(hidden.node.field).toBeNull();
    const search = await ok<{ contacts: { nodes: unknown[] } }>(srv, `{ contacts(search: "silver") { nodes { id } } }`, {}, agent.token);
    expect(search.contacts.nodes).toEqual([]);
    await ok(srv, UPDATE, { i: { id: fieldIds.plan, agentAccess: "VIEW" } }, admin.token);
    const back = await ok<{ node: { field: { value: string } } }>(
      srv,
      `query($id: ID!) { node(id: $id) { ... on Contact { field(key: "plan") { value } } } }`,
      { id: contactId },
      agent.token,
    );
    expect(back.node.field.value).toBe("Silver");
  });

  it("the definition of a NONE field is NOT_FOUND for agents through node", async () => {
    const res = await srv.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: fieldIds.secret_code }, agent.token);
    expect(res.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    const adminView = await ok<{ node: { id: string } }>(
      srv,
      `query($id: ID!) { node(id: $id) { id } }`,
      { id: fieldIds.secret_code },
      admin.token,
    );
    expect(adminView.node.id).toBe(fieldIds.secret_code);
  });
});

describe("notepad", () => {
  it("keeps the last five versions, newest first, with author and time; the same text records nothing", async () => {
    const t = await openTicket(srv, admin.token, { contactUrn: newUrn() });
    const NOTEPAD = `mutation($i: UpdateNotepadInput!) { updateNotepad(input: $i) { contact { notepad { text author { id } createdAt } notepadHistory { text author { id } } } userErrors { code } } }`;
    type Pad = {
      updateNotepad: {
        contact: { notepad: { text: string; author: { id: string } }; notepadHistory: Array<{ text: string; author: { id: string } }> };
      };
    };
    const authors = [admin, agent, editor, agent, admin, editor, agent];
    let last: Pad | undefined;
    for (const [i, who] of authors.entries()) {
      last = await ok<Pad>(srv, NOTEPAD, { i: { contactId: t.contact.id, text: `version ${i + 1}` } }, who.token);
    }
    const same = await ok<Pad>(srv, NOTEPAD, { i: { contactId: t.contact.id, text: "version 7" } }, admin.token);
    expect(same).toEqual(last);
    expect(last!.updateNotepad.contact.notepad).toMatchObject({ text: "version 7", author: { id: agent.userId } });
    expect(last!.updateNotepad.contact.notepadHistory).toEqual([
      { text: "version 7", author: { id: agent.userId } },
      { text: "version 6", author: { id: editor.userId } },
      { text: "version 5", author: { id: admin.userId } },
      { text: "version 4", author: { id: agent.userId } },
      { text: "version 3", author: { id: editor.userId } },
    ]);
    const tooLong = await srv.gql(NOTEPAD, { i: { contactId: t.contact.id, text: "x".repeat(10_001) } }, admin.token);
    expect(tooLong.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "text", fieldPath: ["text"] });
    const fresh = await ok<{ node: { notepad: null; notepadHistory: [] } }>(
      srv,
      `query($id: ID!) { node(id: $id) { ... on Contact { notepad { text } notepadHistory { text } } } }`,
      { id: contactId },
      admin.token,
    );
    expect(fresh.node).toEqual({ notepad: null, notepadHistory: [] });
  });
});
