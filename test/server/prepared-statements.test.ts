import { InstrumentedClient } from "../../src/db/instrumented-client";
import { createTestDatabase } from "../support/database";

/**
 * The pool's connections prepare the statements they send repeatedly (DB_PREPARED_STATEMENTS,
 * on by default): PostgreSQL then parses and plans such a statement once per connection. A text
 * sent once is never prepared, and with the setting off nothing is.
 */
describe("prepared statements", () => {
  let url: string;
  let drop: () => Promise<void>;
  const clients: InstrumentedClient[] = [];

  beforeAll(async () => {
    ({ url, drop } = await createTestDatabase("prepared"));
  });
  afterAll(async () => {
    for (const client of clients) await client.end().catch(() => undefined);
    await drop();
  });

  const connect = async (prepareStatements: boolean) => {
    const client = new InstrumentedClient({ connectionString: url, prepareStatements });
    await client.connect();
    clients.push(client);
    return client;
  };
  const TEXT = "SELECT $1::int + 1 AS v";
  /** This connection's prepared statements (a session's own view), without preparing the question. */
  const preparedOn = async (client: InstrumentedClient) =>
    (await client.query<{ name: string; statement: string }>("SELECT name, statement FROM pg_prepared_statements ORDER BY name")).rows;

  it("prepares a parameterized statement on its second use, once, and answers as before", async () => {
    const client = await connect(true);
    expect((await client.query<{ v: number }>(TEXT, [1])).rows).toEqual([{ v: 2 }]);
    expect(await preparedOn(client)).toEqual([]);
    expect((await client.query<{ v: number }>(TEXT, [2])).rows).toEqual([{ v: 3 }]);
    const prepared = await preparedOn(client);
    expect(prepared).toEqual([{ name: expect.stringMatching(/^h[0-9a-z]+_0$/), statement: TEXT }]);
    expect((await client.query<{ v: number }>(TEXT, [41])).rows).toEqual([{ v: 42 }]);
    expect(await preparedOn(client)).toEqual(prepared);
  });

  it("gives each connection names of its own, and a statement that fails to parse is parsed again next time", async () => {
    const [a, b] = [await connect(true), await connect(true)];
    for (const client of [a, b]) for (const n of [1, 2]) await client.query(TEXT, [n]);
    const [[nameA], [nameB]] = [await preparedOn(a), await preparedOn(b)];
    expect(nameA.name).not.toBe(nameB.name);
    // Refused at parse both times (no such table): the driver does not take it for prepared.
    const broken = "SELECT * FROM no_such_table WHERE id = $1";
    for (let i = 0; i < 3; i++) await expect(a.query(broken, [i])).rejects.toMatchObject({ code: "42P01" });
    expect((await a.query<{ v: number }>(TEXT, [9])).rows).toEqual([{ v: 10 }]);
  });

  it("recovers from a schema change that makes a prepared statement stale: again at once outside a transaction", async () => {
    const admin = await connect(false);
    await admin.query("CREATE TABLE stale (v text)");
    await admin.query("INSERT INTO stale VALUES ('a')");
    const client = await connect(true);
    const text = "SELECT v FROM stale WHERE $1::int > 0";
    for (const n of [1, 2]) expect((await client.query(text, [n])).rows).toEqual([{ v: "a" }]);
    const [before] = (await preparedOn(client)).filter((p) => p.statement === text);
    // The column it returns changes type: PostgreSQL refuses the plan it cached (0A000).
    await admin.query("ALTER TABLE stale ALTER COLUMN v TYPE varchar(50)");
    expect((await client.query(text, [3])).rows).toEqual([{ v: "a" }]);
    // Counted again from there, and prepared anew under another name.
    for (const n of [4, 5]) expect((await client.query(text, [n])).rows).toEqual([{ v: "a" }]);
    const after = (await preparedOn(client)).filter((p) => p.statement === text).map((p) => p.name);
    expect(after).toContain(before.name);
    expect(after.filter((name) => name !== before.name)).toHaveLength(1);

    // Inside a transaction the failure aborts it: the caller sees it, and the next use works.
    await admin.query("ALTER TABLE stale ALTER COLUMN v TYPE text");
    await client.query("BEGIN");
    await expect(client.query(text, [5])).rejects.toMatchObject({ code: "0A000" });
    await client.query("ROLLBACK");
    expect((await client.query(text, [6])).rows).toEqual([{ v: "a" }]);
  });

  it("prepares anew a statement whose parameter types a schema change broke", async () => {
    const admin = await connect(false);
    await admin.query("CREATE TABLE moods (v text)");
    await admin.query("INSERT INTO moods VALUES ('calm')");
    const client = await connect(true);
    const text = "SELECT count(*)::int AS n FROM moods WHERE v = $1";
    for (let i = 0; i < 2; i++) expect((await client.query(text, ["calm"])).rows).toEqual([{ n: 1 }]);
    // Its parameter was resolved as text: against an enum column the prepared statement no longer plans.
    await admin.query("CREATE TYPE mood AS ENUM ('calm', 'cross')");
    await admin.query("ALTER TABLE moods ALTER COLUMN v TYPE mood USING v::mood");
    await expect(client.query(text, ["calm"])).rejects.toMatchObject({ code: "42883" });
    // Forgotten: the next uses plan it again, its parameter now of the enum, and it prepares again.
    for (let i = 0; i < 3; i++) expect((await client.query(text, ["calm"])).rows).toEqual([{ n: 1 }]);
    // A data error keeps a prepared statement.
    const insert = "INSERT INTO moods (v) VALUES ($1)";
    for (let i = 0; i < 2; i++) await client.query(insert, ["cross"]);
    const prepared = (await preparedOn(client)).filter((p) => p.statement === insert);
    expect(prepared).toHaveLength(1);
    await expect(client.query(insert, ["furious"])).rejects.toMatchObject({ code: "22P02" });
    expect((await preparedOn(client)).filter((p) => p.statement === insert)).toEqual(prepared);
    await client.query(insert, ["calm"]);
    expect((await preparedOn(client)).filter((p) => p.statement === insert)).toEqual(prepared);
  });

  it("prepares nothing with the setting off, nor a statement without parameters", async () => {
    const off = await connect(false);
    for (let i = 0; i < 3; i++) await off.query(TEXT, [i]);
    expect(await preparedOn(off)).toEqual([]);
    const on = await connect(true);
    for (let i = 0; i < 3; i++) await on.query("SELECT 1 AS one");
    expect(await preparedOn(on)).toEqual([]);
  });

  it("keeps the statements in use when full: the least recently used one is dropped from the session", async () => {
    // A client sending one-off shapes (page sizes, selections) must not leave the hot statement
    // unprepared: with the first come kept, it would have been parsed and planned every time.
    const client = await connect(true);
    const hot = "SELECT $1::int * 2 AS v";
    const oneOff = (i: number) => `SELECT $1::int + ${i} AS v`;
    for (let i = 0; i < 150; i++) {
      for (const n of [1, 2]) expect((await client.query<{ v: number }>(oneOff(i), [n])).rows).toEqual([{ v: n + i }]);
      expect((await client.query<{ v: number }>(hot, [i])).rows).toEqual([{ v: i * 2 }]);
    }
    const statements = (await preparedOn(client)).map((p) => p.statement);
    expect(statements).toHaveLength(100);
    expect(statements).toContain(hot);
    expect(statements).toContain(oneOff(149));
    expect(statements).not.toContain(oneOff(0));
    // Each dropped name is gone from the driver's memory of parsed statements too.
    const parsed = (client as unknown as { connection: { parsedStatements: Record<string, string> } }).connection.parsedStatements;
    expect(Object.keys(parsed)).toHaveLength(100);
  });

  it("makes room inside a transaction without a statement of its own there: the drop waits for its end", async () => {
    const client = await connect(true);
    for (let i = 0; i < 100; i++) for (const n of [1, 2]) await client.query(`SELECT $1::int + ${i} AS v`, [n]);
    await client.query("BEGIN");
    for (const n of [1, 2]) expect((await client.query<{ v: number }>("SELECT $1::int * 3 AS v", [n])).rows).toEqual([{ v: n * 3 }]);
    // 101 in the session while the transaction runs: nothing was sent into it but the caller's.
    expect(await preparedOn(client)).toHaveLength(101);
    await client.query("COMMIT");
    expect((await client.query<{ v: number }>("SELECT $1::int * 3 AS v", [5])).rows).toEqual([{ v: 15 }]);
    const statements = (await preparedOn(client)).map((p) => p.statement);
    expect(statements).toHaveLength(100);
    expect(statements).not.toContain("SELECT $1::int + 0 AS v");
  });

  it("drops nothing it cannot inside a failed transaction, and goes on afterwards", async () => {
    const client = await connect(true);
    for (let i = 0; i < 100; i++) for (const n of [1, 2]) await client.query(`SELECT $1::int - ${i} AS v`, [n]);
    expect(await preparedOn(client)).toHaveLength(100);
    await client.query("BEGIN");
    await expect(client.query("SELECT 1 / $1::int", [0])).rejects.toMatchObject({ code: "22012" });
    // Full, in a failed transaction: the new text is refused as every statement there is.
    for (const n of [1, 2]) await expect(client.query("SELECT $1::int * 7 AS v", [n])).rejects.toMatchObject({ code: "25P02" });
    await client.query("ROLLBACK");
    expect((await client.query<{ v: number }>("SELECT $1::int * 7 AS v", [3])).rows).toEqual([{ v: 21 }]);
    expect((await client.query<{ v: number }>("SELECT $1::int - 5 AS v", [6])).rows).toEqual([{ v: 1 }]);
    expect((await preparedOn(client)).length).toBeLessThanOrEqual(100);
  });
});
