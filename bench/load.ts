import { fork } from "node:child_process";
import path from "node:path";

/** What to load a server with: bodies are posted round-robin. */
export interface LoadSpec {
  url: string;
  headers: Record<string, string>;
  bodies: string[];
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  firstError?: string;
  seconds: number;
  /** Requests per second over the measured time. */
  throughput: number;
  /** Latencies in milliseconds. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Mean SQL statements per request, as the server reported them; null when it did not. */
  sqlPerRequest: number | null;
  bytesPerResponse: number;
  /** The load generator's own CPU per request over the measured time (ms). */
  loaderCpuPerRequest: number | null;
}

/** Runs one load in a process of its own and returns its figures. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, "load-worker.ts"), [], {
      execArgv: ["-r", "@swc-node/register"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let result: LoadResult | undefined;
    child.once("message", (message: LoadResult) => (result = message));
    child.once("error", reject);
    child.once("exit", (code) => (result ? resolve(result) : reject(new Error(`the load generator exited with ${code}`))));
    child.send(spec);
  });
}
