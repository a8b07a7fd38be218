import { bindSqlScope, checkStatement, currentSqlScope, runInSqlScope, TenantScopeError, unscoped } from "../../src/db/sql-scope";
import { startTestServer, type TestServer } from "../support/harness";

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});

const W = "0193a0a0-0000-7000-8000-000000000001";

describe("the statement guard", () => {
  it("refuses a tenant-table statement that does not bind the request's workspace", () => {
    runInSqlScope("r1", () => {
      bindSqlScope(W);
      expect(() => checkStatement(`SELECT * FROM memberships WHERE user_id = $1`, ["u"])).toThrow(TenantScopeError);
      expect(() => checkStatement(`UPDATE "api_tokens" SET revoked_at = now()`, [])).toThrow(TenantScopeError);
      expect(() => checkStatement(`SELECT * FROM memberships WHERE workspace_id = $1`, ["another"])).toThrow(TenantScopeError);
      expect(() => checkStatement(`SELECT * FROM memberships WHERE workspace_id = $1`, [W])).not.toThrow();
      expect(() => checkStatement(`SELECT * FROM users WHERE id = $1`, ["u"])).not.toThrow();
      expect(currentSqlScope()?.counter.statements).toBe(5);
    });
  });

  it("lets identity lookups through only when they are marked as crossing workspaces", async () => {
    await runInSqlScope("r2", async () => {
      bindSqlScope(W);
      await unscoped(async () => {
        expect(() => checkStatement(`SELECT * FROM memberships WHERE user_id = $1`, ["u"])).not.toThrow();
      });
      expect(() => checkStatement(`SELECT * FROM memberships WHERE user_id = $1`, ["u"])).toThrow(TenantScopeError);
    });
  });

  it("stops the statement before it reaches the database", async () => {
    const me = await srv.signUp();
    const before = await srv.server.db.query(`SELECT role FROM memberships ORDER BY id`);
    await runInSqlScope("r3", async () => {
      bindSqlScope(W);
      // TypeORM wraps it in its QueryFailedError; the message is the guard's.
      await expect(srv.server.db.query(`UPDATE memberships SET role = 'AGENT'`)).rejects.toThrow(
        /refused a statement on tenant table "memberships"/,
      );
    });
    expect(await srv.server.db.query(`SELECT role FROM memberships ORDER BY id`)).toEqual(before);
    expect(me.token).toBeTruthy();
  });
});

describe("requests", () => {
  it("count every statement, authentication included, and expose the count to tests", async () => {
    const me = await srv.signUp();
    const res = await srv.gql(`{ viewer { role } }`, {}, me.token);
    expect(res.headers.get("x-sql-statements")).toBe("1");
    // Authentication is remembered for a few seconds (AUTH_CACHE_MS): this request reads members and users only.
    const members = await srv.gql(`{ members { role user { email } } }`, {}, me.token);
    expect(members.headers.get("x-sql-statements")).toBe("2");
  });

  it("carry a request id", async () => {
    const res = await srv.gql(`{ __typename }`);
    expect(res.headers.get("x-request-id")).toMatch(/^[\w-]{8,}$/);
  });
});
