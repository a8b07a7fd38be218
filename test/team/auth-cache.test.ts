/**
 * Who a token acts for is remembered for AUTH_CACHE_MS, and forgotten as soon as a change to
 * the workspace's tokens, members or teams is announced: by this process, or by another one
 * through the feed channel. A change nobody announced (made by hand in the database) takes
 * effect within AUTH_CACHE_MS.
 */
import { ActorCache } from "../../src/auth/actor-cache";
import type { Actor } from "../../src/context";
import { addMember, ok, uuid } from "../support/fixtures";
import { startTestServer, type SignedUp, type TestServer } from "../support/harness";

let a: TestServer;
let b: TestServer;
let admin: SignedUp;
const TTL = 600;

beforeAll(async () => {
  a = await startTestServer({ AUTH_CACHE_MS: String(TTL) });
  // A second server on the same database, as another process behind the load balancer would be.
  b = await startTestServer({ AUTH_CACHE_MS: String(TTL), DATABASE_URL: a.databaseUrl, HANDOVER_ADMIN_PASSWORD: "" });
  admin = await a.signUp();
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

const statements = async (srv: TestServer, token: string) => {
  const res = await srv.gql<{ viewer: { role: string } }>(`{ viewer { role } }`, {}, token);
  return { code: res.errors?.[0]?.extensions?.code, role: res.data?.viewer.role, sql: Number(res.headers.get("x-sql-statements")) };
};

describe("authentication", () => {
  it("is read once, then remembered: a second request within AUTH_CACHE_MS runs no statement for it", async () => {
    const me = await addMember(a, admin.workspaceId, "EDITOR");
    expect(await statements(a, me.token)).toEqual({ code: undefined, role: "EDITOR", sql: 1 });
    expect(await statements(a, me.token)).toEqual({ code: undefined, role: "EDITOR", sql: 0 });
  });

  it("a logOut takes effect on the very next request, on this process and, once it hears of it, on another", async () => {
    const me = await addMember(a, admin.workspaceId, "EDITOR");
    await statements(a, me.token);
    await statements(b, me.token);
    await ok(a, `mutation { logOut }`, {}, me.token);
    expect((await statements(a, me.token)).code).toBe("UNAUTHENTICATED");
    // B hears of it through NOTIFY, well before its remembered answer would expire.
    const started = Date.now();
    let code: unknown;
    for (let i = 0; i < 100 && code !== "UNAUTHENTICATED"; i++) code = (await statements(b, me.token)).code;
    expect(code).toBe("UNAUTHENTICATED");
    expect(Date.now() - started).toBeLessThan(TTL);
  });

  it("a role change applies to the next request", async () => {
    const me = await addMember(a, admin.workspaceId, "AGENT");
    expect((await statements(a, me.token)).role).toBe("AGENT");
    const members = await ok<{ members: Array<{ id: string; user: { id: string } }> }>(
      a,
      `{ members { id user { id } } }`,
      {},
      admin.token,
    );
    const id = members.members.find((m) => m.user.id === me.userId)!.id;
    await ok(
      a,
      `mutation($i: UpdateMemberInput!) { updateMember(input: $i) { member { id } } }`,
      { i: { id, role: "EDITOR" } },
      admin.token,
    );
    expect((await statements(a, me.token)).role).toBe("EDITOR");
  });

  it("a token revoked by hand in the database, with no announcement, stops working within AUTH_CACHE_MS", async () => {
    const me = await addMember(a, admin.workspaceId, "EDITOR");
    await statements(a, me.token);
    await a.server.db.query(`UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1`, [uuid(me.userId)]);
    const revokedAt = Date.now();
    let code: unknown;
    while (code !== "UNAUTHENTICATED" && Date.now() - revokedAt < TTL * 3) {
      code = (await statements(a, me.token)).code;
      if (code !== "UNAUTHENTICATED") await new Promise((r) => setTimeout(r, 50));
    }
    expect(code).toBe("UNAUTHENTICATED");
    expect(Date.now() - revokedAt).toBeLessThan(TTL + 500);
  });
});

describe("ActorCache", () => {
  const actor = (workspaceId: string): Actor => ({
    userId: "u",
    membershipId: "m",
    workspaceId,
    role: "EDITOR" as Actor["role"],
    tokenId: "t",
    tokenKind: "SESSION" as Actor["tokenKind"],
    canAssign: true,
    canReplyToOthers: true,
    teamId: null,
    topicIds: null,
  });

  it("does not remember a lookup that a change overtook", () => {
    const cache = new ActorCache(1000);
    const generation = cache.begin();
    cache.forget("w1");
    cache.set("k", actor("w1"), generation, 0);
    expect(cache.get("k", 1)).toBeUndefined();
    cache.set("k", actor("w1"), cache.begin(), 0);
    expect(cache.get("k", 1)?.workspaceId).toBe("w1");
  });

  it("forgets one workspace's entries, or all; expires; hands out copies; stays within its size", () => {
    const cache = new ActorCache(1000, 2);
    cache.set("a", actor("w1"), cache.begin(), 0);
    cache.set("b", actor("w2"), cache.begin(), 0);
    cache.forget("w1");
    expect([cache.get("a", 1), cache.get("b", 1)?.workspaceId]).toEqual([undefined, "w2"]);
    cache.get("b", 1)!.role = "AGENT" as Actor["role"];
    expect(cache.get("b", 1)?.role).toBe("EDITOR");
    expect(cache.get("b", 1000)).toBeUndefined();
    for (const key of ["c", "d", "e"]) cache.set(key, actor("w3"), cache.begin(), 2000);
    expect(["c", "d", "e"].filter((k) => cache.get(k, 2001))).toEqual(["d", "e"]);
    cache.forget(undefined);
    expect(cache.get("e", 2001)).toBeUndefined();
    expect(new ActorCache(0).enabled).toBe(false);
  });
});
