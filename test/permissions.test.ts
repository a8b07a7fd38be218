import { getDirective } from "@graphql-tools/utils";
import { isObjectType } from "graphql";
import { addMember } from "./support/fixtures";
import { startTestServer, type SignedUp, type TestServer } from "./support/harness";

let srv: TestServer;
let alice: SignedUp;
let mallory: SignedUp;
beforeAll(async () => {
  srv = await startTestServer();
  alice = await srv.signUp({ workspaceName: "Alice's" });
  mallory = await srv.signUp({ workspaceName: "Mallory's" });
});
afterAll(async () => {
  await srv?.close();
});

const T = (type: string) => Buffer.from(`${type}:00000000-0000-7000-8000-000000000000`).toString("base64");
const ZERO_ID = T("ApiToken");

/** One request per restricted operation, with input of the right shape. */
const OPERATIONS: Record<string, { query: string; variables?: Record<string, unknown> }> = {
  "Query.viewer": { query: `{ viewer { role } }` },
  "Query.members": { query: `{ members { id } }` },
  "Query.apiTokens": { query: `{ apiTokens { id } }` },
  "Query.node": { query: `query($id: ID!) { node(id: $id) { id } }`, variables: { id: ZERO_ID } },
  "Query.nodes": { query: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, variables: { ids: [ZERO_ID] } },
  "Query.topics": { query: `{ topics { id } }` },
  "Query.contacts": { query: `{ contacts { totalCount } }` },
  "Query.flows": { query: `{ flows { id } }` },
  "Query.tickets": { query: `{ tickets { totalCount } }` },
  "Query.ticketCounts": { query: `{ ticketCounts { folders { open } } }` },
  "Query.ticketEvents": { query: `{ ticketEvents { nodes { id } } }` },
  "Mutation.logOut": { query: `mutation { logOut }` },
  "Mutation.createApiToken": { query: `mutation { createApiToken(input: { name: "x" }) { token } }` },
  "Mutation.revokeApiToken": {
    query: `mutation($id: ID!) { revokeApiToken(input: { id: $id }) { deletedId } }`,
    variables: { id: ZERO_ID },
  },
  "Mutation.createTopic": { query: `mutation { createTopic(input: { name: "x" }) { topic { id } } }` },
  "Mutation.updateTopic": {
    query: `mutation($id: ID!) { updateTopic(input: { id: $id, name: "x" }) { topic { id } } }`,
    variables: { id: T("Topic") },
  },
  "Mutation.deleteTopic": { query: `mutation($id: ID!) { deleteTopic(input: { id: $id }) { deletedId } }`, variables: { id: T("Topic") } },
  "Mutation.createContact": { query: `mutation { createContact(input: { urns: [] }) { contact { id } } }` },
  "Mutation.updateContact": {
    query: `mutation($id: ID!) { updateContact(input: { id: $id, name: "x" }) { contact { id } } }`,
    variables: { id: T("Contact") },
  },
  "Mutation.registerFlow": { query: `mutation { registerFlow(input: { name: "x", externalId: "x" }) { flow { id } } }` },
  "Mutation.openTicket": { query: `mutation { openTicket(input: { contactUrn: "tel:+250788000000" }) { ticket { id } } }` },
  "Mutation.assignTickets": {
    query: `mutation($id: ID!) { assignTickets(input: { ticketIds: [$id] }) { tickets { id } } }`,
    variables: { id: T("Ticket") },
  },
  "Mutation.changeTicketTopic": {
    query: `mutation($id: ID!, $t: ID!) { changeTicketTopic(input: { ticketIds: [$id], topicId: $t }) { tickets { id } } }`,
    variables: { id: T("Ticket"), t: T("Topic") },
  },
  "Mutation.closeTickets": {
    query: `mutation($id: ID!) { closeTickets(input: { ticketIds: [$id] }) { tickets { id } } }`,
    variables: { id: T("Ticket") },
  },
  "Mutation.reopenTickets": {
    query: `mutation($id: ID!) { reopenTickets(input: { ticketIds: [$id] }) { tickets { id } } }`,
    variables: { id: T("Ticket") },
  },
  "Mutation.addTicketNote": {
    query: `mutation($id: ID!) { addTicketNote(input: { ticketIds: [$id], note: "x" }) { tickets { id } } }`,
    variables: { id: T("Ticket") },
  },
  "Mutation.sendMessage": {
    query: `mutation($id: ID!) { sendMessage(input: { ticketId: $id, text: "x" }) { message { id } } }`,
    variables: { id: T("Ticket") },
  },
  "Mutation.receiveMessage": { query: `mutation { receiveMessage(input: { urn: "tel:+250788000000", text: "x" }) { message { id } } }` },
  "Mutation.updateMessageStatus": {
    query: `mutation($id: ID!) { updateMessageStatus(input: { id: $id, status: SENT }) { message { id } } }`,
    variables: { id: T("Message") },
  },
  "Query.contactFields": { query: `{ contactFields { id } }` },
  "Query.contactGroups": { query: `{ contactGroups { count } }` },
  "Mutation.createContactField": { query: `mutation { createContactField(input: { name: "x", type: TEXT }) { contactField { id } } }` },
  "Mutation.updateContactField": {
    query: `mutation($id: ID!) { updateContactField(input: { id: $id, name: "x" }) { contactField { id } } }`,
    variables: { id: T("ContactField") },
  },
  "Mutation.deleteContactField": {
    query: `mutation($id: ID!) { deleteContactField(input: { id: $id }) { deletedId } }`,
    variables: { id: T("ContactField") },
  },
  "Mutation.setContactFields": {
    query: `mutation($id: ID!) { setContactFields(input: { contactId: $id, values: [] }) { contact { id } } }`,
    variables: { id: T("Contact") },
  },
  "Mutation.updateNotepad": {
    query: `mutation($id: ID!) { updateNotepad(input: { contactId: $id, text: "x" }) { contact { id } } }`,
    variables: { id: T("Contact") },
  },
  "Query.shortcuts": { query: `{ shortcuts { id } }` },
  "Mutation.createShortcut": { query: `mutation { createShortcut(input: { name: "x", text: "x" }) { shortcut { id } } }` },
  "Mutation.updateShortcut": {
    query: `mutation($id: ID!) { updateShortcut(input: { id: $id, text: "x" }) { shortcut { id } } }`,
    variables: { id: T("Shortcut") },
  },
  "Mutation.deleteShortcut": {
    query: `mutation($id: ID!) { deleteShortcut(input: { id: $id }) { deletedId } }`,
    variables: { id: T("Shortcut") },
  },
  "Query.triggers": { query: `{ triggers { id } }` },
  "Query.flowStarts": { query: `{ flowStarts { id } }` },
  "Mutation.createTrigger": {
    query: `mutation { createTrigger(input: { type: TICKET_CLOSED, flowExternalId: "x" }) { trigger { id } } }`,
  },
  "Mutation.deleteTrigger": {
    query: `mutation($id: ID!) { deleteTrigger(input: { id: $id }) { deletedId } }`,
    variables: { id: T("Trigger") },
  },
  "Query.teams": { query: `{ teams { id topics { id } } }` },
  "Mutation.createTeam": { query: `mutation { createTeam(input: { name: "x", allTopics: true }) { team { id } } }` },
  "Mutation.updateTeam": {
    query: `mutation($id: ID!) { updateTeam(input: { id: $id, name: "y" }) { team { id } } }`,
    variables: { id: T("Team") },
  },
  "Mutation.deleteTeam": { query: `mutation($id: ID!) { deleteTeam(input: { id: $id }) { deletedId } }`, variables: { id: T("Team") } },
  "Mutation.updateMember": {
    query: `mutation($id: ID!) { updateMember(input: { id: $id, role: AGENT }) { member { id } } }`,
    variables: { id: T("Member") },
  },
  "Mutation.removeMember": {
    query: `mutation($id: ID!) { removeMember(input: { id: $id }) { deletedId } }`,
    variables: { id: T("Member") },
  },
  "Query.invitations": { query: `{ invitations { id } }` },
  // A team for an editor is TEAM_NOT_FOR_ROLE before anything is stored or emailed.
  "Mutation.inviteMember": {
    query: `mutation($t: ID!) { inviteMember(input: { email: "x@example.com", role: EDITOR, teamId: $t }) { invitation { id } } }`,
    variables: { t: T("Team") },
  },
  "Mutation.revokeInvitation": {
    query: `mutation($id: ID!) { revokeInvitation(input: { id: $id }) { deletedId } }`,
    variables: { id: T("Invitation") },
  },
};

