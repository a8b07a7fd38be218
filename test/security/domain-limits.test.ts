import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { addMember, ok, updateMember, uuid } from "../support/fixtures";
import { type SignedUp, startTestServer, type TestServer } from "../support/harness";

/**
 * What a workspace, a member or a user may hold at most, each refused past its limit with
 * LIMIT_REACHED, also under concurrent requests: these bounds are the ones the cost model counts
 * for their lists (test/bounded-lists.test.ts). And a member who leaves, or an administrator who
 * loses the role, leaves no pending invitation behind.
 */

let srv: TestServer;
let dataDir: string;
let admin: SignedUp;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "handover-limits-"));
  srv = await startTestServer({ DATA_DIR: dataDir });
  admin = await srv.signUp();
});
afterAll(async () => {
  await srv.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const sql = <T>(text: string, params: unknown[] = []) => srv.server.db.query<T[]>(text, params);
const codes = (payload: { userErrors: Array<{ code: string }> }) => payload.userErrors.map((e) => e.code);

describe("API tokens", () => {
  const CREATE = `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token apiToken { id } userErrors { code } } }`;
  type Created = { createApiToken: { token: string | null; apiToken: { id: string } | null; userErrors: Array<{ code: string }> } };

  it("a member holds at most 25 that work, even when 40 are asked for at once; a revoked one makes room", async () => {
    const member = await addMember(srv, admin.workspaceId, "AGENT");
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => ok<Created>(srv, CREATE, { i: { name: `integration ${i}` } }, member.token)),
    );
    const made = answers.filter((a) => a.createApiToken.token);
    expect(made).toHaveLength(25);
    for (const refused of answers.filter((a) => !a.createApiToken.token)) {
      expect(refused.createApiToken).toEqual({ token: null, apiToken: null, userErrors: [{ code: "LIMIT_REACHED" }] });
    }
    const { apiTokens } = await ok<{ apiTokens: unknown[] }>(srv, `{ apiTokens { id } }`, {}, member.token);
    expect(apiTokens).toHaveLength(25);
    await ok(
      srv,
      `mutation($i: RevokeApiTokenInput!) { revokeApiToken(input: $i) { deletedId } }`,
      { i: { id: made[0].createApiToken.apiToken!.id } },
      member.token,
    );
    expect((await ok<Created>(srv, CREATE, { i: { name: "one more" } }, member.token)).createApiToken.token).toEqual(expect.any(String));
  });
});

describe("a workspace", () => {
  const workspace = () => uuid(admin.workspaceId);

  it("registers at most 1,000 flows; an already registered one is still returned", async () => {
    await sql(
      `INSERT INTO flows (id, workspace_id, name, external_id) SELECT gen_random_uuid(), $1, 'Flow ' || n, 'seeded-' || n FROM generate_series(1, 999) n`,
      [workspace()],
    );
    const REGISTER = `mutation($i: RegisterFlowInput!) { registerFlow(input: $i) { flow { externalId } userErrors { code field } } }`;
    type Registered = { registerFlow: { flow: { externalId: string } | null; userErrors: Array<{ code: string; field: string[] }> } };
    const answers = await Promise.all(
      ["last-a", "last-b", "last-c"].map((externalId) => ok<Registered>(srv, REGISTER, { i: { name: "Last", externalId } }, admin.token)),
    );
    expect(answers.filter((a) => a.registerFlow.flow)).toHaveLength(1);
    expect(answers.flatMap((a) => a.registerFlow.userErrors)).toEqual([
      { code: "LIMIT_REACHED", field: ["externalId"] },
      { code: "LIMIT_REACHED", field: ["externalId"] },
    ]);
    const again = await ok<Registered>(srv, REGISTER, { i: { name: "Again", externalId: "seeded-7" } }, admin.token);
    expect(again.registerFlow).toEqual({ flow: { externalId: "seeded-7" }, userErrors: [] });
  });

  it("has at most 100 teams", async () => {
    await sql(
      `INSERT INTO teams (id, workspace_id, name, all_topics) SELECT gen_random_uuid(), $1, 'Team ' || n, true FROM generate_series(1, 99) n`,
      [workspace()],
    );
    const CREATE = `mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } userErrors { code } } }`;
    const answers = await Promise.all(
      ["A", "B", "C"].map((name) =>
        ok<{ createTeam: { team: unknown; userErrors: Array<{ code: string }> } }>(
          srv,
          CREATE,
          { i: { name, allTopics: true } },
          admin.token,
        ),
      ),
    );
    expect(answers.filter((a) => a.createTeam.team)).toHaveLength(1);
    expect(answers.flatMap((a) => codes(a.createTeam))).toEqual(["LIMIT_REACHED", "LIMIT_REACHED"]);
  });

  it("has at most 1,000 pending invitations", async () => {
    await sql(
      `INSERT INTO invitations (id, workspace_id, email, role, token_hash, invited_by_id, expires_at)
       SELECT gen_random_uuid(), $1, 'seeded' || n || '@example.com', 'AGENT', sha256(n::text::bytea), $2, now() + interval '1 day'
         FROM generate_series(1, 999) n`,
      [workspace(), uuid(admin.userId)],
    );
    const INVITE = `mutation($i: InviteMemberInput!) { inviteMember(input: $i) { invitation { id } userErrors { code } } }`;
    const answers = await Promise.all(
      ["x", "y", "z"].map((n) =>
        ok<{ inviteMember: { invitation: unknown; userErrors: Array<{ code: string }> } }>(
          srv,
          INVITE,
          { i: { email: `limit-${n}@example.com`, role: "AGENT" } },
          admin.token,
        ),
      ),
    );
    expect(answers.filter((a) => a.inviteMember.invitation)).toHaveLength(1);
    expect(answers.flatMap((a) => codes(a.inviteMember))).toEqual(["LIMIT_REACHED", "LIMIT_REACHED"]);
    await sql(`DELETE FROM invitations WHERE workspace_id = $1 AND email LIKE 'seeded%'`, [workspace()]);
  });
});

