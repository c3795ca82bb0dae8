import type { IdPrefix } from '@hookline/ids';
import { idFloorAt, idTime } from '@hookline/ids';

/** The tables partitioned by id range, one partition per PARTITION_SPAN (a UTC day by default), and the id prefix of their rows. */
export const PARTITIONED_TABLES: readonly { table: string; prefix: IdPrefix }[] = [
  { table: 'events', prefix: 'evt' },
  { table: 'deliveries', prefix: 'dlv' },
  { table: 'attempts', prefix: 'att' },
];

export const DAY_MS = 86_400_000;

/** Days the worker keeps partitions ready for beyond today; the migration made as many. */
export const DAYS_AHEAD = 7;

/**
 * With a span finer than a day, how many spans ahead are kept ready, at most: a week of minute
 * spans would be 10,080 empty tables per partitioned table, each one more for every query not
 * pruned by id to plan for. 48 spans are two days of hours, twelve hours of quarter hours.
 */
export const MAX_SPANS_AHEAD = 48;

/** An id range [from, to); null for MINVALUE / MAXVALUE. */
export interface IdRange {
  from: string | null;
  to: string | null;
}

export interface SpanPartition extends IdRange {
  name: string;
  from: string;
  to: string;
}

/** How far ahead of now partitions are kept: a week, or MAX_SPANS_AHEAD spans if that is shorter. */
export function lookAheadMs(spanMs: number): number {
  return Math.min(DAYS_AHEAD * DAY_MS, MAX_SPANS_AHEAD * spanMs);
}

/** The start of the span `ms` falls in; spans divide a UTC day, so every day starts one. */
export function startOfSpan(ms: number, spanMs: number): number {
  return Math.floor(ms / spanMs) * spanMs;
}

/** Midnight UTC of the day `ms` falls in. */
export function startOfDay(ms: number): number {
  return startOfSpan(ms, DAY_MS);
}

/**
 * `events_p20261205` for a whole UTC day, as before spans existed; `events_p202612051430` (its UTC
 * start to the minute) for any other range: a finer span, or the part of a span an older partition
 * left uncovered.
 */
export function partitionName(table: string, fromMs: number, toMs: number): string {
  const stamp = new Date(fromMs).toISOString().replace(/\D/g, '');
  const wholeDay = toMs - fromMs === DAY_MS && startOfDay(fromMs) === fromMs;
  return `${table}_p${stamp.slice(0, wholeDay ? 8 : 12)}`;
}

/** The partition holding the ids made in [fromMs, toMs). */
export function rangePartition(table: string, prefix: IdPrefix, fromMs: number, toMs: number): SpanPartition {
  return { name: partitionName(table, fromMs, toMs), from: idFloorAt(prefix, fromMs), to: idFloorAt(prefix, toMs) };
}

/** The partition of the span starting at `spanStart`. */
export function spanPartition(table: string, prefix: IdPrefix, spanStart: number, spanMs: number): SpanPartition {
  return rangePartition(table, prefix, spanStart, spanStart + spanMs);
}

/** `events_p20261205`: the partition of the UTC day starting at `dayStart`, holding the ids made that day. */
export function dayPartition(table: string, prefix: IdPrefix, dayStart: number): SpanPartition {
  return spanPartition(table, prefix, dayStart, DAY_MS);
}

/** Reads `pg_get_expr(relpartbound)`: `FOR VALUES FROM ('evt_…') TO ('evt_…')`, either end possibly MINVALUE/MAXVALUE. */
export function parseRangeBound(bound: string): IdRange | null {
  const match = /^FOR VALUES FROM \((?:'([^']*)'|MINVALUE)\) TO \((?:'([^']*)'|MAXVALUE)\)$/.exec(bound);
  return match ? { from: match[1] ?? null, to: match[2] ?? null } : null;
}

export function rangesOverlap(a: IdRange, b: IdRange): boolean {
  const aEndsBeforeB = a.to !== null && b.from !== null && a.to <= b.from;
  const bEndsBeforeA = b.to !== null && a.from !== null && b.to <= a.from;
  return !aEndsBeforeB && !bEndsBeforeA;
}

/**
 * The parts of `range` no range of `existing` covers, in order. After PARTITION_SPAN changed, the
 * partitions of the old span cover part of a new span: the rest still needs a partition, or an
 * insert there would find none.
 */
export function uncoveredParts(range: SpanPartition, existing: readonly IdRange[]): { from: string; to: string }[] {
  const covering = existing.filter((e) => rangesOverlap(e, range)).sort((a, b) => ((a.from ?? '') < (b.from ?? '') ? -1 : 1));
  const parts: { from: string; to: string }[] = [];
  let cursor = range.from;
  for (const e of covering) {
    if (e.from !== null && e.from > cursor) parts.push({ from: cursor, to: e.from });
    if (e.to === null || e.to >= range.to) return parts;
    if (e.to > cursor) cursor = e.to;
  }
  parts.push({ from: cursor, to: range.to });
  return parts;
}

/** Whether every id the range can hold was made before `cutoff` (ms): the whole partition is past retention. */
export function entirelyBefore(range: IdRange, cutoff: number): boolean {
  return range.to !== null && idTime(range.to) <= cutoff;
}
