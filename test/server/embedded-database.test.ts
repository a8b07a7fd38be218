import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import pg from "pg";
import { DataSource } from "typeorm";
import { InstrumentedClient } from "../../src/db/instrumented-client";

/*
 * The embedded database runs in a child Node process (src/db/embedded.ts loaded through
 * @swc-node/register): PGlite loads node built-ins with dynamic import(), which jest's vm
 * sandbox refuses unless node runs with --experimental-vm-modules. The child also proves that
 * stop() leaves nothing behind: after SIGTERM -> stop() it must exit on its own.
 */
const ROOT = path.resolve(__dirname, "..", "..");
const HOST_SCRIPT = `
const { startEmbeddedDatabase } = require(${JSON.stringify(path.join(ROOT, "src", "db", "embedded.ts"))});
startEmbeddedDatabase({ dataDir: process.env.EMBEDDED_DATA_DIR, maxConnections: 12 }).then(
  (db) => {
    process.stdout.write("READY " + db.url + "\\n");
    process.once("SIGTERM", () => {
      db.stop().then(
        () => process.stdout.write("STOPPED\\n"),
        (err) => { process.stdout.write("STOP FAILED " + err.message + "\\n"); process.exitCode = 1; },
      );
    });
  },
  (err) => { process.stdout.write("FAILED " + err.message + "\\n"); process.exitCode = 1; },
);
`;

interface Host {
  child: ChildProcess;
  /** Resolves with the first line the child prints (READY <url> or FAILED <message>). */
  firstLine: Promise<string>;
  exited: Promise<number | null>;
  output(): string;
}

function spawnHost(dataDir: string): Host {
  const child = spawn(process.execPath, ["-r", "@swc-node/register", "-e", HOST_SCRIPT], {
    cwd: ROOT,
    env: { ...process.env, EMBEDDED_DATA_DIR: dataDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.once("exit", () => reject(new Error(`embedded database host exited early: ${out}`)));
  });
  firstLine.catch(() => undefined);
  child.stderr?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, firstLine, exited, output: () => out };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms).unref())]);
}

