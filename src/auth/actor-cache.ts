import type { Actor } from "../context";

interface Entry {
  actor: Actor;
  expires: number;
}

/**
 * Who a token acts for, remembered for a few seconds so that a request does not spend a
 * round trip to the database on it. Forgotten at once when a change to a workspace's tokens,
 * members or teams is announced (by this process or, through the feed channel, another), and
 * in any case after `ttlMs`, which bounds how long an announcement that was lost can matter.
 *
 * A lookup that started before an announcement and ends after it is not remembered: it may
 * have read the state from before the change.
 */
export class ActorCache {
  private readonly entries = new Map<string, Entry>();
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /** A copy of the remembered actor: callers may change theirs (live connections do). */
  get(key: string, now = Date.now()): Actor | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return { ...entry.actor };
  }

  /** The generation to hand back to `set`: a change announced in between voids the lookup. */
  begin(): number {
    return this.generation;
  }

  set(key: string, actor: Actor, generation: number, now = Date.now()): void {
    if (!this.enabled || generation !== this.generation) return;
    if (this.entries.size >= this.maxEntries) this.evictExpired(now);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { actor: { ...actor }, expires: now + this.ttlMs });
  }

  /** Tokens, members or teams of a workspace changed; undefined: of any workspace. */
  forget(workspaceId: string | undefined): void {
    this.generation++;
    for (const [key, entry] of this.entries)
      if (workspaceId === undefined || entry.actor.workspaceId === workspaceId) this.entries.delete(key);
  }

  private evictExpired(now: number): void {
    for (const [key, entry] of this.entries) if (entry.expires <= now) this.entries.delete(key);
  }
}
