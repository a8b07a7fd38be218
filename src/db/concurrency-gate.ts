/**
 * At most `limit` holders per key at once, in this process; the others wait in order, holding
 * nothing. The unit of work takes a permit of its workspace before its transaction takes a pooled
 * connection: one workspace's burst of writes, however large, leaves connections to the others.
 */
export class ConcurrencyGate {
  private readonly keys = new Map<string, { active: number; waiting: Array<() => void> }>();

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError("a concurrency gate needs a limit of at least 1");
  }

  /** Resolves, once `key` has fewer than `limit` holders, with the function that gives the permit back. */
  async acquire(key: string): Promise<() => void> {
    let entry = this.keys.get(key);
    if (!entry) {
      entry = { active: 0, waiting: [] };
      this.keys.set(key, entry);
    }
    const held = entry;
    if (held.active >= this.limit) await new Promise<void>((resolve) => held.waiting.push(resolve));
    else held.active += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = held.waiting.shift();
      // The permit passes to the next waiter as it is; with none, it goes back.
      if (next) next();
      else if (--held.active === 0) this.keys.delete(key);
    };
  }

  /** How many hold a permit of `key` now. */
  holders(key: string): number {
    return this.keys.get(key)?.active ?? 0;
  }
}
