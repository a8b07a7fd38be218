import { execFileSync } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { TEST_DATABASE_URL } from "./database";

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/** Makes sure the suite's PostgreSQL answers, starting it on this machine when it does not. */
export default async function globalSetup(): Promise<void> {
  if (await reachable()) return;
  const script = path.resolve(__dirname, "..", "..", "scripts", "ensure-postgres.sh");
  process.stderr.write(`PostgreSQL is not reachable at ${TEST_DATABASE_URL}; running ${script}\n`);
  execFileSync("bash", [script], { stdio: "inherit" });
  if (!(await reachable())) {
    throw new Error(`PostgreSQL is still not reachable at ${TEST_DATABASE_URL}: set TEST_DATABASE_URL`);
  }
}