/** What only administrators may do: editors and agents are FORBIDDEN. */
const EDITOR_DENIED = new Set([
  "Mutation.createTeam",
  "Mutation.updateTeam",
  "Mutation.deleteTeam",
  "Mutation.updateMember",
  "Mutation.removeMember",
  "Query.invitations",
  "Mutation.inviteMember",
  "Mutation.revokeInvitation",
]);

/** DESIGN.md's permission table: what an agent may not do (administrators and editors may). */
const AGENT_DENIED = new Set([
  "Query.flows",
  "Mutation.createTopic",
  "Mutation.updateTopic",
  "Mutation.deleteTopic",
  "Mutation.createContact",
  "Mutation.updateContact",
  "Mutation.registerFlow",
  "Mutation.openTicket",
  "Mutation.receiveMessage",
  "Mutation.updateMessageStatus",
  "Mutation.createContactField",
  "Mutation.updateContactField",
  "Mutation.deleteContactField",
  "Mutation.createShortcut",
  "Mutation.updateShortcut",
  "Mutation.deleteShortcut",
  "Query.triggers",
  "Query.flowStarts",
  "Mutation.createTrigger",
  "Mutation.deleteTrigger",
]);

describe("anonymous clients", () => {
  it("every operation declared with @auth is listed here", () => {
    const restricted: string[] = [];
    for (const type of [srv.server.schema.getQueryType(), srv.server.schema.getMutationType()]) {
      if (!type || !isObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        if (getDirective(srv.server.schema, field, "auth")) restricted.push(`${type.name}.${field.name}`);
      }
    }
    expect(restricted.sort()).toEqual(Object.keys(OPERATIONS).sort());
  });

  it.each(Object.entries(OPERATIONS))("%s is UNAUTHENTICATED without a token, and with a bad one", async (_name, op) => {
    for (const token of [undefined, "hov_not-a-real-token"]) {
      const res = await srv.gql(op.query, op.variables, token);
      expect(res.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    }
  });
});

describe("roles", () => {
  it.each(Object.entries(OPERATIONS))("%s follows the permission table for agents, editors and administrators", async (name, op) => {
    const boss = await srv.signUp();
    const agent = await addMember(srv, boss.workspaceId, "AGENT");
    const editor = await addMember(srv, boss.workspaceId, "EDITOR");
    const codes = async (token: string) => (await srv.gql(op.query, op.variables, token)).errors?.map((e) => e.extensions?.code) ?? [];
    const agentCodes = await codes(agent.token);
    if (AGENT_DENIED.has(name) || EDITOR_DENIED.has(name)) expect(agentCodes).toEqual(["FORBIDDEN"]);
    else expect(agentCodes).not.toContain("FORBIDDEN");
    if (EDITOR_DENIED.has(name)) expect(await codes(editor.token)).toEqual(["FORBIDDEN"]);
    else expect(await codes(editor.token)).not.toContain("FORBIDDEN");
    expect(await codes(boss.token)).not.toContain("FORBIDDEN");
  });
});

describe("another workspace's IDs are NOT_FOUND", () => {
  it("node and nodes", async () => {
    const members = await srv.gql<{ members: Array<{ id: string }> }>(`{ members { id } }`, {}, mallory.token);
    const malloryMember = members.data?.members[0].id as string;
    const created = await srv.gql<{ createApiToken: { apiToken: { id: string } } }>(
      `mutation { createApiToken(input: { name: "m" }) { apiToken { id } } }`,
      {},
      mallory.token,
    );
    const malloryToken = created.data?.createApiToken.apiToken.id as string;

    for (const id of [mallory.workspaceId, mallory.userId, malloryMember, malloryToken]) {
      const res = await srv.gql<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id } }`, { id }, alice.token);
      expect(res.data?.node).toBeNull();
      expect(res.errors).toEqual([expect.objectContaining({ path: ["node"], extensions: { code: "NOT_FOUND" } })]);
    }

    const res = await srv.gql<{ nodes: Array<{ id: string } | null> }>(
      `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
      { ids: [alice.userId, mallory.userId, alice.workspaceId, malloryMember] },
      alice.token,
    );
    expect(res.data?.nodes).toEqual([{ id: alice.userId }, null, { id: alice.workspaceId }, null]);
    expect(res.errors?.map((e) => [e.path, e.extensions?.code]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      [["nodes", 1], "NOT_FOUND"],
      [["nodes", 3], "NOT_FOUND"],
    ]);

    const revoke = await srv.gql<{ revokeApiToken: { deletedId: string | null; userErrors: Array<{ code: string }> } }>(
      `mutation($id: ID!) { revokeApiToken(input: { id: $id }) { deletedId userErrors { code } } }`,
      { id: malloryToken },
      alice.token,
    );
    expect(revoke.data?.revokeApiToken).toEqual({ deletedId: null, userErrors: [{ code: "NOT_FOUND" }] });
  });

  it("a workspace's members are only its own", async () => {
    const res = await srv.gql<{ members: Array<{ role: string; user: { id: string } }> }>(
      `{ members { role user { id } } }`,
      {},
      alice.token,
    );
    expect(res.data?.members).toEqual([{ role: "ADMINISTRATOR", user: { id: alice.userId } }]);
  });
});

