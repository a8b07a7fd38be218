import { ok, team } from "../support/fixtures";
import { type SignedUp, startTestServer, type TestServer } from "../support/harness";

/** updateWorkspace: administrators rename the workspace and set its time zone (an IANA name, default UTC). */

const UPDATE = `mutation($i: UpdateWorkspaceInput!) { updateWorkspace(input: $i) { workspace { id name timezone } userErrors { code field } } }`;
const READ = `{ viewer { workspace { name timezone } } }`;

let srv: TestServer;
let admin: SignedUp;
let editor: SignedUp;
let agent: SignedUp;

beforeAll(async () => {
  srv = await startTestServer();
  ({ admin, editor, agent } = await team(srv));
});
afterAll(() => srv.close());

const read = async () =>
  (await ok<{ viewer: { workspace: { name: string; timezone: string } } }>(srv, READ, {}, agent.token)).viewer.workspace;

describe("updateWorkspace", () => {
  it("starts in UTC; sets a time zone by its IANA name, in any case, and keeps what it is not given", async () => {
    const before = await read();
    expect(before.timezone).toBe("UTC");
    const set = await ok<{ updateWorkspace: { workspace: { name: string; timezone: string } } }>(
      srv,
      UPDATE,
      { i: { timezone: " africa/kigali " } },
      admin.token,
    );
    expect(set.updateWorkspace.workspace).toMatchObject({ name: before.name, timezone: "Africa/Kigali" });
    await ok(srv, UPDATE, { i: { name: "  Support desk  " } }, admin.token);
    expect(await read()).toEqual({ name: "Support desk", timezone: "Africa/Kigali" });
    await ok(srv, UPDATE, { i: { timezone: "utc" } }, admin.token);
    expect((await read()).timezone).toBe("UTC");
    // As the database spells it, not ICU's older name (Europe/Kiev).
    await ok(srv, UPDATE, { i: { timezone: "europe/kyiv" } }, admin.token);
    expect((await read()).timezone).toBe("Europe/Kyiv");
  });

  it("refuses what is not a zone name, or a blank name, as BAD_USER_INPUT naming the field, and changes nothing", async () => {
    await ok(srv, UPDATE, { i: { name: "Desk", timezone: "Europe/Paris" } }, admin.token);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ timezone: "+01:00" }, "timezone"],
      // IANA names, but offsets with POSIX's reversed sign: Etc/GMT+1 is an hour behind UTC.
      [{ timezone: "Etc/GMT+1" }, "timezone"],
      [{ timezone: "gmt-3" }, "timezone"],
      [{ timezone: "Mars/Olympus_Mons" }, "timezone"],
      [{ timezone: "" }, "timezone"],
      [{ timezone: "Europe/Paris; DROP TABLE workspaces" }, "timezone"],
      [{ timezone: "x".repeat(65) }, "timezone"],
      [{ name: "   " }, "name"],
      [{ name: "\u200b\u200b" }, "name"],
      [{ name: "n".repeat(65) }, "name"],
    ];
    for (const [input, field] of cases) {
      const res = await srv.gql(UPDATE, { i: input }, admin.token);
      expect([input, res.errors?.[0].extensions]).toEqual([input, expect.objectContaining({ code: "BAD_USER_INPUT", field })]);
    }
    // A name Node knows but the database does not: the statistics could not count its days.
    const unknown = await ok<{ updateWorkspace: unknown }>(srv, UPDATE, { i: { timezone: "SystemV/AST4" } }, admin.token);
    expect(unknown.updateWorkspace).toEqual({ workspace: null, userErrors: [{ code: "INVALID_VALUE", field: ["timezone"] }] });
    expect(await read()).toEqual({ name: "Desk", timezone: "Europe/Paris" });
  });

  it("is for administrators: editors and agents are FORBIDDEN, and another workspace is its own administrator's", async () => {
    for (const member of [editor, agent]) {
      const res = await srv.gql(UPDATE, { i: { timezone: "Asia/Tokyo" } }, member.token);
      expect(res.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    }
    const stranger = await srv.signUp();
    await ok(srv, UPDATE, { i: { timezone: "Asia/Tokyo" } }, stranger.token);
    expect((await read()).timezone).not.toBe("Asia/Tokyo");
  });
});
