/**
 * A webhook receiver, as an integrator that cannot hold a WebSocket would write one: it checks
 * each request's signature (Standard Webhooks) and age, skips what it has already handled (by
 * the webhook-id header, which is the same for every attempt at one item), handles the rest, and
 * answers 204 only once an item is handled and recorded, so that anything else is sent again.
 *
 * Only Node's own modules: `handleWebhook` is the whole logic and fits a serverless function
 * as well; `main` wraps it in an HTTP server.
 *
 *   WEBHOOK_SECRET=whsec_… STATE_FILE=./receiver.json PORT=8080 node -r @swc-node/register examples/webhook-receiver.ts
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import http from "node:http";

/** How old a request's timestamp may be (or how far ahead): a replayed capture is refused after it. */
const TOLERANCE_SECONDS = 5 * 60;
/** The ids remembered to skip a repeat: more than a retry could ever bring back. */
const REMEMBERED_IDS = 10_000;

export interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Delivery {
  id: string;
  type: string;
  timestamp: string;
  cursor: string;
  data: unknown;
}

/**
 * The Standard Webhooks check: HMAC-SHA256, keyed with the base64 after "whsec_", of
 * "<webhook-id>.<webhook-timestamp>.<body>" (the body exactly as received), compared in constant
 * time with each "v1,<base64>" of webhook-signature (there are two for a day after a rotation).
 */
export function verifyWebhook(secret: string, request: WebhookRequest, now = Date.now()): Delivery | undefined {
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const id = header("webhook-id");
  const timestamp = header("webhook-timestamp");
  const signatures = header("webhook-signature");
  if (!id || !timestamp || !signatures || !/^\d+$/.test(timestamp)) return undefined;
  if (Math.abs(now / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return undefined;
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${request.body}`).digest();
  const signed = signatures.split(" ").some((signature) => {
    const [version, mac] = signature.split(",");
    const given = Buffer.from(mac ?? "", "base64");
    return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!signed) return undefined;
  const json = JSON.parse(request.body) as Omit<Delivery, "id">;
  return { id, ...json };
}

/** What the receiver keeps between runs: the ids it handled (newest last) and the last cursor. */
interface State {
  handled: string[];
  cursor: string | null;
}

export function readState(file: string): State {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as State;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { handled: [], cursor: null };
    throw error;
  }
}

function writeState(file: string, state: State): void {
  // Replaced in one step: a crash leaves the old state or the new one, never half of one.
  writeFileSync(`${file}.tmp`, JSON.stringify(state));
  renameSync(`${file}.tmp`, file);
}

/**
 * Handles one request: 401 when it is not signed with the secret (or too old), 204 for an item
 * handled now or before. Items arrive one at a time, in order, so the state is simply appended.
 */
export function handleWebhook(
  secret: string,
  stateFile: string,
  request: WebhookRequest,
  handle: (delivery: Delivery) => void,
): { status: number; body: string } {
  let delivery: Delivery | undefined;
  try {
    delivery = verifyWebhook(secret, request);
  } catch {
    return { status: 400, body: "not JSON" };
  }
  if (!delivery) return { status: 401, body: "bad signature" };
  const state = readState(stateFile);
  if (state.handled.includes(delivery.id)) {
    console.log(`skipped ${delivery.id}: handled before`);
    return { status: 204, body: "" };
  }
  handle(delivery);
  if (delivery.type !== "PING") state.cursor = delivery.cursor;
  state.handled = [...state.handled, delivery.id].slice(-REMEMBERED_IDS);
  writeState(stateFile, state);
  return { status: 204, body: "" };
}

function main(): void {
  const secret = process.env.WEBHOOK_SECRET;
  const stateFile = process.env.STATE_FILE;
  if (!secret || !stateFile) {
    console.error("Set WEBHOOK_SECRET (the whsec_… createWebhook answered) and STATE_FILE.");
    process.exit(2);
  }
  const server = http.createServer((req, res) => {
    if (req.method !== "POST") return void res.writeHead(405).end();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > 1024 * 1024) req.destroy();
      else chunks.push(chunk);
    });
    req.on("end", () => {
      const answer = handleWebhook(secret, stateFile, { headers: req.headers, body: Buffer.concat(chunks).toString("utf8") }, (d) =>
        // A real receiver acts here: updates a CRM, starts a job... and throws to have it sent again.
        console.log(`handled ${d.type} ${d.cursor} ${d.id}`),
      );
      res.writeHead(answer.status, { "content-type": "text/plain" }).end(answer.body);
    });
  });
  server.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? "127.0.0.1", () => {
    const address = server.address();
    console.log(`listening on ${typeof address === "object" && address ? address.port : address}`);
  });
}

if (require.main === module) main();
