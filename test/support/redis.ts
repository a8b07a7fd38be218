import { spawn, spawnSync } from "node:child_process";
import { connect as tcpConnect } from "node:net";
import { freePort } from "./private-postgres";

/** The Redis tests use when it answers; otherwise they start their own redis-server. */
export const WANTED_REDIS = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Whether something answers PING on a Redis URL. */
export function redisAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: hostname, port: Number(port || 6379) });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (d: Buffer) => done(d.toString().startsWith("+PONG")));
  });
}

/**
 * Why no Redis can be had here, or undefined when one answers at WANTED_REDIS already or a
 * redis-server binary can start one. Synchronous, for deciding while jest collects the tests.
 */
export function redisUnavailable(): string | undefined {
  if (!spawnSync("redis-server", ["--version"]).error) return undefined;
  const answers =
    spawnSync(process.execPath, [
      "-e",
      `const s = require("net").connect({ host: process.argv[1], port: Number(process.argv[2]) });
       s.setTimeout(1000, () => process.exit(1)); s.on("error", () => process.exit(1));
       s.on("connect", () => s.write("PING\\r\\n")); s.on("data", (d) => process.exit(String(d).startsWith("+PONG") ? 0 : 1));`,
      new URL(WANTED_REDIS).hostname,
      new URL(WANTED_REDIS).port || "6379",
    ]).status === 0;
  return answers ? undefined : `no redis-server binary on this machine and nothing answers at ${WANTED_REDIS}`;
}

/** A Redis to use: WANTED_REDIS if it answers, else a redis-server of the test's own on a free port. */
export async function ensureRedis(label: string): Promise<{ url: string; stop(): void }> {
  if (await redisAnswers(WANTED_REDIS)) return { url: WANTED_REDIS, stop: () => undefined };
  const port = await freePort();
  const proc = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"],
    { stdio: "ignore" },
  );
  const url = `redis://127.0.0.1:${port}`;
  process.stderr.write(`${label}: nothing answers at ${WANTED_REDIS}: started redis-server at ${url}\n`);
  for (let i = 0; i < 500 && !(await redisAnswers(url)); i++) await new Promise((r) => setTimeout(r, 10));
  if (!(await redisAnswers(url))) {
    proc.kill("SIGKILL");
    throw new Error(`redis-server did not answer on port ${port}`);
  }
  return { url, stop: () => void proc.kill("SIGKILL") };
}
