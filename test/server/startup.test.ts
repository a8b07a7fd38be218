/**
 * Start and stop, as an operator sees them, with the server as its own process: a port that is
 * taken stops the start before anything is written, with one line naming the port and the
 * settings; a DATA_DIR that cannot be used is one line naming DATA_DIR, the folder and the cause;
 * an idle server stops on SIGTERM at once, with exit code 0, on either database.
 *
 * NODE_ENV is unset in the servers started here, as in production (jest sets it to "test").
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { embeddedTemplate } from "../../src/startup/data-dir";
import { createTestDatabase } from "../support/database";
import { call, runToExit, spawnServer, type ServerProcess } from "../support/server-process";

let scratch: string;
const servers: ServerProcess[] = [];
const drops: Array<() => Promise<void>> = [];

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), "handover-startup-"));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop("SIGKILL")));
  await Promise.all(drops.map((drop) => drop()));
  rmSync(scratch, { recursive: true, force: true });
});

/** Every line a failed start wrote, stdout and stderr together. */
const linesOf = (run: { stdout: string; stderr: string }): string[] =>
  `${run.stdout}${run.stderr}`
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);

/** Holds a port on 127.0.0.1, as another program would. */
async function occupyPort(): Promise<{ port: number; release(): Promise<void> }> {
  const holder: Server = createServer();
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
  const { port } = holder.address() as { port: number };
  return { port, release: () => new Promise<void>((resolve) => holder.close(() => resolve())) };
}

async function freshDatabase(label: string): Promise<string> {
  const database = await createTestDatabase(label);
  drops.push(() => database.drop());
  return database.url;
}

describe("a port that is taken", () => {
  it("on the embedded database: one line naming the port, PORT and HOST; exit 1; DATA_DIR untouched", async () => {
    const taken = await occupyPort();
    const dataDir = path.join(scratch, "port-taken");
    try {
      const run = await runToExit({ PORT: String(taken.port), DATA_DIR: dataDir, DATABASE_URL: undefined, NODE_ENV: undefined });
      expect(run.code).toBe(1);
      expect(linesOf(run)).toEqual([
        `Handover failed to start: port ${taken.port} on 127.0.0.1 (PORT=${taken.port}, HOST=127.0.0.1) is already in use, perhaps by another Handover: stop it, or set PORT to a free port`,
      ]);
      // Nothing was written: no database, no first administrator.
      expect(existsSync(dataDir)).toBe(false);
      expect(run.ms).toBeLessThan(15_000);
    } finally {
      await taken.release();
    }
  }, 60_000);

  it("on PostgreSQL: the database is left as it was, without migrations or a first administrator", async () => {
    const url = await freshDatabase("porttaken");
    const taken = await occupyPort();
    try {
      const run = await runToExit({ PORT: String(taken.port), DATABASE_URL: url, NODE_ENV: undefined });
      expect(run.code).toBe(1);
      expect(linesOf(run)).toEqual([
        expect.stringMatching(new RegExp(`^Handover failed to start: port ${taken.port} .*PORT=${taken.port}`)),
      ]);
      expect(run.stdout).not.toContain("First administrator created");
    } finally {
      await taken.release();
    }
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(
        "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
      );
      expect(Number(rows[0].n)).toBe(0);
    } finally {
      await client.end();
    }
  }, 60_000);
});

describe("a DATA_DIR that cannot be used", () => {
  it("cannot be created (a parent is a file): one line naming DATA_DIR, the folder and the cause", async () => {
    const file = path.join(scratch, "a-file");
    writeFileSync(file, "");
    const dataDir = path.join(file, "data");
    const run = await runToExit({ DATA_DIR: dataDir, DATABASE_URL: undefined, NODE_ENV: undefined });
    expect(run.code).toBe(1);
    expect(linesOf(run)).toEqual([
      `Handover failed to start: DATA_DIR=${dataDir}: the folder ${dataDir}/pglite cannot be created (ENOTDIR: not a directory, mkdir '${dataDir}'); set DATA_DIR to a folder this user may write`,
    ]);
  }, 60_000);

  it("held by another running server: one line naming DATA_DIR and that server's process", async () => {
    const dataDir = path.join(scratch, "shared");
    const first = await spawnServer({ DATA_DIR: dataDir, DATABASE_URL: undefined, NODE_ENV: undefined });
    servers.push(first);
    const run = await runToExit({ DATA_DIR: dataDir, DATABASE_URL: undefined, NODE_ENV: undefined });
    expect(run.code).toBe(1);
    expect(linesOf(run)).toEqual([
      `Handover failed to start: DATA_DIR=${dataDir}: the embedded database in ${dataDir}/pglite is in use by another running Handover (process ${first.proc.pid}); stop it, or give this server its own DATA_DIR (or a DATABASE_URL)`,
    ]);
    // The first server was not disturbed.
    await expect(call(first.url, "{ __typename }")).resolves.toEqual({ __typename: "Query" });
    expect(await first.stop("SIGTERM")).toBe(0);
  }, 120_000);
});

