import { LATENCY_BOUNDS_MS, LATENCY_BUCKET_COUNT, latencyBucket, latencyBucketRange, latencyPercentile } from './latency-histogram';

function histogramOf(durations: number[]): number[] {
  const counts = new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
  for (const ms of durations) counts[latencyBucket(ms)]++;
  return counts;
}

describe('latency histogram', () => {
  it('puts each duration in the bucket whose range holds it', () => {
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucket(9)).toBe(0);
    expect(latencyBucket(10)).toBe(1);
    expect(latencyBucket(29_999)).toBe(LATENCY_BOUNDS_MS.length - 1);
    expect(latencyBucket(30_000)).toBe(LATENCY_BOUNDS_MS.length);
    expect(latencyBucket(10 ** 9)).toBe(LATENCY_BUCKET_COUNT - 1);
    for (let ms = 0; ms < 40_000; ms += 7) {
      const [lower, upper] = latencyBucketRange(latencyBucket(ms));
      expect(ms >= lower && ms < upper).toBe(true);
    }
  });

  it('has no percentile without data', () => {
    expect(latencyPercentile(new Array(LATENCY_BUCKET_COUNT).fill(0), 0.5)).toBeNull();
    expect(latencyPercentile([], 0.95)).toBeNull();
  });

  it('answers a percentile inside the bucket of the true nearest-rank value', () => {
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let run = 0; run < 200; run++) {
      const durations = Array.from({ length: 1 + Math.floor(random() * 300) }, () => Math.floor(Math.exp(random() * 11)));
      const sorted = [...durations].sort((a, b) => a - b);
      for (const q of [0.5, 0.95]) {
        const truth = sorted[Math.ceil(q * sorted.length) - 1];
        const [lower, upper] = latencyBucketRange(latencyBucket(truth));
        const answer = latencyPercentile(histogramOf(durations), q)!;
        expect(answer).toBeGreaterThanOrEqual(lower);
        expect(answer).toBeLessThanOrEqual(upper === Infinity ? lower : upper);
      }
    }
  });

  it('reads an open-ended last bucket as its lower bound', () => {
    expect(latencyPercentile(histogramOf([60_000, 90_000]), 0.5)).toBe(30_000);
  });
});
