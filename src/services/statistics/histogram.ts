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

/** Counts per bucket, by bucket index (dense: a reading adds thousands of them). */
export type Histogram = number[];

/** How many durations a histogram holds. */
export function countOf(histogram: Histogram): number {
  let total = 0;
  for (const n of histogram) total += n;
  return total;
}

/**
 * The q-quantiles (each 0 < q <= 1) by nearest rank: the value at rank ceil(q·n) of the n
 * durations, estimated inside its bucket by where the rank falls among the bucket's durations
 * (linearly in the first bucket, geometrically in the others). The estimate lies in the same
 * bucket as the exact value: within 25% of it, or within a second below one second. Null without
 * durations.
 */
export function quantiles(histogram: Histogram, qs: readonly number[]): Array<number | null> {
  const total = countOf(histogram);
  return qs.map((q) => {
    if (total === 0) return null;
    const rank = Math.max(1, Math.ceil(q * total));
    let below = 0;
    for (let bucket = 0; bucket < histogram.length; bucket++) {
      const count = histogram[bucket];
      if (count > 0 && below + count >= rank) {
        const [low, high] = bucketBounds(bucket);
        const within = (rank - below - 0.5) / count;
        return bucket === 0 ? low + (high - low) * within : low * (high / low) ** within;
      }
      below += count;
    }
    return null;
  });
}

/** Counts per bucket as the database sends them (`array_to_string` of the histogram), added to `histogram`. */
export function addBucketText(histogram: Histogram, text: string): void {
  if (text === "") return;
  let bucket = 0;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || text.charCodeAt(i) === 44 /* , */) {
      if (i > start + 1 || text.charCodeAt(start) !== 48 /* a lone 0 */) {
        const n = Number(text.slice(start, i));
        if (n !== 0) {
          while (histogram.length <= bucket) histogram.push(0);
          histogram[bucket] += n;
        }
      }
      bucket += 1;
      start = i + 1;
    }
  }
}