describe("embedded database (PGlite over a local socket)", () => {
  let tmp: string;
  let dataDir: string;
  let host: Host;
  let url: string;
  let pool: pg.Pool;
  let poolEnded = false;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "handover-embedded-"));
    dataDir = path.join(tmp, "nested", "pglite"); // parent directories do not exist yet
    host = spawnHost(dataDir);
    const line = await within(host.firstLine, 45_000, "embedded database start"); // first boot (initdb): ~5 s
    expect(line).toMatch(/^READY /);
    url = line.slice("READY ".length);
    pool = new pg.Pool({ connectionString: url, max: 10 });
  }, 60_000);

  afterAll(async () => {
    if (pool && !poolEnded) await pool.end();
    if (host && host.child.exitCode === null) {
      host.child.kill("SIGTERM");
      await within(host.exited, 10_000, "host exit").catch(() => host.child.kill("SIGKILL"));
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("serves a postgres:// URL on 127.0.0.1", () => {
    expect(url).toMatch(/^postgres:\/\/[^@]+@127\.0\.0\.1:\d+\/postgres$/);
  });

  it("runs DDL and parameterised queries through a pg.Pool", async () => {
    await pool.query("CREATE TABLE note (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), body text NOT NULL)");
    const inserted = await pool.query<{ id: string; body: string }>("INSERT INTO note (body) VALUES ($1), ($2) RETURNING id, body", [
      "first note",
      "second note",
    ]);
    expect(inserted.rows.map((r) => r.body)).toEqual(["first note", "second note"]);
    expect(inserted.rows[0].id).toMatch(/^[0-9a-f-]{36}$/);
    const found = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM note WHERE body = $1", ["second note"]);
    expect(found.rows[0].n).toBe(1);
  });

  it("undoes a rolled-back transaction", async () => {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("INSERT INTO note (body) VALUES ($1)", ["rolled back"]);
      expect((await client.query("SELECT count(*)::int AS n FROM note")).rows[0].n).toBe(3);
      await client.query("ROLLBACK");
    } finally {
      client.release();
    }
    const after = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM note WHERE body = $1", ["rolled back"]);
    expect(after.rows[0].n).toBe(0);
  });

  it("has pg_trgm, citext and pgcrypto", async () => {
    await pool.query("CREATE EXTENSION IF NOT EXISTS pg_trgm");
    await pool.query("CREATE EXTENSION IF NOT EXISTS citext");
    await pool.query("CREATE EXTENSION IF NOT EXISTS pgcrypto");
    await pool.query("CREATE INDEX note_body_trgm ON note USING gin (body gin_trgm_ops)");
    const r = await pool.query<{ sim: number; same: boolean; digest: string }>(
      "SELECT similarity($1, $2) AS sim, $3::citext = $4::citext AS same, encode(digest($5, 'sha1'), 'hex') AS digest",
      ["handover", "handovr", "Alice@Example.com", "alice@example.COM", "x"],
    );
    expect(r.rows[0].sim).toBeGreaterThan(0.5);
    expect(r.rows[0].same).toBe(true);
    expect(r.rows[0].digest).toBe("11f6ad8ec52a2984abaafd7c3b516503785c2072");
    const hits = await pool.query("SELECT body FROM note WHERE body % $1", ["frist note"]);
    expect(hits.rows.map((row: { body: string }) => row.body)).toContain("first note");
  });

  it("answers concurrent queries from all pool connections, with large parameters", async () => {
    const big = "x".repeat(300_000); // spans several TCP chunks
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        i % 3 === 0
          ? pool.query<{ v: number }>("SELECT length($1::text) AS v", [big + i]).then((r) => r.rows[0].v === big.length + String(i).length)
          : pool.query<{ v: number }>("SELECT $1::int * $2::int AS v", [i, 2]).then((r) => r.rows[0].v === i * 2),
      ),
    );
    expect(results.every(Boolean)).toBe(true);
  });

  it("keeps each connection's prepared statements apart in the shared session, and drops them when it closes", async () => {
    const text = "SELECT $1::int * 3 AS v";
    const open = async () => {
      const client = new InstrumentedClient({ connectionString: url, prepareStatements: true });
      await client.connect();
      for (const n of [1, 2, 3]) expect((await client.query<{ v: number }>(text, [n])).rows).toEqual([{ v: n * 3 }]);
      return client;
    };
    const names = async () =>
      (await pool.query<{ name: string }>("SELECT name FROM pg_prepared_statements WHERE statement = $1 ORDER BY name", [text])).rows.map(
        (r) => r.name,
      );
    const a = await open();
    const b = await open();
    const both = await names();
    expect(both).toHaveLength(2);
    await a.end();
    const deadline = Date.now() + 5000;
    while ((await names()).length > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await names()).toHaveLength(1);
    // b's statement is still there; a new connection prepares its own without a clash.
    expect((await b.query<{ v: number }>(text, [5])).rows).toEqual([{ v: 15 }]);
    const c = await open();
    expect(await names()).toHaveLength(2);
    await Promise.all([b.end(), c.end()]);
    while ((await names()).length > 0 && Date.now() < deadline + 5000) await new Promise((r) => setTimeout(r, 50));
    expect(await names()).toEqual([]);
  });

  it("drops only the statements a connection prepared: a Parse refused for a name another holds drops nothing", async () => {
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    await holder.query({ name: "held", text: "SELECT $1::int + 100 AS v", values: [1] });
    const intruder = new pg.Client({ connectionString: url });
    await intruder.connect();
    await expect(intruder.query({ name: "held", text: "SELECT $1::int AS w", values: [1] })).rejects.toMatchObject({ code: "42P05" });
    await intruder.end();
    await new Promise((r) => setTimeout(r, 200));
    expect((await holder.query<{ v: number }>({ name: "held", text: "SELECT $1::int + 100 AS v", values: [2] })).rows).toEqual([
      { v: 102 },
    ]);
    await holder.end();
  });

  it("supports advisory locks", async () => {
    const r = await pool.query<{ locked: boolean; unlocked: boolean }>(
      "SELECT pg_try_advisory_lock($1) AS locked, pg_advisory_unlock($1) AS unlocked",
      [4242],
    );
    expect(r.rows[0]).toEqual({ locked: true, unlocked: true });
  });

  it("makes another connection wait while a transaction is open", async () => {
    const a = await pool.connect();
    try {
      await a.query("BEGIN");
      await a.query("INSERT INTO note (body) VALUES ('from a')");
      let otherDone = false;
      const other = pool.query<{ n: number }>("SELECT count(*)::int AS n FROM note WHERE body = 'from a'").then((r) => {
        otherDone = true;
        return r.rows[0].n;
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(otherDone).toBe(false);
      await a.query("ROLLBACK");
      expect(await other).toBe(0);
    } finally {
      a.release();
    }
  });

  it("works as a TypeORM postgres DataSource, including transactions", async () => {
    const ds = new DataSource({ type: "postgres", url, poolSize: 2 });
    await ds.initialize();
    try {
      const [row] = await ds.query<Array<{ answer: number }>>("SELECT $1::int + 1 AS answer", [41]);
      expect(row.answer).toBe(42);
      await ds.transaction(async (manager) => {
        await manager.query("INSERT INTO note (body) VALUES ($1)", ["typeorm committed"]);
      });
      await expect(
        ds.transaction(async (manager) => {
          await manager.query("INSERT INTO note (body) VALUES ($1)", ["typeorm rolled back"]);
          throw new Error("abort");
        }),
      ).rejects.toThrow("abort");
      const bodies = await ds.query<Array<{ body: string }>>("SELECT body FROM note WHERE body LIKE 'typeorm%'");
      expect(bodies.map((b) => b.body)).toEqual(["typeorm committed"]);
    } finally {
      await ds.destroy();
    }
  });

  it("refuses a second process on the same data directory", async () => {
    const second = spawnHost(dataDir);
    const line = await within(second.firstLine, 20_000, "second host");
    expect(line).toMatch(/^FAILED .*already in use by process \d+/);
    expect(await within(second.exited, 10_000, "second host exit")).toBe(1);
  });

  it("stops cleanly: the host process exits by itself and releases the data directory", async () => {
    await pool.end();
    poolEnded = true;
    host.child.kill("SIGTERM");
    expect(await within(host.exited, 10_000, "host exit after stop()")).toBe(0);
    expect(host.output()).toContain("STOPPED");
    expect(fs.readdirSync(dataDir)).not.toContain("handover-embedded.lock");
    expect(fs.existsSync(path.join(dataDir, "PG_VERSION"))).toBe(true);
  });
});