describe("a user", () => {
  it("belongs to at most 100 workspaces: signing up again past that is LIMIT_REACHED", async () => {
    const user = await srv.signUp({ password: "many workspaces" });
    const workspaces = Array.from({ length: 99 }, () => randomUUID());
    await sql(`INSERT INTO workspaces (id, name) SELECT unnest($1::uuid[]), 'Seeded'`, [workspaces]);
    await sql(`INSERT INTO memberships (id, workspace_id, user_id, role) SELECT gen_random_uuid(), unnest($1::uuid[]), $2, 'AGENT'`, [
      workspaces,
      uuid(user.userId),
    ]);
    const res = await srv.gql<{ signUp: { token: string | null; userErrors: Array<{ code: string }> } }>(
      `mutation($i: SignUpInput!) { signUp(input: $i) { token userErrors { code } } }`,
      { i: { email: user.email, password: "many workspaces", name: "Again", workspaceName: "One too many" } },
    );
    expect(res.data?.signUp).toEqual({ token: null, userErrors: [{ code: "LIMIT_REACHED" }] });
    const [{ n }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM memberships WHERE user_id = $1`, [uuid(user.userId)]);
    expect(n).toBe(100);
  });
});

describe("the invitations a member sent", () => {
  const INVITE = `mutation($i: InviteMemberInput!) { inviteMember(input: $i) { invitation { id } userErrors { code } } }`;
  const pendingOf = async (userId: string) =>
    (
      await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM invitations WHERE invited_by_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL`,
        [uuid(userId)],
      )
    )[0].n;

  it("are revoked when the member is removed: a departing administrator leaves no way back in", async () => {
    const departing = await addMember(srv, admin.workspaceId, "ADMINISTRATOR", "departing");
    await ok(srv, INVITE, { i: { email: `way-back-${Date.now()}@example.com`, role: "ADMINISTRATOR" } }, departing.token);
    expect(await pendingOf(departing.userId)).toBe(1);
    const { members } = await ok<{ members: Array<{ id: string; user: { id: string } }> }>(
      srv,
      `{ members { id user { id } } }`,
      {},
      admin.token,
    );
    await ok(
      srv,
      `mutation($i: RemoveMemberInput!) { removeMember(input: $i) { deletedId userErrors { code } } }`,
      { i: { id: members.find((m) => m.user.id === departing.userId)!.id } },
      admin.token,
    );
    expect(await pendingOf(departing.userId)).toBe(0);
  });

  it("are all revoked even when sent while the member is being removed: none is left to come back through", async () => {
    const departing = await addMember(srv, admin.workspaceId, "ADMINISTRATOR", "racing");
    const { members } = await ok<{ members: Array<{ id: string; user: { id: string } }> }>(
      srv,
      `{ members { id user { id } } }`,
      {},
      admin.token,
    );
    const memberId = members.find((m) => m.user.id === departing.userId)!.id;
    const invites = Array.from({ length: 30 }, (_, i) =>
      srv.gql(INVITE, { i: { email: `race-${i}-${Date.now()}@example.com`, role: "ADMINISTRATOR" } }, departing.token),
    );
    await new Promise((r) => setTimeout(r, 15));
    await ok(srv, `mutation($i: RemoveMemberInput!) { removeMember(input: $i) { deletedId } }`, { i: { id: memberId } }, admin.token);
    const answers = await Promise.all(invites);
    // Each was made before the removal (and revoked by it) or refused after it.
    for (const res of answers) {
      const code = res.errors?.[0]?.extensions?.code;
      if (code !== undefined) expect(["FORBIDDEN", "UNAUTHENTICATED"]).toContain(code);
    }
    expect(await pendingOf(departing.userId)).toBe(0);
  });

  it("are revoked when an administrator is demoted, and only theirs", async () => {
    const demoted = await addMember(srv, admin.workspaceId, "ADMINISTRATOR", "demoted");
    await ok(srv, INVITE, { i: { email: `demoted-${Date.now()}@example.com`, role: "EDITOR" } }, demoted.token);
    await ok(srv, INVITE, { i: { email: `kept-${Date.now()}@example.com`, role: "EDITOR" } }, admin.token);
    const keptBefore = await pendingOf(admin.userId);
    await updateMember(srv, admin.token, demoted.userId, { role: "EDITOR" });
    expect(await pendingOf(demoted.userId)).toBe(0);
    expect(await pendingOf(admin.userId)).toBe(keptBefore);
  });
});
