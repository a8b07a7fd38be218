import { randomBytes } from "node:crypto";
import pg from "pg";

/** The PostgreSQL server the suite runs on; `.ci/run` makes sure it exists. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://handover:handover@127.0.0.1:5432/postgres";

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** A fresh, empty database for one test file; `drop()` removes it. */
export async function createTestDatabase(label = "t"): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `handover_${label.replace(/\W/g, "").slice(0, 20)}_${randomBytes(4).toString("hex")}`.toLowerCase();
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(TEST_DATABASE_URL, name),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
