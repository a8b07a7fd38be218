import path from "node:path";
import { freePort, startProcess, waitUntilReady } from "./target-process";

/**
 * The floor target: bench/raw-floor-server.ts (a bare http server, our token check and one
 * hand-written statement answering our inbox page) in its own process, so it gets a core of its
 * own like the other targets. Its requests carry the same bearer token as ours.
 */

const ROOT = path.resolve(__dirname, "..");

export interface RawFloorTarget {
  name: string;
  url: string;
  /** The target's process, for its CPU time. */
  pid: number;
  stop(): Promise<void>;
  body(opts: { first: number; withTotalCount: boolean }): string;
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
    body: ({ first, withTotalCount }) => JSON.stringify({ first, totalCount: withTotalCount }),
  };
}
