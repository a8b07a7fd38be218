import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { loadConfig } from "../../src/config";
import { startServer, type RunningServer } from "../../src/server";
import { checkResponse } from "./clean-response";
import { createTestDatabase } from "./database";

export interface GqlResponse<T> {
  data?: T;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
  status: number;
  headers: Headers;
}

export interface SignedUp {
  token: string;
  email: string;
  password: string;
  userId: string;
  workspaceId: string;
}

export interface TestServer {
  /** http://127.0.0.1:PORT */
  url: string;
  graphqlUrl: string;
  wsUrl: string;
  server: RunningServer;
  /** Every structured log line the server wrote. */
  logs: string[];
  /** What the server printed for the terminal (the bootstrap administrator). */
  announced: string[];
  databaseUrl: string;
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResponse<T>>;
  signUp(opts?: { email?: string; password?: string; name?: string; workspaceName?: string }): Promise<SignedUp>;
  close(): Promise<void>;
}

let counter = 0;

/** A data folder for the embedded database, removed with the server. */
function embeddedDatabase(): { url: string; dataDir: string; drop(): Promise<void> } {
  const dataDir = mkdtempSync(path.join(tmpdir(), "handover-embedded-"));
  return { url: "", dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
}

/**
 * A real server on a random port over its own fresh database, as a client would meet it: a
 * PostgreSQL database of its own, or with `embedded`, the embedded database (no DATABASE_URL) in
 * a data folder of its own, as `npm start` runs on a machine without PostgreSQL.
 */
export async function startTestServer(overrides: Record<string, string> = {}, options: { embedded?: boolean } = {}): Promise<TestServer> {
  const label =
    expect
      .getState()
      .testPath?.split("/")
      .pop()
      ?.replace(/\.test\.ts$/, "") ?? "t";
  const database = options.embedded ? embeddedDatabase() : await createTestDatabase(label);
  // Ticket exports write their files here, removed with the server.
  const exportDir = mkdtempSync(path.join(tmpdir(), "handover-exports-"));
  const logs: string[] = [];
  const announced: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      if (process.env.TEST_LOG) process.stderr.write(chunk);
      done();
    },
  });
  const config = loadConfig({
    ...("dataDir" in database ? { DATA_DIR: database.dataDir } : { DATABASE_URL: database.url }),
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    EXPOSE_SQL_COUNT: "true",
    HANDOVER_ADMIN_PASSWORD: "bootstrap-password",
    DB_POOL_SIZE: "10",
    // Tests send many requests a second with one token, and fail logIns on purpose from one
    // address: the rate limit is off and the logIn throttle out of reach unless a test sets them.
    RATE_LIMIT_PER_SECOND: "0",
    LOGIN_MAX_FAILURES: "1000",
    EXPORT_DIR: exportDir,
    // The suite's second pass runs the HTTP suites with the fast path off (jest.config.js).
    ...(process.env.GRAPHQL_FAST_PATH ? { GRAPHQL_FAST_PATH: process.env.GRAPHQL_FAST_PATH } : {}),
    ...overrides,
  });
  const log = pino({ level: config.logLevel }, sink);
  const server = await startServer(config, { log, announce: (lines) => announced.push(...lines) });
  const origin = `http://127.0.0.1:${server.port}`;

  /** What answers of this server showed that no answer may: a stack, SQL, field paths that disagree. */
  const unclean: string[] = [];
  const gql = async <T>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResponse<T>> => {
    const sent = JSON.stringify({ query, variables });
    const response = await fetch(`${origin}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: sent,
    });
    const text = await response.text();
    const checked = checkResponse(response.status, response.headers.get("content-type"), text, sent, { secrets: [] });
    const insides = checked.problems.filter((p) => /^(stack trace|SQL|extensions\.)/.test(p));
    if (insides.length > 0) unclean.push(`${query.slice(0, 120)}: ${insides.join("; ")}`);
    const body = JSON.parse(text) as Omit<GqlResponse<T>, "status" | "headers">;
    return { ...body, status: response.status, headers: response.headers };
  };

  const signUp = async (opts: { email?: string; password?: string; name?: string; workspaceName?: string } = {}): Promise<SignedUp> => {
    counter += 1;
    const email = opts.email ?? `user${counter}-${Math.random().toString(36).slice(2, 8)}@example.com`;
    const password = opts.password ?? "correct horse battery";
    const result = await gql<{
      signUp: { token: string | null; viewer: { user: { id: string }; workspace: { id: string } } | null; userErrors: unknown[] };
    }>(
      `mutation($input: SignUpInput!) { signUp(input: $input) { token viewer { user { id } workspace { id } } userErrors { code message } } }`,
      { input: { email, password, name: opts.name ?? "Test User", workspaceName: opts.workspaceName ?? "Test Workspace" } },
    );
    const payload = result.data?.signUp;
    if (!payload?.token || !payload.viewer) throw new Error(`signUp failed: ${JSON.stringify(result)}`);
    return { token: payload.token, email, password, userId: payload.viewer.user.id, workspaceId: payload.viewer.workspace.id };
  };

  return {
    url: origin,
    graphqlUrl: `${origin}/graphql`,
    wsUrl: `ws://127.0.0.1:${server.port}/graphql`,
    server,
    logs,
    announced,
    databaseUrl: database.url,
    gql,
    signUp,
    async close() {
      await server.close();
      await database.drop();
      rmSync(exportDir, { recursive: true, force: true });
      // Every statement the suite's requests issued had to bind its workspace: the guard logs
      // any it refused, and a refused statement anywhere fails the file that caused it.
      const refused = logs.filter((line) => line.includes("refused a statement on tenant table"));
      if (refused.length > 0) throw new Error(`tenant guard refused statements:\n${refused.join("\n")}`);
      // Inside a mutation's transaction every statement goes through its connection: a read that
      // reached for a second one is refused and logged, and fails the file that caused it.
      const second = logs.filter((line) => line.includes("a second database connection was asked for"));
      if (second.length > 0) throw new Error(`statements asked for a second connection inside a transaction:\n${second.join("\n")}`);
      // Every answer a test read through gql was held to what any answer must look like.
      if (unclean.length > 0) throw new Error(`answers showed what no answer may:\n${unclean.join("\n")}`);
    },
  };
}
