import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ok, openTicket } from "../support/fixtures";
import { startTestServer, type SignedUp, type TestServer } from "../support/harness";
import { until } from "../support/server-process";

/**
 * examples/webhook-receiver.ts run as its own process against a real server: it verifies and
 * handles each delivery, survives being killed (the server retries until it is back), and skips
 * what a replay sends again.
 */
const root = path.resolve(__dirname, "..", "..");
let srv: TestServer;
let admin: SignedUp;
let dir: string;
const running: ChildProcess[] = [];

beforeAll(async () => {
  srv = await startTestServer({
    WEBHOOK_ALLOW_PRIVATE: "true",
    WEBHOOK_POLL_MS: "100",
    WEBHOOK_RETRY_BASE_MS: "100",
    WEBHOOK_RETRY_MAX_MS: "300",
  });
  admin = await srv.signUp();
  dir = mkdtempSync(path.join(tmpdir(), "handover-receiver-"));
});
afterAll(async () => {
  for (const child of running) child.kill("SIGKILL");
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

function runReceiver(env: Record<string, string>) {
  const child = spawn(process.execPath, ["-r", "@swc-node/register", path.join("examples", "webhook-receiver.ts")], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.push(child);
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve(signal ?? code)));
  return {
    output: () => out,
    stop: async () => {
      child.kill("SIGKILL");
      return exited;
    },
  };
}

it("verifies, handles each event once across its own restart and a replay, and refuses a forged request", async () => {
  const stateFile = path.join(dir, "receiver.json");
  const created = await ok<{ createWebhook: { webhook: { id: string }; secret: string } }>(
    srv,
    `mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { webhook { id } secret } }`,
    // The port is not known yet: the endpoint is paused until the receiver listens.
    { i: { url: "http://127.0.0.1:9/placeholder", events: ["OPENED", "NOTE_ADDED"] } },
    admin.token,
  );
  const { id } = created.createWebhook.webhook;
  const env = { WEBHOOK_SECRET: created.createWebhook.secret, STATE_FILE: stateFile, PORT: "0" };
  const first = runReceiver(env);
  await until(() => /listening on \d+/.test(first.output()), "the receiver to listen", 6000);
  const port = /listening on (\d+)/.exec(first.output())![1];
  const url = `http://127.0.0.1:${port}/webhooks`;
  await ok(srv, `mutation($i: UpdateWebhookInput!) { updateWebhook(input: $i) { userErrors { code } } }`, { i: { id, url } }, admin.token);

  const ticket = await openTicket(srv, admin.token);
  await until(() => first.output().includes("handled OPENED"), "the first event, handled", 10_000);
  const state = () => JSON.parse(readFileSync(stateFile, "utf8")) as { handled: string[]; cursor: string };
  // The receiver prints "handled" before it records the item (then answers 204).
  await until(() => existsSync(stateFile), "the first event, recorded", 5_000);
  const afterFirst = state();
  expect(afterFirst.handled).toHaveLength(1);
  await first.stop();

  // Written while the receiver is down: retried until it is back (on the same port).
  await ok(
    srv,
    `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { tickets { id } } }`,
    { i: { ticketIds: [ticket.id], note: "while down" } },
    admin.token,
  );
  await new Promise((r) => setTimeout(r, 300));
  const second = runReceiver({ ...env, PORT: port });
  await until(() => second.output().includes("handled NOTE_ADDED"), "the note, handled after the restart", 15_000);
  expect(second.output()).not.toContain("handled OPENED");
  await until(() => state().handled.length === 2, "the note, recorded", 5_000);

  // A replay from before the first sends both again: the receiver skips them.
  const [opened] = afterFirst.handled;
  await ok(
    srv,
    `mutation($i: ReplayWebhookInput!) { replayWebhook(input: $i) { userErrors { code } } }`,
    { i: { id, after: `${BigInt(afterFirst.cursor.split(".")[0]) - 1n}.0` } },
    admin.token,
  );
  await until(() => (second.output().match(/skipped msg_/g) ?? []).length >= 2, "both sent again and skipped", 15_000);
  expect(second.output()).toContain(`skipped ${opened}: handled before`);
  expect(state().handled).toHaveLength(2);

  // A request not signed with the secret is refused.
  const forged = await fetch(url, {
    method: "POST",
    headers: { "webhook-id": "msg_x", "webhook-timestamp": String(Math.floor(Date.now() / 1000)), "webhook-signature": "v1,AAAA" },
    body: JSON.stringify({ type: "CLOSED", cursor: "1.1", timestamp: new Date().toISOString(), data: null }),
  });
  expect(forged.status).toBe(401);
  await second.stop();
}, 90_000);