describe("SIGTERM on an idle server", () => {
  const stopsAtOnce = async (env: Record<string, string | undefined>) => {
    const server = await spawnServer({ ...env, NODE_ENV: undefined });
    servers.push(server);
    // A client that keeps its connection open between requests, as browsers and most clients do.
    await call(server.url, "{ __typename }");
    const started = Date.now();
    const code = await server.stop("SIGTERM");
    const ms = Date.now() - started;
    expect({ code, fast: ms < 1000 }).toEqual({ code: 0, fast: true });
    expect(server.output()).not.toMatch(/shutdown took too long/);
  };

  it("stops in under a second with exit code 0 on the embedded database", async () => {
    await stopsAtOnce({ DATA_DIR: path.join(scratch, "stop-embedded"), DATABASE_URL: undefined });
  }, 120_000);

  it("stops in under a second with exit code 0 on PostgreSQL", async () => {
    await stopsAtOnce({ DATABASE_URL: await freshDatabase("sigterm") });
  }, 120_000);
});

describe("a brand-new DATA_DIR", () => {
  const systemIdentifier = (cluster: string) =>
    readFileSync(path.join(cluster, "global", "pg_control"))
      .subarray(0, 8)
      .toString("hex");

  it("starts from the cluster the build initialised (dist/pglite-template) instead of running initdb", async () => {
    const template = embeddedTemplate();
    // npm install and npm start build it (scripts/build.mjs); `npm run build` makes it by hand.
    expect(template).toBeDefined();
    const dataDir = path.join(scratch, "from-template");
    const server = await spawnServer({ DATA_DIR: dataDir, DATABASE_URL: undefined });
    servers.push(server);
    await expect(call(server.url, "{ __typename }")).resolves.toEqual({ __typename: "Query" });
    expect(await server.stop("SIGTERM")).toBe(0);
    expect(systemIdentifier(path.join(dataDir, "pglite"))).toBe(systemIdentifier(template as string));
    expect(readdirSync(path.join(dataDir, "pglite")).filter((f) => f.startsWith(".template-"))).toEqual([]);
  }, 120_000);

  it("runs initdb when the template is not a cluster, and never copies over a cluster that is there", async () => {
    const notACluster = path.join(scratch, "not-a-cluster");
    mkdirSync(notACluster);
    const dataDir = path.join(scratch, "initdb");
    // PGlite loads node built-ins with dynamic import(), which jest's sandbox refuses: in a child process.
    const openAndClose = (template: string | undefined) =>
      new Promise<void>((resolve, reject) => {
        const script = `require(${JSON.stringify(path.resolve(__dirname, "..", "..", "src", "db", "embedded.ts"))})
          .startEmbeddedDatabase(${JSON.stringify({ dataDir, maxConnections: 2, template })})
          .then((db) => db.stop()).then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });`;
        execFile(
          process.execPath,
          ["-r", "@swc-node/register", "-e", script],
          { cwd: path.resolve(__dirname, "..", "..") },
          (error, _out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve()),
        );
      });
    await openAndClose(notACluster);
    const identifier = systemIdentifier(dataDir);
    const template = embeddedTemplate();
    expect(template).toBeDefined();
    expect(identifier).not.toBe(systemIdentifier(template as string));
    await openAndClose(template);
    expect(systemIdentifier(dataDir)).toBe(identifier);
  }, 120_000);
});
