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
  it("refuses an operation that HTTP would refuse before running it with HTTP's code, for that operation only", async () => {
    const socket = connection(srv.wsUrl, me.token);
    expect(await socket.connected()).toBe(true);
    const refusal = (payload: { query: string; variables?: Record<string, unknown> }) =>
      new Promise<unknown>((resolve, reject) => {
        socket.client.subscribe(payload, {
          next: () => reject(new Error("ran")),
          error: resolve,
          complete: () => reject(new Error("ran")),
        });
      });
    const aliases = Array.from({ length: 101 }, (_, i) => `a${i}: viewer { role }`).join(" ");
    const cases: Array<[{ query: string; variables?: Record<string, unknown> }, Record<string, unknown>]> = [
      [{ query: "{ tickets(first: 10) { nodes { id " }, { code: "GRAPHQL_PARSE_FAILED" }],
      [
        { query: "query($x: Int) { tickets(first: $x) { nodes { id } } }", variables: { x: "a" } },
        { code: "BAD_USER_INPUT", field: "x", fieldPath: ["x"] },
      ],
      [{ query: "subscription { nope }" }, { code: "GRAPHQL_VALIDATION_FAILED" }],
      [{ query: "query A { viewer { role } } query B { viewer { role } }" }, { code: "OPERATION_RESOLUTION_FAILURE" }],
      [{ query: `{ ${aliases} }` }, { code: "TOO_MANY_ALIASES", limit: 100, requested: 101 }],
    ];
    for (const [payload, extensions] of cases) {
      const errors = (await refusal(payload)) as Array<{ extensions: Record<string, unknown> }>;
      expect([payload.query.slice(0, 40), errors[0].extensions]).toEqual([payload.query.slice(0, 40), extensions]);
    }
    // The socket is still open and serves the next operation.
    const answer = await new Promise<unknown>((resolve, reject) => {
      let result: unknown;
      socket.client.subscribe(
        { query: "{ viewer { role } }" },
        { next: (v) => (result = v), error: reject, complete: () => resolve(result) },
      );
    });
    expect(answer).toEqual({ data: { viewer: { role: "ADMINISTRATOR" } } });
    expect(socket.closeCode()).toBeUndefined();
    await socket.stop();
  });

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
