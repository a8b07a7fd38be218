import { addMember, removeMember } from "../support/fixtures";
import { startTestServer, type SignedUp, type TestServer } from "../support/harness";
import { connection } from "../support/subscriber";

let srv: TestServer;
let me: SignedUp;
beforeAll(async () => {
  srv = await startTestServer();
  me = await srv.signUp();
});
afterAll(async () => {
  await srv?.close();
});

/** Opens a socket with the given connection_init payload; resolves with its close code, or "open". */
async function connect(
  payload: Record<string, unknown> | undefined,
): Promise<{ code: number | "open"; reason?: string; run: <T>(query: string) => Promise<T>; dispose: () => Promise<void> }> {
  const socket = connection(srv.wsUrl, undefined, { connectionParams: payload });
  if (!(await socket.connected()))
    return {
      code: socket.closeCode()!,
      reason: socket.closeReason(),
      run: () => Promise.reject(new Error("closed")),
      dispose: socket.stop,
    };
  return {
    code: "open",
    run: <T>(query: string) =>
      new Promise<T>((ok, fail) => {
        let result: unknown;
        socket.client.subscribe({ query }, { next: (v) => (result = v), error: fail, complete: () => ok(result as T) });
      }),
    dispose: socket.stop,
  };
}

describe("GraphQL over WebSocket on /graphql", () => {
  it("accepts a connection whose connection_init carries a good token, and serves operations on it", async () => {
    const conn = await connect({ Authorization: `Bearer ${me.token}` });
    expect(conn.code).toBe("open");
    const result = await conn.run<{ data: { viewer: { user: { email: string } } } }>(`{ viewer { user { email } } }`);
    expect(result.data.viewer.user.email).toBe(me.email);
    await conn.dispose();
  });

  it.each([
    ["a bad token", { Authorization: "Bearer hov_nope" }],
    ["a malformed header", { Authorization: "Basic abc" }],
    ["no token", {}],
  ])("closes with 4403 and the reason UNAUTHENTICATED for %s", async (_label, payload) => {
    const conn = await connect(payload);
    expect([conn.code, conn.reason]).toEqual([4403, "UNAUTHENTICATED"]);
    await conn.dispose();
  });

  it("closes with 4403 and the reason UNAUTHENTICATED for a token its user logged out", async () => {
    const other = await srv.signUp();
    await srv.gql(`mutation { logOut }`, {}, other.token);
    const conn = await connect({ Authorization: `Bearer ${other.token}` });
    expect([conn.code, conn.reason]).toEqual([4403, "UNAUTHENTICATED"]);
    await conn.dispose();
  });

  it("closes with 4403 and the reason MEMBER_REMOVED for the token of someone removed from the workspace", async () => {
    const removed = await addMember(srv, me.workspaceId, "AGENT");
    await removeMember(srv, me.token, removed.userId);
    const conn = await connect({ Authorization: `Bearer ${removed.token}` });
    expect([conn.code, conn.reason]).toEqual([4403, "MEMBER_REMOVED"]);
    await conn.dispose();
  });
});
