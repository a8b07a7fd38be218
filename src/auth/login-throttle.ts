import { RateLimitedError } from "../errors";

/** Who a password attempt is counted against: the email it is for, and the client address it came from. */
export interface AttemptKeys {
  /** Normalised. */
  email: string;
  /** Undefined when unknown (an operation over a WebSocket): then only the email counts. */
  address: string | undefined;
}

/** One password check in progress: counted as a failure unless it is reported a success. */
export interface PasswordAttempt {
  succeeded(): void;
  failed(): void;
}

interface Attempt {
  /** When it started, in milliseconds. */
  at: number;
  settled: boolean;
}

/** A check not settled after this long failed on the way (a database error): it counts as a failure. */
const SETTLE_WITHIN_MS = 60_000;

/**
 * Failed password checks (every check of PasswordGate: logIn, signUp with an existing email,
 * acceptInvitation as an existing user), per email and per client
 * address, in this process. After `maxFailures` failures within `windowMs` for a key, further
 * attempts for it are refused with RATE_LIMITED and Retry-After until the oldest of them leaves
 * the window, without checking the password, so that a right guess during the lockout tells
 * nothing. An email that does not exist is counted and locked the same way, so the answer never
 * says whether it exists.
 *
 * An attempt counts as a failure from the moment it starts, so that concurrent guesses cannot all
 * pass the check before the first of them fails. A success takes its own attempt back from the
 * address and clears the email's failures: it never clears other attempts from the same address.
 */
export class LoginThrottle {
  /** Per key, its counted attempts, oldest first; at most maxFailures each. */
  private readonly attempts = new Map<string, Attempt[]>();
  private lastSweep: number;

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.lastSweep = now();
  }

  /** How many emails and addresses have attempts counted. */
  get size(): number {
    return this.attempts.size;
  }

  /** Starts a password check; throws RateLimitedError, checking nothing, when the email or the address is locked. */
  begin(keys: AttemptKeys): PasswordAttempt {
    const now = this.now();
    if (now - this.lastSweep >= this.windowMs) this.sweep(now);
    const emailKey = `email:${keys.email}`;
    const addressKey = keys.address === undefined ? undefined : `address:${keys.address}`;
    const names = addressKey === undefined ? [emailKey] : [emailKey, addressKey];
    let waitMs = 0;
    for (const name of names) {
      const live = this.live(name, now);
      if (live.length < this.maxFailures) continue;
      // Locked only by checks still running (concurrent attempts): one of them may yet succeed.
      const running = live.some((a) => !a.settled && a.at + SETTLE_WITHIN_MS > now);
      waitMs = Math.max(waitMs, running ? 1000 : live[0].at + this.windowMs - now);
    }
    if (waitMs > 0) {
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      throw new RateLimitedError(seconds, `Too many failed attempts to log in. Try again in ${seconds} second${seconds === 1 ? "" : "s"}.`);
    }
    const attempt: Attempt = { at: now, settled: false };
    for (const name of names) this.record(name, attempt);
    return {
      succeeded: () => {
        attempt.settled = true;
        this.attempts.delete(emailKey);
        if (addressKey === undefined) return;
        const list = this.attempts.get(addressKey);
        const mine = list?.indexOf(attempt) ?? -1;
        if (list && mine >= 0) list.splice(mine, 1);
        if (list?.length === 0) this.attempts.delete(addressKey);
      },
      failed: () => {
        attempt.settled = true;
      },
    };
  }

  /** The key's attempts still inside the window (older ones are dropped). */
  private live(name: string, now: number): Attempt[] {
    const list = this.attempts.get(name);
    if (!list) return [];
    while (list.length > 0 && list[0].at + this.windowMs <= now) list.shift();
    if (list.length === 0) this.attempts.delete(name);
    return list;
  }

  private record(name: string, attempt: Attempt): void {
    const list = this.attempts.get(name);
    if (list) {
      list.push(attempt);
      return;
    }
    if (this.attempts.size >= this.maxKeys) this.sweep(attempt.at);
    // Still full: forget the key counted longest ago rather than grow without bound.
    while (this.attempts.size >= this.maxKeys) {
      const oldest = this.attempts.keys().next();
      if (oldest.done) break;
      this.attempts.delete(oldest.value);
    }
    this.attempts.set(name, [attempt]);
  }

  /** Drops every key whose attempts have all left the window. */
  private sweep(now: number): void {
    this.lastSweep = now;
    for (const name of [...this.attempts.keys()]) this.live(name, now);
  }
}
