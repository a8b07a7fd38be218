/**
 * The webhook scenario: how fast the server delivers, and how soon after a commit.
 *
 * - Drain, one endpoint: the endpoint is paused while `events` notes are written, then enabled;
 *   deliveries per second from enabling to the last 2xx, with the server's and the database's CPU
 *   per delivery.
 * - Drain, 100 endpoints: the same across 5 workspaces of 20 endpoints each (a workspace has 20 at
 *   most), each workspace's notes delivered to each of its endpoints.
 * - Commit to delivery: one endpoint enabled while notes are written at a steady rate, one at a
 *   time; the latency from just before each note's request is sent to its delivery arriving (an
 *   upper bound: it includes the mutation itself), p50 and p99.
 *
 * The receivers run in this process on loopback and answer 204 at once (the server runs with
 * WEBHOOK_ALLOW_PRIVATE=true).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { backendCpu, cpuBetween, cpuMillis } from "./server";

type Gql = <T>(query: string, variables: Record<string, unknown>, token?: string) => Promise<T>;
type Observer = Parameters<typeof backendCpu>[0];

export interface WebhookFigures {
  oneEndpoint: { deliveries: number; seconds: number; perSecond: number; serverCpuMsPerDelivery: number; databaseCpuMsPerDelivery: number };
  hundredEndpoints: {
    deliveries: number;
    seconds: number;
    perSecond: number;
    serverCpuMsPerDelivery: number;
    databaseCpuMsPerDelivery: number;
  };
  commitToDelivery: {
    samples: number;
    rate: number;
    /** From just before the note's request is sent (the mutation included): an upper bound. */
    p50Ms: number;
    p99Ms: number;
    maxMs: number;
    /** From the mutation's answer, which comes after its commit: a lower bound. */
    afterAnswerP50Ms: number;
    afterAnswerP99Ms: number;
  };
}

