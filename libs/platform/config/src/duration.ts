const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** Parses `250ms`, `5s`, `30m`, `2h` into milliseconds; returns null for anything else. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!match) return null;
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
}

/** Parses a comma-separated RETRY_SCHEDULE into delays in ms; null if any entry is malformed. */
export function parseSchedule(text: string): number[] | null {
  if (text.trim() === '') return [];
  const delays = text.split(',').map(parseDuration);
  return delays.every((d): d is number => d !== null) ? delays : null;
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/**
 * Parses PARTITION_SPAN: `1d`, or a duration (`6h`, `15m`, `1m`) of whole minutes that divides a
 * UTC day evenly, so every day starts a span and a span's name (its start, to the minute) is unique.
 * Returns the span in ms, or null.
 */
export function parsePartitionSpan(text: string): number | null {
  const span = /^\s*1d\s*$/.test(text) ? DAY_MS : parseDuration(text);
  if (span === null || span < MINUTE_MS || span % MINUTE_MS !== 0 || DAY_MS % span !== 0) return null;
  return span;
}
