import { readdirSync } from "node:fs";
import path from "node:path";
import { createDataSource } from "../../ormconfig";
import { columnsOf } from "../../src/db/columns";
import { migrate } from "../../src/db/migrate";
import { MIGRATIONS } from "../../src/migrations";
import { TicketEventType } from "../../src/entities";
import { createTestDatabase } from "../support/database";

/**
 * The entities describe the tables; the migrations create them. The column lists of raw SQL and
 * the CHECKs of enum columns are derived from the entities, so they must agree with the migrated
 * database: a changed enum without its migration fails here, not in production.
 */
describe("the entities and the migrated database", () => {
  let db: ReturnType<typeof createDataSource>;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const database = await createTestDatabase("entities");
    drop = database.drop;
    db = createDataSource({ url: database.url, poolSize: 1 });
    await db.initialize();
    await migrate(db);
  });
  afterAll(async () => {
    await db?.destroy();
    await drop?.();
  });

  it("has every CHECK of every entity, with the entity's expression", async () => {
    const rows = await db.query<Array<{ table: string; name: string; definition: string }>>(
      `SELECT c.conrelid::regclass::text AS table, c.conname AS name, pg_get_constraintdef(c.oid) AS definition
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE c.contype = 'c' AND n.nspname = 'public'`,
    );
    const inDatabase = new Map(rows.map((r) => [`${r.table}.${r.name}`, r.definition]));
    const checks = db.entityMetadatas.flatMap((m) => m.checks.map((c) => ({ key: `${m.tableName}.${c.name}`, expression: c.expression })));
    expect(checks.length).toBeGreaterThan(0);
    for (const check of checks) expect([check.key, inDatabase.get(check.key)]).toEqual([check.key, `CHECK ((${check.expression}))`]);
  });

  it("allows exactly the event types of TicketEventType", async () => {
    const [row] = await db.query<Array<{ definition: string }>>(
      `SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conname = 'ticket_events_type_check'`,
    );
    const allowed = [...row.definition.matchAll(/'([A-Z_]+)'::text/g)].map((m) => m[1]);
    expect(allowed.sort()).toEqual(Object.values(TicketEventType).sort());
  });

  it("has the columns of every entity, so the derived column lists read what is there", async () => {
    for (const metadata of db.entityMetadatas) {
      const columns = await db.query<Array<{ name: string }>>(
        `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`,
        [metadata.tableName],
      );
      expect([metadata.tableName, columns.map((c) => c.name).sort()]).toEqual([
        metadata.tableName,
        metadata.columns.map((c) => c.databaseName).sort(),
      ]);
      await db.query(`SELECT ${columnsOf(metadata.target as new () => unknown, "x")} FROM ${metadata.tableName} x LIMIT 0`);
    }
  });
});

describe("the migrations", () => {
  it("are every migration file of their folder, oldest first, each its own class named with its timestamp", () => {
    const files = readdirSync(path.join(__dirname, "../../src/migrations"))
      .filter((file) => /^\d{13}-/.test(file))
      .sort();
    expect(files.length).toBeGreaterThanOrEqual(5);
    expect(MIGRATIONS.map((migration) => migration.name.slice(-13))).toEqual(files.map((file) => file.slice(0, 13)));
    expect(new Set(MIGRATIONS).size).toBe(files.length);
  });
});
