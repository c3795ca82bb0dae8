/**
 * Upper bounds (exclusive, in ms) of the attempt-duration histogram that the worker keeps per
 * subscription and minute; the last bucket is open-ended. Log-spaced: a percentile read from it is
 * exact to within its bucket. Appending a bound later is safe (older rows read as zeros there);
 * changing one is not, since stored counts would then mean other ranges.
 */
export const LATENCY_BOUNDS_MS = [10, 25, 50, 75, 100, 150, 200, 300, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 7_500, 10_000, 15_000, 30_000] as const;

export const LATENCY_BUCKET_COUNT = LATENCY_BOUNDS_MS.length + 1;

/** The histogram bucket of a duration: the first whose upper bound is above it. */
export function latencyBucket(durationMs: number): number {
  const index = LATENCY_BOUNDS_MS.findIndex((upper) => durationMs < upper);
  return index === -1 ? LATENCY_BOUNDS_MS.length : index;
}

/** [lower, upper) of a bucket in ms; the last bucket's upper bound is Infinity. */
export function latencyBucketRange(bucket: number): [number, number] {
  return [bucket === 0 ? 0 : LATENCY_BOUNDS_MS[bucket - 1], LATENCY_BOUNDS_MS[bucket] ?? Infinity];
}

/**
 * The q-quantile (0 < q <= 1) of the durations counted in `counts`, by nearest rank, interpolated
 * linearly inside the bucket that holds that rank (the open last bucket answers its lower bound).
 * Null when nothing was counted.
 */
export function latencyPercentile(counts: readonly number[], q: number): number | null {
  const total = counts.reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let before = 0;
  for (let bucket = 0; bucket < counts.length; bucket++) {
    const n = counts[bucket];
    if (before + n >= rank) {
      const [lower, upper] = latencyBucketRange(bucket);
      if (upper === Infinity) return lower;
      return Math.round(lower + ((upper - lower) * (rank - before)) / n);
    }
    before += n;
  }
  return null;
}
