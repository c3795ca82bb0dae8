const MINUTE = 60_000;

export const SERIES_BUCKETS = { '1m': MINUTE, '5m': 5 * MINUTE, '15m': 15 * MINUTE, '1h': 60 * MINUTE, '1d': 1_440 * MINUTE } as const;
export type SeriesBucket = keyof typeof SERIES_BUCKETS;
export const SERIES_BUCKET_NAMES = Object.keys(SERIES_BUCKETS) as SeriesBucket[];

/** A chart has at most this many points; more is refused rather than sent. */
export const MAX_SERIES_BUCKETS = 1_500;

export interface SeriesPlan {
  bucket: SeriesBucket;
  /** Start of the first bucket: `since` rounded down to a multiple of the bucket (UTC). */
  start: Date;
  until: Date;
  count: number;
  sizeMs: number;
}

/** The finest bucket that keeps the range to a few hundred points at most. */
export function defaultBucket(rangeMs: number): SeriesBucket {
  if (rangeMs <= 2 * 60 * MINUTE) return '1m';
  if (rangeMs <= 12 * 60 * MINUTE) return '5m';
  if (rangeMs <= 3 * 1_440 * MINUTE) return '15m';
  if (rangeMs <= 31 * 1_440 * MINUTE) return '1h';
  return '1d';
}

/** Buckets covering [since, until); every bucket is listed, empty or not, so a chart's axis is continuous. */
export function planSeries(since: Date, until: Date, bucket?: SeriesBucket): SeriesPlan {
  const chosen = bucket ?? defaultBucket(until.getTime() - since.getTime());
  const sizeMs = SERIES_BUCKETS[chosen];
  const start = new Date(Math.floor(since.getTime() / sizeMs) * sizeMs);
  const count = Math.max(0, Math.ceil((until.getTime() - start.getTime()) / sizeMs));
  return { bucket: chosen, start, until, count, sizeMs };
}
