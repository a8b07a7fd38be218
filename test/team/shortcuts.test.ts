import { randomUUID } from "node:crypto";
import { ok, team, uuid } from "../support/fixtures";
import { startTestServer, type TestServer } from "../support/harness";

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});

const LIST = `query($search: String) { shortcuts(search: $search) { id name text } }`;
const CREATE = `mutation($i: CreateShortcutInput!) { createShortcut(input: $i) { shortcut { id name text } userErrors { code field } } }`;
const UPDATE = `mutation($i: UpdateShortcutInput!) { updateShortcut(input: $i) { shortcut { id name text } userErrors { code field } } }`;
const DELETE = `mutation($i: DeleteShortcutInput!) { deleteShortcut(input: $i) { deletedId userErrors { code field } } }`;

interface Shortcut {
  id: string;
  name: string;
  text: string;
}
interface Payload {
  shortcut: Shortcut | null;
  userErrors: Array<{ code: string; field: string[] | null }>;
}

async function create(token: string, name: string, text = `text of ${name}`): Promise<Payload> {
  return (await ok<{ createShortcut: Payload }>(srv, CREATE, { i: { name, text } }, token)).createShortcut;
}

async function update(token: string, input: Record<string, unknown>): Promise<Payload> {
  return (await ok<{ updateShortcut: Payload }>(srv, UPDATE, { i: input }, token)).updateShortcut;
}

async function list(token: string, search?: string): Promise<Shortcut[]> {
  return (await ok<{ shortcuts: Shortcut[] }>(srv, LIST, { search }, token)).shortcuts;
}

