import type { NextFunction, Request, RequestHandler, Response } from "express";
import { bearerToken } from "../../auth/tokens";
import type { Actor } from "../../context";
import type { ErrorCode } from "../../errors";

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date, in milliseconds. */
  at: number;
}

/** How often buckets that have filled up again are dropped. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Token buckets, one per key, in this process: each holds up to `burst` requests and refills at
 * `ratePerSecond`. A bucket that has filled up again is the same as none, so it is dropped: idle
 * clients take no memory. At most `maxBuckets` are kept; past that the least recently used goes.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly maxBuckets = 100_000,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new RangeError("a token bucket needs a positive rate and a burst of at least 1");
    this.lastSweep = now();
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Takes one request from the key's bucket: 0 when it may go ahead, else the whole seconds to wait. */
  take(key: string): number {
    const now = this.now();
    if (now - this.lastSweep >= SWEEP_INTERVAL_MS) this.sweep(now);
    const bucket = this.buckets.get(key);
    let current: Bucket;
    if (bucket) {
      current = { tokens: this.level(bucket, now), at: now };
      // Re-inserted, so that the map stays in least recently used order.
      this.buckets.delete(key);
    } else {
      current = { tokens: this.burst, at: now };
      if (this.buckets.size >= this.maxBuckets) this.sweep(now);
      while (this.buckets.size >= this.maxBuckets) {
        const oldest = this.buckets.keys().next();
        if (oldest.done) break;
        this.buckets.delete(oldest.value);
      }
    }
    this.buckets.set(key, current);
    if (current.tokens >= 1) {
      current.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - current.tokens) / this.ratePerSecond));
  }

  /** The bucket's requests at `now`. */
  private level(bucket: Bucket, now: number): number {
    return Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerSecond);
  }

  /** Drops the buckets that are full again. */
  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) if (this.level(bucket, now) >= this.burst) this.buckets.delete(key);
  }
}

/**
 * The request limits: a bucket per token (per client address without one), and one per member
 * that all of the member's tokens share, so that holding many API tokens buys no more requests
 * than the member's own limit.
 */
export class RequestLimits {
  constructor(
    readonly perToken: TokenBuckets,
    readonly perMember: TokenBuckets,
  ) {}

  /** Takes one request for this actor (or anonymous address): 0 when it may go ahead, else the refusal. */
  take(actor: Actor | undefined, address: string | undefined): { wait: number; message: string } | undefined {
    const token = this.perToken.take(actor ? `token:${actor.tokenId}` : `address:${address ?? "unknown"}`);
    if (token > 0) {
      return {
        wait: token,
        message:
          `Too many requests: at most ${this.perToken.ratePerSecond} per second (${this.perToken.burst} at once) per token, ` +
          `or per address without one. ${retryIn(token)}`,
      };
    }
    const member = actor ? this.perMember.take(`member:${actor.membershipId}`) : 0;
    if (member > 0) {
      return {
        wait: member,
        message:
          `Too many requests: at most ${this.perMember.ratePerSecond} per second (${this.perMember.burst} at once) ` +
          `for all of a member's tokens together. ${retryIn(member)}`,
      };
    }
    return undefined;
  }
}

const retryIn = (wait: number) => `Retry in ${wait} second${wait === 1 ? "" : "s"}.`;

/** The actor the admission middleware found for this request's token, if any. */
export function admittedActor(res: Response): Actor | undefined {
  return (res.locals as { actor?: Actor }).actor;
}

/**
 * Authenticates the request's bearer token once (the GraphQL context reuses the actor, see
 * admittedActor), then takes a request from the bucket of its token, or of the client address
 * when there is no valid token, and from its member's. Over a limit: HTTP 429 with Retry-After,
 * RATE_LIMITED and extensions.retryAfter, before the body is read. `limits` undefined: no limit.
 */
export function admission(authenticate: (token: string) => Promise<Actor | undefined>, limits: RequestLimits | undefined): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const token = bearerToken(req.headers.authorization);
    const actor = token ? await authenticate(token) : undefined;
    (res.locals as { actor?: Actor }).actor = actor;
    const refused = limits?.take(actor, req.ip);
    if (!refused) return next();
    res
      .status(429)
      .set("retry-after", String(refused.wait))
      .json({ errors: [{ message: refused.message, extensions: { code: "RATE_LIMITED" satisfies ErrorCode, retryAfter: refused.wait } }] });
  };
}

/** graphql-ws close code for a connection that sent operations faster than its token's limit. */
export const TOO_MANY_REQUESTS_CLOSE = 4429;
