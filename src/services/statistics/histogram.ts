/**
 * Durations are counted in log-spaced buckets, so that a percentile over any days and keys is
 * estimated from sums alone: bucket 0 holds [0, 1 s), bucket k >= 1 holds [R^(k-1), R^k) seconds,
 * each 25% wider than the one before (a week falls in bucket 56).
 */
export const BUCKET_RATIO = 1.25;

/** The bucket of a duration, as SQL over a `seconds` expression (the one place it is computed). */
export function bucketSql(seconds: string): string {
  return `CASE WHEN ${seconds} < 1 THEN 0 ELSE floor(ln(${seconds}) / ln(${BUCKET_RATIO}))::int + 1 END`;
}

/** The bounds of a bucket, in seconds. */
export function bucketBounds(bucket: number): [number, number] {
  return bucket === 0 ? [0, 1] : [BUCKET_RATIO ** (bucket - 1), BUCKET_RATIO ** bucket];
}

/** Counts per bucket. */
export type Histogram = Map<number, number>;

/**
 * The q-quantile (0 < q <= 1) by nearest rank: the value at rank ceil(q·n) of the n durations,
 * estimated inside its bucket by where the rank falls among the bucket's durations (linearly in
 * the first bucket, geometrically in the others). The estimate lies in the same bucket as the
 * exact value: within 25% of it, or within a second below one second. Null without durations.
 */
export function quantile(histogram: Histogram, q: number): number | null {
  const total = [...histogram.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let below = 0;
  for (const bucket of [...histogram.keys()].sort((a, b) => a - b)) {
    const count = histogram.get(bucket) ?? 0;
    if (below + count >= rank) {
      const [low, high] = bucketBounds(bucket);
      const within = (rank - below - 0.5) / count;
      return bucket === 0 ? low + (high - low) * within : low * (high / low) ** within;
    }
    below += count;
  }
  return null;
}
