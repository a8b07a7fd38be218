import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTestDatabase } from "../support/database";
import { newUrn } from "../support/fixtures";
import { call, type ServerProcess, spawnAsAdministrator, spawnServer } from "../support/server-process";
import { compareFeedCursors, Receiver, verifies, waitFor } from "../support/webhook-receiver";

/**
 * Webhooks across server processes, each its own `node` process as in production: a process
 * killed in the middle of a delivery, two processes delivering from one database, a restart
 * without WEBHOOK_ALLOW_PRIVATE, and the embedded database.
 */

const CREATE = `mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { webhook { id } secret userErrors { code field message } } }`;
const OPEN = `mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { id } userErrors { code } } }`;
const DELIVERIES = `query($id: ID!) { node(id: $id) { ... on Webhook { enabled deliveries(first: 100) { nodes { webhookMessageId attempt statusCode error } } } } }`;

const FAST = {
  WEBHOOK_ALLOW_PRIVATE: "true",
  WEBHOOK_POLL_MS: "100",
  WEBHOOK_RETRY_BASE_MS: "50",
  WEBHOOK_RETRY_MAX_MS: "200",
  WEBHOOK_TIMEOUT_MS: "1000",
  WEBHOOK_LEASE_MS: "2500",
};

const servers: ServerProcess[] = [];
const receivers: Receiver[] = [];
const cleanups: Array<() => Promise<void>> = [];

async function spawn(env: Record<string, string | undefined>, asAdministrator = false): Promise<{ server: ServerProcess; token?: string }> {
  const started = asAdministrator ? await spawnAsAdministrator(env) : { server: await spawnServer(env) };
  servers.push(started.server);
  return started;
}

async function receiver(): Promise<Receiver> {
  const r = await new Receiver().start();
  receivers.push(r);
  return r;
}

async function database(): Promise<string> {
  const db = await createTestDatabase("webhooks");
  cleanups.push(db.drop);
  return db.url;
}

async function createWebhook(url: string, token: string, hookUrl: string, events = ["OPENED"]): Promise<{ id: string; secret: string }> {
  const { createWebhook } = await call<{ createWebhook: { webhook: { id: string }; secret: string; userErrors: unknown[] } }>(
    url,
    CREATE,
    { i: { url: hookUrl, events } },
    token,
  );
  expect(createWebhook.userErrors).toEqual([]);
  return { id: createWebhook.webhook.id, secret: createWebhook.secret };
}

const open = (url: string, token: string) => call(url, OPEN, { i: { contactUrn: newUrn() } }, token);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop("SIGKILL")));
  await Promise.all(receivers.map((r) => r.close()));
  for (const cleanup of cleanups) await cleanup();
});

it("sends again, with the same webhook-id, the item a killed process was delivering, and goes on in order", async () => {
  const url = await database();
  const first = await spawn({ ...FAST, DATABASE_URL: url }, true);
  const token = first.token!;
  const r = await receiver();
  let killed: Promise<unknown> | undefined;
  // The third item's request hangs; the process sending it is killed meanwhile.
  r.behaviour = (_got, index) => {
    if (index === 2 && !killed) {
      killed = first.server.stop("SIGKILL");
      return "hang";
    }
    return { status: 200 };
  };
  const { id, secret } = await createWebhook(first.server.url, token, r.url);
  // Paused while the tickets are opened, so that the kill falls after them.
  const toggle = `mutation($i: UpdateWebhookInput!) { updateWebhook(input: $i) { userErrors { code } } }`;
  await call(first.server.url, toggle, { i: { id, enabled: false } }, token);
  for (let i = 0; i < 5; i++) await open(first.server.url, token);
  await call(first.server.url, toggle, { i: { id, enabled: true } }, token);
  await waitFor(() => killed !== undefined, "the third delivery");
  await killed;
  const second = await spawn({ ...FAST, DATABASE_URL: url });
  await waitFor(() => r.processed().length === 5, "every item, once the lease ran out", 30_000);

  const processed = r.processed();
  expect(processed.map((g) => g.json.type)).toEqual(["OPENED", "OPENED", "OPENED", "OPENED", "OPENED"]);
  const cursors = processed.map((g) => g.json.cursor);
  expect([...cursors].sort(compareFeedCursors)).toEqual(cursors);
  // The item in flight when the process died came twice, with one id; a receiver that deduplicates keeps five.
  expect(r.received.length).toBe(6);
  expect(r.received[2].id).toBe(r.received[3].id);
  expect(r.deduplicated()).toHaveLength(5);
  expect(r.received.every((g) => verifies(secret, g))).toBe(true);
  await second.server.stop();
});

