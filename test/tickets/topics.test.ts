import { ok, team, uuid } from "../support/fixtures";
import { startTestServer, type TestServer } from "../support/harness";

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});

const CREATE = `mutation($i: CreateTopicInput!) { createTopic(input: $i) { topic { id name isSystem openCount } userErrors { code field } } }`;
const UPDATE = `mutation($i: UpdateTopicInput!) { updateTopic(input: $i) { topic { id name } userErrors { code field } } }`;
const DELETE = `mutation($i: DeleteTopicInput!) { deleteTopic(input: $i) { deletedId userErrors { code field } } }`;
type Created = { createTopic: { topic: { id: string; name: string } | null; userErrors: Array<{ code: string; field: string[] }> } };

describe("topics", () => {
  it("every workspace has the system topic General, which cannot be renamed or deleted", async () => {
    const { admin } = await team(srv);
    const { topics } = await ok<{ topics: Array<{ id: string; name: string; isSystem: boolean; openCount: number }> }>(
      srv,
      `{ topics { id name isSystem openCount } }`,
      {},
      admin.token,
    );
    expect(topics).toEqual([{ id: expect.any(String), name: "General", isSystem: true, openCount: 0 }]);
    const rename = await ok<{ updateTopic: { userErrors: Array<{ code: string }> } }>(
      srv,
      UPDATE,
      { i: { id: topics[0].id, name: "Other" } },
      admin.token,
    );
    expect(rename.updateTopic.userErrors).toEqual([{ code: "SYSTEM_TOPIC", field: ["id"] }]);
    const del = await ok<{ deleteTopic: { userErrors: Array<{ code: string }> } }>(srv, DELETE, { i: { id: topics[0].id } }, admin.token);
    expect(del.deleteTopic.userErrors).toEqual([{ code: "SYSTEM_TOPIC", field: ["id"] }]);
  });

  it("names are trimmed, 1 to 64 characters, without quotes or backslashes, and unique ignoring case", async () => {
    const { editor } = await team(srv);
    const created = await ok<Created>(srv, CREATE, { i: { name: "  Billing  " } }, editor.token);
    expect(created.createTopic.topic?.name).toBe("Billing");
    const taken = await ok<Created>(srv, CREATE, { i: { name: "BILLING" } }, editor.token);
    expect(taken.createTopic.userErrors).toEqual([{ code: "NAME_TAKEN", field: ["name"] }]);
    const general = await ok<Created>(srv, CREATE, { i: { name: "general" } }, editor.token);
    expect(general.createTopic.userErrors[0].code).toBe("NAME_TAKEN");
    for (const name of ["", "   ", "x".repeat(65), 'say "hi"', "back\\slash"]) {
      const res = await srv.gql(CREATE, { i: { name } }, editor.token);
      expect(res.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "name", fieldPath: ["name"] });
    }
    const renamed = await ok<{ updateTopic: { topic: { name: string } } }>(
      srv,
      UPDATE,
      { i: { id: created.createTopic.topic!.id, name: "Payments" } },
      editor.token,
    );
    expect(renamed.updateTopic.topic.name).toBe("Payments");
    const { topics } = await ok<{ topics: Array<{ name: string }> }>(srv, `{ topics { name } }`, {}, editor.token);
    expect(topics.map((t) => t.name)).toEqual(["General", "Payments"]);
  });

  it("allows 50 topics besides General, even when created concurrently", async () => {
    const { admin } = await team(srv);
    const results = await Promise.all(
      Array.from({ length: 55 }, (_, i) => ok<Created>(srv, CREATE, { i: { name: `Topic ${i}` } }, admin.token)),
    );
    const made = results.filter((r) => r.createTopic.topic !== null);
    expect(made).toHaveLength(50);
    expect(results.filter((r) => r.createTopic.userErrors[0]?.code === "LIMIT_REACHED")).toHaveLength(5);
    // Deleting one frees a place.
    await ok(srv, DELETE, { i: { id: made[0].createTopic.topic!.id } }, admin.token);
    const again = await ok<Created>(srv, CREATE, { i: { name: "One more" } }, admin.token);
    expect(again.createTopic.topic?.name).toBe("One more");
  });

  it("a topic with any ticket, open or closed, cannot be deleted; an unused one can, and a deleted name is free again", async () => {
    const { admin } = await team(srv);
    const used = await ok<Created>(srv, CREATE, { i: { name: "Used" } }, admin.token);
    const topicId = used.createTopic.topic!.id;
    const opened = await ok<{ openTicket: { ticket: { id: string } } }>(
      srv,
      `mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { id } } }`,
      { i: { contactUrn: "tel:+250788000001", topicId } },
      admin.token,
    );
    await ok(
      srv,
      `mutation($i: CloseTicketsInput!) { closeTickets(input: $i) { tickets { id } } }`,
      { i: { ticketIds: [opened.openTicket.ticket.id] } },
      admin.token,
    );
    const inUse = await ok<{ deleteTopic: { userErrors: Array<{ code: string }> } }>(srv, DELETE, { i: { id: topicId } }, admin.token);
    expect(inUse.deleteTopic.userErrors).toEqual([{ code: "TOPIC_IN_USE", field: ["id"] }]);

    // A topic a ticket only passed through was filed under too: its events name it.
    const passed = (await ok<Created>(srv, CREATE, { i: { name: "Passed through" } }, admin.token)).createTopic.topic!.id;
    const moved = await ok<{ openTicket: { ticket: { id: string } } }>(
      srv,
      `mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { id } } }`,
      { i: { contactUrn: "tel:+250788000002" } },
      admin.token,
    );
    const MOVE = `mutation($i: ChangeTicketTopicInput!) { changeTicketTopic(input: $i) { failures { code } } }`;
    await ok(srv, MOVE, { i: { ticketIds: [moved.openTicket.ticket.id], topicId: passed } }, admin.token);
    await ok(srv, MOVE, { i: { ticketIds: [moved.openTicket.ticket.id], topicId } }, admin.token);
    const history = await ok<{ deleteTopic: { userErrors: Array<{ code: string }> } }>(srv, DELETE, { i: { id: passed } }, admin.token);
    expect(history.deleteTopic.userErrors).toEqual([{ code: "TOPIC_IN_USE", field: ["id"] }]);

    const unused = await ok<Created>(srv, CREATE, { i: { name: "Unused" } }, admin.token);
    const deleted = await ok<{ deleteTopic: { deletedId: string } }>(srv, DELETE, { i: { id: unused.createTopic.topic!.id } }, admin.token);
    expect(deleted.deleteTopic.deletedId).toBe(unused.createTopic.topic!.id);
    const node = await srv.gql<{ node: unknown }>(
      `query($id: ID!) { node(id: $id) { id } }`,
      { id: deleted.deleteTopic.deletedId },
      admin.token,
    );
    expect(node.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    const reused = await ok<Created>(srv, CREATE, { i: { name: "unused" } }, admin.token);
    expect(reused.createTopic.topic).not.toBeNull();
    expect(uuid(reused.createTopic.topic!.id)).not.toBe(uuid(unused.createTopic.topic!.id));
  });

  it("agents read topics but cannot create, rename or delete them; other workspaces' topics are NOT_FOUND", async () => {
    const { admin, agent } = await team(srv);
    const topic = (await ok<Created>(srv, CREATE, { i: { name: "Sales" } }, admin.token)).createTopic.topic!;
    const list = await ok<{ topics: Array<{ name: string }> }>(srv, `{ topics { name } }`, {}, agent.token);
    expect(list.topics.map((t) => t.name)).toEqual(["General", "Sales"]);
    for (const [query, input] of [
      [CREATE, { name: "Nope" }],
      [UPDATE, { id: topic.id, name: "Nope" }],
      [DELETE, { id: topic.id }],
    ] as const) {
      const res = await srv.gql(query, { i: input }, agent.token);
      expect(res.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    }
    const stranger = await srv.signUp();
    const foreign = await ok<{ updateTopic: { userErrors: Array<{ code: string }> } }>(
      srv,
      UPDATE,
      { i: { id: topic.id, name: "Mine" } },
      stranger.token,
    );
    expect(foreign.updateTopic.userErrors[0].code).toBe("NOT_FOUND");
    const foreignDelete = await ok<{ deleteTopic: { userErrors: Array<{ code: string }> } }>(
      srv,
      DELETE,
      { i: { id: topic.id } },
      stranger.token,
    );
    expect(foreignDelete.deleteTopic.userErrors[0].code).toBe("NOT_FOUND");
    const node = await srv.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: topic.id }, stranger.token);
    expect(node.errors?.[0].extensions?.code).toBe("NOT_FOUND");
  });
});
