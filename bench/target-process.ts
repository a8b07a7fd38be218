import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";
import readline from "node:readline";

/**
 * Child processes for the comparison targets: each runs in its own process on a free port, so
 * the load generator, our server and a target never share an event loop, and stopping a target
 * is killing its PID.
 */

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface TargetProcess {
  child: ChildProcess;
  /** Resolves once the process has exited (at once if it already has). */
  stop(): Promise<void>;
}

/** Starts `command args` with its output forwarded line by line to `log`, prefixed by `name`. */
export function startProcess(opts: {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}): TargetProcess {
  const child = spawn(opts.command, opts.args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream! }).on("line", (line) => opts.log(`[${opts.name}] ${line}`));
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("exit", (code, signal) => opts.log(`[${opts.name}] exited (${signal ?? `code ${code}`})`));
  return {
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      child.kill("SIGTERM");
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Polls `probe` until it returns true; fails after `seconds`, or as soon as the process exits,
 * so a target that cannot start reports it instead of timing out.
 */
export async function waitUntilReady(proc: TargetProcess, name: string, probe: () => Promise<boolean>, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`${name} exited before answering (${proc.child.signalCode ?? `code ${proc.child.exitCode}`})`);
    }
    try {
      if (await probe()) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`${name} did not answer within ${seconds} s`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
