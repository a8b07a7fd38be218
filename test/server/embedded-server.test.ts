import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * `npm start` on a machine with no PostgreSQL: the server process runs on the embedded database,
 * migrates it, prints the first administrator's login, and answers logIn + viewer. Run as a child
 * process, exactly as a newcomer would, with no DATABASE_URL.
 */
const root = path.resolve(__dirname, "..", "..");
let dataDir: string;
let child: ChildProcess | undefined;

beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), "handover-embedded-"));
});
afterAll(() => {
  child?.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

function start(): Promise<{ url: string; output: () => string; exited: Promise<number | null> }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info" };
  delete env.DATABASE_URL;
  delete env.HANDOVER_ADMIN_PASSWORD;
  delete env.HANDOVER_ADMIN_EMAIL;
  const proc = spawn(process.execPath, ["-r", "@swc-node/register", "src/main.ts"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  child = proc;
  let out = "";
  proc.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const ready = /Handover is ready: (http:\/\/\S+)/.exec(out);
      if (ready) {
        clearInterval(timer);
        resolve({ url: ready[1].replace("localhost", "127.0.0.1"), output: () => out, exited });
      }
    }, 50);
    exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
}

async function gql<T>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as T;
}

it("starts with no DATABASE_URL, migrates, prints the first login once and answers", async () => {
  const first = await start();
  const password = /Password \(shown only this once\): (\S+)/.exec(first.output())?.[1];
  expect(password).toBeTruthy();
  // The password goes to the terminal as plain text, never into a JSON log line.
  for (const line of first
    .output()
    .split("\n")
    .filter((l) => l.startsWith("{")))
    expect(line).not.toContain(password);

  const login = await gql<{ data: { logIn: { token: string } } }>(first.url, `mutation($i: LogInInput!) { logIn(input: $i) { token } }`, {
    i: { email: "admin@example.com", password },
  });
  const viewer = await gql<{ data: { viewer: { role: string; user: { email: string } } } }>(
    first.url,
    `{ viewer { role user { email } } }`,
    {},
    login.data.logIn.token,
  );
  expect(viewer.data.viewer).toEqual({ role: "ADMINISTRATOR", user: { email: "admin@example.com" } });

  child?.kill("SIGTERM");
  expect(await first.exited).toBe(0);

  // A restart keeps the data and does not create another administrator.
  const second = await start();
  expect(second.output()).not.toContain("First administrator created");
  const again = await gql<{ data: { logIn: { token: string } } }>(second.url, `mutation($i: LogInInput!) { logIn(input: $i) { token } }`, {
    i: { email: "admin@example.com", password },
  });
  expect(again.data.logIn.token).toMatch(/^hov_/);
  child?.kill("SIGTERM");
  expect(await second.exited).toBe(0);
}, 120_000);