it("delivers from two processes on one database without sending to an endpoint twice at once, each item once, in order", async () => {
  const url = await database();
  const a = await spawn({ ...FAST, DATABASE_URL: url }, true);
  const b = await spawn({ ...FAST, DATABASE_URL: url });
  const token = a.token!;
  const hooks = [await receiver(), await receiver(), await receiver()];
  for (const h of hooks) h.behaviour = () => ({ status: 200, delayMs: Math.floor(Math.random() * 15) });
  for (const h of hooks) await createWebhook(a.server.url, token, h.url);
  // Tickets opened through both processes at once.
  await Promise.all(Array.from({ length: 30 }, (_, i) => open((i % 2 ? a : b).server.url, token)));
  await waitFor(() => hooks.every((h) => h.received.length >= 30), "thirty deliveries to each endpoint", 30_000);
  await new Promise((resolve) => setTimeout(resolve, 500));
  for (const h of hooks) {
    expect(h.maxInFlight).toBe(1);
    expect(h.received).toHaveLength(30);
    expect(h.deduplicated()).toHaveLength(30);
    const cursors = h.received.map((g) => g.json.cursor);
    expect([...cursors].sort(compareFeedCursors)).toEqual(cursors);
  }
  // Every endpoint got the same items in the same order.
  expect(hooks[1].received.map((g) => g.id)).toEqual(hooks[0].received.map((g) => g.id));
  expect(hooks[2].received.map((g) => g.id)).toEqual(hooks[0].received.map((g) => g.id));
});

it("refuses, at delivery, a loopback address once WEBHOOK_ALLOW_PRIVATE is off, by name as well as by address", async () => {
  const url = await database();
  const allowed = await spawn({ ...FAST, DATABASE_URL: url }, true);
  const token = allowed.token!;
  const r = await receiver();
  const byAddress = await createWebhook(allowed.server.url, token, r.url);
  const byName = await createWebhook(allowed.server.url, token, r.url.replace("127.0.0.1", "localhost"));
  await allowed.server.stop();
  const strict = await spawn({ ...FAST, WEBHOOK_ALLOW_PRIVATE: "false", DATABASE_URL: url });
  await open(strict.server.url, token);
  for (const hook of [byAddress, byName]) {
    await waitFor(async () => {
      const data = await call<{ node: { deliveries: { nodes: Array<{ error: string | null }> } } }>(
        strict.server.url,
        DELIVERIES,
        { id: hook.id },
        token,
      );
      return data.node.deliveries.nodes.length >= 2;
    }, "two refused attempts");
    const data = await call<{ node: { deliveries: { nodes: Array<{ statusCode: number | null; error: string | null }> } } }>(
      strict.server.url,
      DELIVERIES,
      { id: hook.id },
      token,
    );
    for (const attempt of data.node.deliveries.nodes) {
      expect(attempt.statusCode).toBeNull();
      expect(attempt.error).toMatch(/^refused: .*loopback, private or reserved/);
    }
  }
  expect(r.received).toHaveLength(0);
});

it("delivers on the embedded database, pings included, with tickets opened at once", async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "handover-webhooks-embedded-"));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  const { server, token } = await spawn({ ...FAST, DATABASE_URL: undefined, DATA_DIR: dataDir }, true);
  const r = await receiver();
  const { id, secret } = await createWebhook(server.url, token!, r.url);
  const ping = await call<{ testWebhook: { userErrors: unknown[] } }>(
    server.url,
    `mutation($id: ID!) { testWebhook(id: $id) { userErrors { code } } }`,
    { id },
    token,
  );
  expect(ping.testWebhook.userErrors).toEqual([]);
  expect(r.received.map((g) => g.json.type)).toEqual(["PING"]);
  await Promise.all(Array.from({ length: 10 }, () => open(server.url, token!)));
  await waitFor(() => r.received.length === 11, "ten deliveries", 30_000);
  expect(r.received.slice(1).map((g) => g.json.type)).toEqual(Array(10).fill("OPENED"));
  expect(r.received.every((g) => verifies(secret, g))).toBe(true);
  const cursors = r.received.slice(1).map((g) => g.json.cursor);
  expect([...cursors].sort(compareFeedCursors)).toEqual(cursors);
});