describe("shortcuts", () => {
  it("administrators and editors manage them; agents read them and are FORBIDDEN to manage them", async () => {
    const { admin, editor, agent } = await team(srv);
    const byAdmin = await create(admin.token, "Greeting", "Hello, how can I help?");
    expect(byAdmin).toEqual({ shortcut: { id: expect.any(String), name: "Greeting", text: "Hello, how can I help?" }, userErrors: [] });
    const byEditor = await create(editor.token, "Bye", "Have a nice day!");
    expect(byEditor.shortcut?.name).toBe("Bye");

    expect(await list(agent.token)).toEqual([byEditor.shortcut, byAdmin.shortcut]);
    const node = await ok<{ node: Shortcut }>(
      srv,
      `query($id: ID!) { node(id: $id) { ... on Shortcut { id name text } } }`,
      { id: byAdmin.shortcut!.id },
      agent.token,
    );
    expect(node.node).toEqual(byAdmin.shortcut);

    for (const [query, input] of [
      [CREATE, { name: "Nope", text: "x" }],
      [UPDATE, { id: byAdmin.shortcut!.id, text: "changed" }],
      [DELETE, { id: byAdmin.shortcut!.id }],
    ] as const) {
      const res = await srv.gql(query, { i: input }, agent.token);
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
    }
    expect(await list(admin.token)).toEqual([byEditor.shortcut, byAdmin.shortcut]);

    const updated = await update(editor.token, { id: byAdmin.shortcut!.id, text: "Hi there!" });
    expect(updated.shortcut).toEqual({ ...byAdmin.shortcut, text: "Hi there!" });
    const deleted = await ok<{ deleteShortcut: { deletedId: string } }>(srv, DELETE, { i: { id: byEditor.shortcut!.id } }, editor.token);
    expect(deleted.deleteShortcut).toEqual({ deletedId: byEditor.shortcut!.id, userErrors: [] });
    expect(await list(agent.token)).toEqual([updated.shortcut]);
  });

  it("needs a token", async () => {
    for (const [query, variables] of [
      [LIST, {}],
      [CREATE, { i: { name: "x", text: "x" } }],
    ] as const) {
      const res = await srv.gql(query, variables);
      expect(res.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    }
  });

  it("names are trimmed, 1 to 64 characters on one line, unique ignoring case; texts are trimmed, 1 to 10,000 characters", async () => {
    const { admin } = await team(srv);
    const created = await create(admin.token, "  Refund policy  ", "\n  Refunds take 5 days.  \n");
    expect(created.shortcut).toMatchObject({ name: "Refund policy", text: "Refunds take 5 days." });
    expect(await create(admin.token, "REFUND POLICY")).toEqual({ shortcut: null, userErrors: [{ code: "NAME_TAKEN", field: ["name"] }] });
    expect((await create(admin.token, "x".repeat(64), "y".repeat(10_000))).shortcut?.text).toHaveLength(10_000);

    for (const [name, text, field] of [
      ["", "text", "name"],
      ["   ", "text", "name"],
      ["x".repeat(65), "text", "name"],
      ["two\nlines", "text", "name"],
      ["tab\there", "text", "name"],
      ["ok", "", "text"],
      ["ok", " \n ", "text"],
      ["ok", "y".repeat(10_001), "text"],
    ]) {
      const res = await srv.gql(CREATE, { i: { name, text } }, admin.token);
      expect(res.errors?.[0].extensions).toEqual({ code: "BAD_USER_INPUT", field, fieldPath: field.split(".") });
    }
    expect(await list(admin.token)).toHaveLength(2);
  });

  it("updates change only what is given; renaming onto another name is NAME_TAKEN, and null is BAD_USER_INPUT", async () => {
    const { editor } = await team(srv);
    const a = (await create(editor.token, "Alpha", "first")).shortcut!;
    const b = (await create(editor.token, "Beta", "second")).shortcut!;

    expect((await update(editor.token, { id: a.id, name: " ALPHA " })).shortcut).toEqual({ ...a, name: "ALPHA" });
    expect((await update(editor.token, { id: a.id, text: "  new text " })).shortcut).toEqual({ ...a, name: "ALPHA", text: "new text" });
    expect((await update(editor.token, { id: a.id })).shortcut).toEqual({ ...a, name: "ALPHA", text: "new text" });
    expect(await update(editor.token, { id: b.id, name: "alpha", text: "lost" })).toEqual({
      shortcut: null,
      userErrors: [{ code: "NAME_TAKEN", field: ["name"] }],
    });
    for (const [input, field] of [
      [{ id: b.id, name: null }, "name"],
      [{ id: b.id, text: null }, "text"],
      [{ id: b.id, name: "" }, "name"],
      [{ id: b.id, text: "z".repeat(10_001) }, "text"],
      [{ id: "not an id", text: "x" }, "id"],
      [{ id: Buffer.from(`Topic:${uuid(b.id)}`).toString("base64"), text: "x" }, "id"],
    ] as const) {
      const res = await srv.gql(UPDATE, { i: input }, editor.token);
      expect(res.errors?.[0].extensions).toEqual({ code: "BAD_USER_INPUT", field, fieldPath: field.split(".") });
    }
    expect(await list(editor.token)).toEqual([
      { ...a, name: "ALPHA", text: "new text" },
      { ...b, name: "Beta", text: "second" },
    ]);
  });

  it("another workspace's shortcuts, and deleted ones, are NOT_FOUND", async () => {
    const { admin } = await team(srv);
    const mine = (await create(admin.token, "Mine")).shortcut!;
    const stranger = (await team(srv)).editor;
    expect(await list(stranger.token)).toEqual([]);
    expect(await update(stranger.token, { id: mine.id, text: "stolen" })).toEqual({
      shortcut: null,
      userErrors: [{ code: "NOT_FOUND", field: ["id"] }],
    });
    const foreignDelete = await ok<{ deleteShortcut: unknown }>(srv, DELETE, { i: { id: mine.id } }, stranger.token);
    expect(foreignDelete.deleteShortcut).toEqual({ deletedId: null, userErrors: [{ code: "NOT_FOUND", field: ["id"] }] });
    const node = await srv.gql<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id } }`, { id: mine.id }, stranger.token);
    expect(node.data?.node).toBeNull();
    expect(node.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    // The stranger could take the name in their own workspace.
    expect((await create(stranger.token, "Mine")).shortcut).not.toBeNull();

    expect(
      (await ok<{ deleteShortcut: { deletedId: string } }>(srv, DELETE, { i: { id: mine.id } }, admin.token)).deleteShortcut.deletedId,
    ).toBe(mine.id);
    expect(await update(admin.token, { id: mine.id, text: "again" })).toEqual({
      shortcut: null,
      userErrors: [{ code: "NOT_FOUND", field: ["id"] }],
    });
    const again = await ok<{ deleteShortcut: unknown }>(srv, DELETE, { i: { id: mine.id } }, admin.token);
    expect(again.deleteShortcut).toEqual({ deletedId: null, userErrors: [{ code: "NOT_FOUND", field: ["id"] }] });
    // A deleted shortcut's name is free again.
    expect((await create(admin.token, "mine")).shortcut?.name).toBe("mine");
  });

  it("search matches the name or the text, ignoring case, as a plain substring of 3 to 100 characters; lists are by name", async () => {
    const { admin, agent } = await team(srv);
    await create(admin.token, "zebra Opening", "Good morning! How can we help?");
    await create(admin.token, "apology", "We are SORRY for the delay.");
    await create(admin.token, "Closing", "Anything else? 100% done_here");
    await create(admin.token, "Banana", "yellow");

    const names = async (search?: string) => (await list(agent.token, search)).map((s) => s.name);
    expect(await names()).toEqual(["apology", "Banana", "Closing", "zebra Opening"]);
    expect(await names("OPEN")).toEqual(["zebra Opening"]);
    expect(await names("sorry")).toEqual(["apology"]);
    expect(await names("  sorry  ")).toEqual(["apology"]);
    expect(await names("ing")).toEqual(["Closing", "zebra Opening"]);
    // Wildcards are literal text.
    expect(await names("0% d")).toEqual(["Closing"]);
    expect(await names("e_h")).toEqual(["Closing"]);
    expect(await names("a%a")).toEqual([]);
    expect(await names("___")).toEqual([]);
    // A match never spans the end of the name and the start of the text.
    expect(await names("ana yel")).toEqual([]);
    expect(await names("nothing like it")).toEqual([]);

    for (const search of ["", "  ", "ab", " ab ", "x".repeat(101)]) {
      const res = await srv.gql(LIST, { search }, agent.token);
      expect(res.errors?.[0].extensions).toEqual({ code: "BAD_USER_INPUT", field: "search", fieldPath: ["search"] });
    }
  });

  it("a workspace has at most 1,000 shortcuts, also when they are created concurrently", async () => {
    const { admin } = await team(srv);
    const workspaceId = uuid(admin.workspaceId);
    // Fill the workspace to two below the limit directly, then race seven creates for the last two places.
    await srv.server.db.query(
      `INSERT INTO shortcuts (id, workspace_id, name, text)
       SELECT gen_random_uuid(), $1, 'filler ' || n, 'text' FROM generate_series(1, 998) n`,
      [workspaceId],
    );
    const results = await Promise.all(Array.from({ length: 7 }, (_, i) => create(admin.token, `Racer ${i} ${randomUUID()}`)));
    expect(results.filter((r) => r.shortcut !== null)).toHaveLength(2);
    expect(results.filter((r) => r.userErrors[0]?.code === "LIMIT_REACHED")).toHaveLength(5);
    expect(await list(admin.token)).toHaveLength(1000);

    // Deleting one frees a place; updating at the limit still works.
    const made = results.find((r) => r.shortcut !== null)!.shortcut!;
    expect((await update(admin.token, { id: made.id, text: "still editable" })).shortcut?.text).toBe("still editable");
    await ok(srv, DELETE, { i: { id: made.id } }, admin.token);
    expect((await create(admin.token, "One more")).shortcut?.name).toBe("One more");
    expect((await create(admin.token, "One too many")).userErrors).toEqual([{ code: "LIMIT_REACHED", field: null }]);
  });

  it("concurrent creates of one name make one shortcut", async () => {
    const { admin, editor } = await team(srv);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => create(i % 2 ? admin.token : editor.token, i % 2 ? "Same name" : "SAME NAME")),
    );
    expect(results.filter((r) => r.shortcut !== null)).toHaveLength(1);
    expect(results.filter((r) => r.userErrors[0]?.code === "NAME_TAKEN")).toHaveLength(5);
  });
});
