import { startTestServer, type TestServer } from "../support/harness";

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token userErrors { code } } }`;

async function userCount(): Promise<number> {
  const rows = await srv.server.db.query<Array<{ n: string }>>(`SELECT count(*) AS n FROM users`);
  return Number(rows[0].n);
}

function expectBadInput(res: { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }, field: string): void {
  expect(res.errors).toHaveLength(1);
  expect(res.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field, fieldPath: field.split(".") });
  expect(JSON.stringify(res.errors)).not.toMatch(/stack|SELECT|INSERT|node_modules|\.ts:/);
}

describe("bad input is BAD_USER_INPUT naming the field, and changes nothing", () => {
  const valid = { email: "valid@example.com", password: "long enough", name: "V", workspaceName: "W" };

  it.each([
    ["an email that is not one", { email: "not-an-email" }, "email"],
    ["a short password", { password: "short" }, "password"],
    ["an overlong name", { name: "x".repeat(101) }, "name"],
    ["an overlong workspace name", { workspaceName: "w".repeat(65) }, "workspaceName"],
    ["an empty name", { name: "" }, "name"],
    ["a number where a string goes", { name: 42 }, "name"],
    ["a missing field", { name: undefined }, "name"],
    ["an unknown field", { nickname: "x" }, "nickname"],
  ])("%s", async (_label, change, field) => {
    const before = await userCount();
    const res = await srv.gql(SIGN_UP, { input: { ...valid, ...change } });
    expectBadInput(res, field);
    expect(res.data ?? null).toBeNull();
    expect(await userCount()).toBe(before);
  });

  it("a missing input variable", async () => {
    const res = await srv.gql(SIGN_UP, {});
    expectBadInput(res, "input");
  });

  it("ticket(id:) and contact(id:) take only their own type's IDs", async () => {
    const me = await srv.signUp();
    expectBadInput(await srv.gql(`query($id: ID!) { ticket(id: $id) { id } }`, { id: me.workspaceId }, me.token), "id");
    expectBadInput(await srv.gql(`query($id: ID!) { contact(id: $id) { id } }`, { id: "not an id!" }, me.token), "id");
    // A well-formed ID of the right type that names nothing is NOT_FOUND, as with node(id:).
    const missing = Buffer.from("Ticket:00000000-0000-4000-8000-000000000000").toString("base64");
    const res = await srv.gql<{ ticket: unknown }>(`query($id: ID!) { ticket(id: $id) { id } }`, { id: missing }, me.token);
    expect(res.data).toEqual({ ticket: null });
    expect(res.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[["ticket"], "NOT_FOUND"]]);
  });

  it("malformed and mistyped IDs", async () => {
    const me = await srv.signUp();
    const malformed = await srv.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: "not an id!" }, me.token);
    expectBadInput(malformed, "id");

    const mistyped = await srv.gql(
      `mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { deletedId } }`,
      { input: { id: me.workspaceId } },
      me.token,
    );
    expectBadInput(mistyped, "id");

    const inList = await srv.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [me.userId, "%%%"] }, me.token);
    expectBadInput(inList, "ids.1");

    const tooMany = await srv.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: Array(101).fill(me.userId) }, me.token);
    expectBadInput(tooMany, "ids");

    const badWorkspace = await srv.gql(`mutation($input: LogInInput!) { logIn(input: $input) { token } }`, {
      input: { email: me.email, password: me.password, workspaceId: "nope" },
    });
    expectBadInput(badWorkspace, "workspaceId");
  });

  it("a NUL character anywhere, in variables or in the query text, is BAD_USER_INPUT naming the field", async () => {
    const me = await srv.signUp();
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [`mutation($i: CreateTopicInput!) { createTopic(input: $i) { topic { id } } }`, { i: { name: "a\u0000b" } }, "name"],
      [`mutation($i: LogInInput!) { logIn(input: $i) { token } }`, { i: { email: "x\u0000@example.com", password: "whatever" } }, "email"],
      [`query($f: TicketFilter) { tickets(filter: $f) { totalCount } }`, { f: { search: "abc\u0000" } }, "search"],
      [
        `mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { id } } }`,
        { i: { contactUrn: "tel:+250788000001", idempotencyKey: "k\u0000" } },
        "idempotencyKey",
      ],
      [`mutation { createTopic(input: { name: "a\\u0000b" }) { topic { id } } }`, {}, "name"],
    ];
    for (const [query, variables, field] of cases) {
      const res = await srv.gql(query, variables, me.token);
      expectBadInput(res, field);
    }
    const topics = await srv.gql<{ topics: unknown[] }>(`{ topics { id } }`, {}, me.token);
    expect(topics.data?.topics).toHaveLength(1);
  });

  it("a cursor of the Open Tickets group's contacts that it never gave out", async () => {
    const me = await srv.signUp();
    const forged = (parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString("base64");
    for (const after of [forged(["abc", "xyz"]), forged(["1", "not-a-uuid"]), forged([1e30, "01234567-89ab-7def-8123-456789abcdef"])]) {
      const res = await srv.gql(`query($a: String) { contactGroups { contacts(after: $a) { nodes { id } } } }`, { a: after }, me.token);
      expectBadInput(res, "after");
    }
  });

  it("a contact field key given twice: each value is checked, and the last one counts", async () => {
    const me = await srv.signUp();
    await srv.gql(`mutation { createContactField(input: { name: "Plan", type: TEXT }) { userErrors { code } } }`, {}, me.token);
    const created = await srv.gql<{ createContact: { contact: { id: string } } }>(
      `mutation { createContact(input: { urns: ["ext:twice"] }) { contact { id } } }`,
      {},
      me.token,
    );
    const res = await srv.gql<{ setContactFields: { contact: { field: { value: string } } } }>(
      `mutation($i: SetContactFieldsInput!) { setContactFields(input: $i) { contact { field(key: "plan") { value } } userErrors { code } } }`,
      {
        i: {
          contactId: created.data!.createContact.contact.id,
          values: [
            { key: "plan", value: "a" },
            { key: "plan", value: "b" },
          ],
        },
      },
      me.token,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.setContactFields.contact.field.value).toBe("b");
  });

  it("names the field in the same two forms in a userError and in a top-level error: a list (fieldPath) and dotted (fieldName, extensions.field)", async () => {
    const me = await srv.signUp();
    await srv.gql(`mutation { createContactField(input: { name: "Seats", type: NUMBER }) { userErrors { code } } }`, {}, me.token);
    const created = await srv.gql<{ createContact: { contact: { id: string } } }>(
      `mutation { createContact(input: { urns: ["ext:forms"] }) { contact { id } } }`,
      {},
      me.token,
    );
    const contactId = created.data!.createContact.contact.id;
    const userError = await srv.gql<{ setContactFields: { userErrors: unknown[] } }>(
      `mutation($i: SetContactFieldsInput!) { setContactFields(input: $i) { userErrors { code field fieldPath fieldName } } }`,
      { i: { contactId, values: [{ key: "seats", value: "many" }] } },
      me.token,
    );
    expect(userError.data!.setContactFields.userErrors).toEqual([
      { code: "INVALID_VALUE", field: ["values", "0", "value"], fieldPath: ["values", "0", "value"], fieldName: "values.0.value" },
    ]);
    const topLevel = await srv.gql(
      `mutation($i: SetContactFieldsInput!) { setContactFields(input: $i) { userErrors { code } } }`,
      { i: { contactId, values: [{ key: "seats", value: "1" }, { key: 5, value: "1" }] } },
      me.token,
    );
    expect(topLevel.errors?.[0].extensions).toEqual({ code: "BAD_USER_INPUT", field: "values.1.key", fieldPath: ["values", "1", "key"] });
    // One function reads both.
    const pathOf = (e: { fieldPath?: string[] | null; extensions?: { fieldPath?: string[] } }) => e.fieldPath ?? e.extensions?.fieldPath;
    expect(pathOf(topLevel.errors![0] as { extensions?: { fieldPath?: string[] } })).toEqual(["values", "1", "key"]);
    expect(pathOf(userError.data!.setContactFields.userErrors[0] as { fieldPath: string[] })).toEqual(["values", "0", "value"]);
  });

  it("a body in a character set other than UTF-8 is 415 saying so, never an internal error", async () => {
    const res = await fetch(srv.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json; charset=latin1" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(res.status).toBe(415);
    const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0].extensions.code).toBe("BAD_REQUEST");
    expect(body.errors[0].message).toMatch(/UTF-8/);
  });

  it("an overlong API token name leaves the token list as it was", async () => {
    const me = await srv.signUp();
    const res = await srv.gql(
      `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`,
      { input: { name: "n".repeat(101) } },
      me.token,
    );
    expectBadInput(res, "name");
    const list = await srv.gql<{ apiTokens: unknown[] }>(`{ apiTokens { id } }`, {}, me.token);
    expect(list.data?.apiTokens).toEqual([]);
  });
});
