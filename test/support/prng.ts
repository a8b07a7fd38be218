/** mulberry32: a small, fast generator giving the same sequence everywhere for a seed, so a failing run replays. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws from a generator: chances, integers, picks and samples. */
export class Dice {
  constructor(readonly next: () => number) {}
  chance(p: number): boolean {
    return this.next() < p;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  /** Between lo and hi distinct items of xs, in random order. */
  some<T>(xs: readonly T[], lo: number, hi: number): T[] {
    const n = Math.min(xs.length, this.int(lo, hi));
    const copy = [...xs];
    const out: T[] = [];
    while (out.length < n) out.push(copy.splice(Math.floor(this.next() * copy.length), 1)[0]);
    return out;
  }
}