/** A receiver counting deliveries and noting when each arrived, by its note's text. */
async function receiver(): Promise<{ url: string; count: () => number; arrivals: Map<string, number>; close: () => Promise<void> }> {
  let count = 0;
  const arrivals = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      count += 1;
      const note = /"note":"(t[0-9]+)"/.exec(Buffer.concat(chunks).toString("utf8"));
      if (note && !arrivals.has(note[1])) arrivals.set(note[1], performance.now());
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    count: () => count,
    arrivals,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const CREATE = `mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { webhook { id } userErrors { code message } } }`;
const UPDATE = `mutation($i: UpdateWebhookInput!) { updateWebhook(input: $i) { userErrors { code message } } }`;
const NOTE = `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { userErrors { code } } }`;

async function until(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A workspace to write to: its administrator's token and up to 100 of its tickets. */
interface Workspace {
  token: string;
  tickets: string[];
}

async function workspace(gql: Gql, token: string, openSome: boolean): Promise<Workspace> {
  if (openSome) {
    for (let i = 0; i < 20; i++) {
      await gql(
        `mutation($u: String!) { openTicket(input: { contactUrn: $u }) { userErrors { code } } }`,
        { u: `tel:+1555${String(Date.now() % 1e7).padStart(7, "0")}${i}` },
        token,
      );
    }
  }
  const { tickets } = await gql<{ tickets: { nodes: Array<{ id: string }> } }>(`{ tickets(first: 100) { nodes { id } } }`, {}, token);
  return { token, tickets: tickets.nodes.map((t) => t.id) };
}

/** Writes `n` notes in bulk calls of up to 100 tickets each: `n` NOTE_ADDED events. */
async function writeNotes(gql: Gql, ws: Workspace, n: number): Promise<void> {
  for (let written = 0; written < n;) {
    const batch = ws.tickets.slice(0, Math.min(ws.tickets.length, n - written));
    await gql(NOTE, { i: { ticketIds: batch, note: "bench" } }, ws.token);
    written += batch.length;
  }
}

async function drain(
  opts: { gql: Gql; pid: number; observer: Observer; database: string },
  endpoints: Array<{ ws: Workspace; id: string }>,
  expected: number,
  count: () => number,
) {
  const { gql } = opts;
  const cpuBefore = cpuMillis(opts.pid);
  const dbBefore = await backendCpu(opts.observer, opts.database);
  const started = performance.now();
  await Promise.all(endpoints.map((e) => gql(UPDATE, { i: { id: e.id, enabled: true } }, e.ws.token)));
  await until(() => count() >= expected, `${expected} deliveries`, 600_000);
  const seconds = (performance.now() - started) / 1000;
  const server = cpuMillis(opts.pid) - cpuBefore;
  const database = cpuBetween(dbBefore, await backendCpu(opts.observer, opts.database));
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    deliveries: expected,
    seconds: Math.round(seconds * 100) / 100,
    perSecond: Math.round(expected / seconds),
    serverCpuMsPerDelivery: round(server / expected),
    databaseCpuMsPerDelivery: round(database / expected),
  };
}

export async function runWebhookScenario(opts: {
  gql: Gql;
  pid: number;
  observer: Observer;
  database: string;
  adminToken: string;
  events?: number;
  log: (line: string) => void;
}): Promise<WebhookFigures> {
  const { gql, log } = opts;
  const events = opts.events ?? 2000;
  const hooks = await receiver();
  try {
    // One endpoint of the bench workspace, paused while the notes are written.
    const main = await workspace(gql, opts.adminToken, false);
    const made = await gql<{ createWebhook: { webhook: { id: string } } }>(
      CREATE,
      { i: { url: hooks.url, events: ["NOTE_ADDED"] } },
      main.token,
    );
    const one = { ws: main, id: made.createWebhook.webhook.id };
    await gql(UPDATE, { i: { id: one.id, enabled: false } }, main.token);
    await writeNotes(gql, main, events);
    const oneEndpoint = await drain(opts, [one], events, hooks.count);
    log(`webhooks, one endpoint: ${oneEndpoint.perSecond} deliveries/s (${events} in ${oneEndpoint.seconds} s)`);

    // Commit to delivery, on that endpoint: a note at a time, 20 a second for 10 s.
    hooks.arrivals.clear();
    const sent = new Map<string, { at: number; answered: number }>();
    const rate = 20;
    for (let i = 0; i < rate * 10; i++) {
      const text = `t${i}`;
      const at = performance.now();
      await gql(NOTE, { i: { ticketIds: [main.tickets[i % main.tickets.length]], note: text } }, main.token);
      sent.set(text, { at, answered: performance.now() });
      await new Promise((r) => setTimeout(r, 1000 / rate));
    }
    await until(() => hooks.arrivals.size >= sent.size, "every timed delivery", 60_000);
    const sorted = (from: "at" | "answered") => [...sent].map(([text, t]) => hooks.arrivals.get(text)! - t[from]).sort((a, b) => a - b);
    const pick = (xs: number[], q: number) => Math.round(xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] * 10) / 10;
    const [fromSend, fromAnswer] = [sorted("at"), sorted("answered")];
    const commitToDelivery = {
      samples: fromSend.length,
      rate,
      p50Ms: pick(fromSend, 0.5),
      p99Ms: pick(fromSend, 0.99),
      maxMs: pick(fromSend, 1),
      afterAnswerP50Ms: pick(fromAnswer, 0.5),
      afterAnswerP99Ms: pick(fromAnswer, 0.99),
    };
    log(
      `webhooks, commit to delivery: p50 ${commitToDelivery.p50Ms} ms, p99 ${commitToDelivery.p99Ms} ms from the request; ` +
        `p50 ${commitToDelivery.afterAnswerP50Ms} ms, p99 ${commitToDelivery.afterAnswerP99Ms} ms from its answer`,
    );
    await gql(`mutation($i: DeleteWebhookInput!) { deleteWebhook(input: $i) { deletedId } }`, { i: { id: one.id } }, main.token);

    // 100 endpoints: 5 new workspaces of 20 endpoints each, every one paused while notes are written.
    const perWorkspace = Math.round(events / 100);
    const endpoints: Array<{ ws: Workspace; id: string }> = [];
    for (let w = 0; w < 5; w++) {
      const { signUp } = await gql<{ signUp: { token: string } }>(`mutation($i: SignUpInput!) { signUp(input: $i) { token } }`, {
        i: {
          email: `bench-webhooks-${Date.now()}-${w}@example.com`,
          password: "bench-password",
          name: "Bench",
          workspaceName: `Webhooks ${w}`,
        },
      });
      const ws = await workspace(gql, signUp.token, true);
      for (let e = 0; e < 20; e++) {
        const created = await gql<{ createWebhook: { webhook: { id: string } } }>(
          CREATE,
          { i: { url: `${hooks.url}?w=${w}&e=${e}`, events: ["NOTE_ADDED"] } },
          ws.token,
        );
        const id = created.createWebhook.webhook.id;
        await gql(UPDATE, { i: { id, enabled: false } }, ws.token);
        endpoints.push({ ws, id });
      }
      await writeNotes(gql, ws, perWorkspace);
    }
    const before = hooks.count();
    const total = perWorkspace * 100;
    const hundredEndpoints = await drain(opts, endpoints, total, () => hooks.count() - before);
    log(`webhooks, 100 endpoints: ${hundredEndpoints.perSecond} deliveries/s (${total} in ${hundredEndpoints.seconds} s)`);
    for (const e of endpoints)
      await gql(`mutation($i: DeleteWebhookInput!) { deleteWebhook(input: $i) { deletedId } }`, { i: { id: e.id } }, e.ws.token);
    return { oneEndpoint, hundredEndpoints, commitToDelivery };
  } finally {
    await hooks.close();
  }
}
