import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/** One request a receiver got. */
export interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  json: { type: string; timestamp: string; cursor: string; data: Record<string, unknown> | null };
  at: number;
  /** What the receiver answered (0: it never answered). */
  answered: number;
}

/** What the receiver does with a request: a status, optionally after a delay, or "hang" (never answers). */
export type Behaviour = (request: Received, index: number) => { status: number; delayMs?: number; body?: string } | "hang";

/**
 * A webhook receiver on loopback, as an integrator would write one: it records every request and
 * answers as told. `inFlight` tracks requests open at once (a sender must have one at a time).
 */
export class Receiver {
  readonly received: Received[] = [];
  behaviour: Behaviour = () => ({ status: 204 });
  maxInFlight = 0;
  private inFlight = 0;
  private readonly hanging = new Set<http.ServerResponse>();
  private readonly server: http.Server;
  url = "";

  constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const got: Received = {
          id: String(req.headers["webhook-id"] ?? ""),
          timestamp: String(req.headers["webhook-timestamp"] ?? ""),
          signature: String(req.headers["webhook-signature"] ?? ""),
          body,
          json: JSON.parse(body) as Received["json"],
          at: Date.now(),
          answered: 0,
        };
        const index = this.received.push(got) - 1;
        this.inFlight += 1;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        const done = () => (this.inFlight -= 1);
        res.on("close", done);
        const action = this.behaviour(got, index);
        if (action === "hang") {
          this.hanging.add(res);
          return;
        }
        setTimeout(() => {
          got.answered = action.status;
          res.writeHead(action.status, { "content-type": "text/plain" }).end(action.body ?? "ok");
        }, action.delayMs ?? 0);
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
    return this;
  }

  /** The requests a receiver keeps after deduplicating by webhook-id (the first of each). */
  deduplicated(): Received[] {
    const seen = new Set<string>();
    return this.received.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
  }

  /** The 2xx-acknowledged requests, deduplicated: what a receiver that acts on success has processed. */
  processed(): Received[] {
    const seen = new Set<string>();
    return this.received.filter((r) => r.answered >= 200 && r.answered < 300 && (seen.has(r.id) ? false : (seen.add(r.id), true)));
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * The documented check (docs/integrators.md), written here from the Standard Webhooks text rather
 * than imported from the server: HMAC-SHA256 of "id.timestamp.body" under the base64 key after
 * "whsec_", compared with each "v1,<base64>" of the header.
 */
export function verifies(secret: string, r: Pick<Received, "id" | "timestamp" | "signature" | "body">): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${r.id}.${r.timestamp}.${r.body}`).digest();
  return r.signature.split(" ").some((part) => {
    const [version, mac] = part.split(",");
    const given = Buffer.from(mac ?? "", "base64");
    return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** Orders feed cursors ("tx.seq" or "tx.seq.flow") as the feed does. */
export function compareFeedCursors(a: string, b: string): number {
  const key = (c: string) => {
    const [tx, seq, flow] = c.split(".");
    return [BigInt(tx), flow ? 1n : 0n, BigInt(seq)];
  };
  const [x, y] = [key(a), key(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`gave up waiting for ${what}`);
}