describe("API tokens", () => {
  it("work until revoked, are shown once and listed without their secret", async () => {
    const created = await srv.gql<{ createApiToken: { token: string; apiToken: { id: string; name: string; role: string } } }>(
      `mutation { createApiToken(input: { name: "flow engine" }) { token apiToken { id name role lastUsedAt } } }`,
      {},
      alice.token,
    );
    const { token, apiToken } = created.data!.createApiToken;
    expect(apiToken).toMatchObject({ name: "flow engine", role: "ADMINISTRATOR" });

    const viewer = await srv.gql<{ viewer: { user: { id: string } } }>(`{ viewer { user { id } } }`, {}, token);
    expect(viewer.data?.viewer.user.id).toBe(alice.userId);

    const list = await srv.gql<{ apiTokens: Array<Record<string, unknown>> }>(`{ apiTokens { id name lastUsedAt } }`, {}, alice.token);
    expect(list.data?.apiTokens).toEqual([expect.objectContaining({ id: apiToken.id, name: "flow engine" })]);
    expect(list.data?.apiTokens[0].lastUsedAt).not.toBeNull();

    const stored = await srv.server.db.query<Array<{ token_hash: Buffer }>>(`SELECT token_hash FROM api_tokens`);
    for (const row of stored) expect(row.token_hash.toString("utf8")).not.toContain(token.slice(4, 20));

    const revoke = await srv.gql<{ revokeApiToken: { deletedId: string } }>(
      `mutation($id: ID!) { revokeApiToken(input: { id: $id }) { deletedId userErrors { code } } }`,
      { id: apiToken.id },
      alice.token,
    );
    expect(revoke.data?.revokeApiToken.deletedId).toBe(apiToken.id);
    const after = await srv.gql(`{ viewer { role } }`, {}, token);
    expect(after.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    const again = await srv.gql<{ revokeApiToken: { userErrors: Array<{ code: string }> } }>(
      `mutation($id: ID!) { revokeApiToken(input: { id: $id }) { deletedId userErrors { code } } }`,
      { id: apiToken.id },
      alice.token,
    );
    expect(again.data?.revokeApiToken.userErrors).toEqual([{ code: "NOT_FOUND" }]);
  });

  it("session tokens expire after the configured days unused; API tokens do not", async () => {
    const me = await srv.signUp();
    const api = await srv.gql<{ createApiToken: { token: string } }>(
      `mutation { createApiToken(input: { name: "x" }) { token } }`,
      {},
      me.token,
    );
    await srv.server.db.query(
      `UPDATE api_tokens SET created_at = now() - interval '31 days', last_used_at = now() - interval '31 days'
        WHERE user_id = (SELECT id FROM users WHERE email = $1)`,
      [me.email],
    );
    const session = await srv.gql(`{ viewer { role } }`, {}, me.token);
    expect(session.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    const apiStill = await srv.gql<{ viewer: { role: string } }>(`{ viewer { role } }`, {}, api.data?.createApiToken.token);
    expect(apiStill.data?.viewer.role).toBe("ADMINISTRATOR");
  });
});
