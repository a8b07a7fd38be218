import path from "node:path";
import { freePort, startProcess, waitUntilReady } from "./target-process";

/**
 * The floor target: bench/raw-floor-server.ts (a bare http server and one hand-written
 * statement, no auth) in its own process, so it gets a core of its own like the other targets.
 */

const ROOT = path.resolve(__dirname, "..");

export interface RawFloorTarget {
  name: string;
  url: string;
  /** The target's process, for its CPU time. */
  pid: number;
  stop(): Promise<void>;
  body(opts: { workspaceId: string; first: number }): string;
}

export async function startRawFloor(opts: { databaseUrl: string; log: (line: string) => void }): Promise<RawFloorTarget> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: opts.databaseUrl,
    PORT: String(port),
    HOST: "127.0.0.1",
    NODE_ENV: "production",
  };
  delete env.NODE_OPTIONS;
  const proc = startProcess({
    name: "raw-floor",
    command: process.execPath,
    args: ["-r", "@swc-node/register", path.join(ROOT, "bench", "raw-floor-server.ts")],
    cwd: ROOT,
    env,
    log: opts.log,
  });
  const base = `http://127.0.0.1:${port}`;
  await waitUntilReady(proc, "the raw floor", async () => (await fetch(`${base}/healthz`)).ok, 60);
  return {
    name: "raw SQL floor",
    url: `${base}/inbox`,
    pid: proc.child.pid!,
    stop: () => proc.stop(),
    body: ({ workspaceId, first }) => JSON.stringify({ workspaceId, first }),
  };
}
