import { defaultBucket, planSeries } from './series-buckets';

describe('series buckets', () => {
  it('aligns the first bucket to the bucket size and covers the range', () => {
    const plan = planSeries(new Date('2026-12-03T08:07:30Z'), new Date('2026-12-03T09:00:00Z'), '5m');
    expect(plan).toMatchObject({ bucket: '5m', start: new Date('2026-12-03T08:05:00Z'), count: 11, sizeMs: 300_000 });
    const partial = planSeries(new Date('2026-12-03T08:00:00Z'), new Date('2026-12-03T08:00:01Z'), '1h');
    expect(partial.count).toBe(1);
  });

  it('picks a bucket from the range', () => {
    expect(defaultBucket(60 * 60_000)).toBe('1m');
    expect(defaultBucket(24 * 60 * 60_000)).toBe('15m');
    expect(defaultBucket(7 * 24 * 60 * 60_000)).toBe('1h');
    expect(defaultBucket(90 * 24 * 60 * 60_000)).toBe('1d');
    for (const days of [0.01, 0.5, 1, 2, 3, 10, 31, 365]) {
      const since = new Date('2026-01-01T00:00:00Z');
      expect(planSeries(since, new Date(since.getTime() + days * 86_400_000)).count).toBeLessThanOrEqual(1_500);
    }
  });
});
