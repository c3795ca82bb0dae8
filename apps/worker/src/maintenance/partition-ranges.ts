import type { IdPrefix } from '@hookline/ids';
import { idFloorAt, idTime } from '@hookline/ids';

/** The tables partitioned by id range, one partition per UTC day, and the id prefix of their rows. */
export const PARTITIONED_TABLES: readonly { table: string; prefix: IdPrefix }[] = [
  { table: 'events', prefix: 'evt' },
  { table: 'deliveries', prefix: 'dlv' },
  { table: 'attempts', prefix: 'att' },
];

export const DAY_MS = 86_400_000;

/** Days the worker keeps partitions ready for beyond today; the migration made as many. */
export const DAYS_AHEAD = 7;

/** An id range [from, to); null for MINVALUE / MAXVALUE. */
export interface IdRange {
  from: string | null;
  to: string | null;
}

export interface DayPartition extends IdRange {
  name: string;
  from: string;
  to: string;
}

/** Midnight UTC of the day `ms` falls in. */
export function startOfDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** `events_p20261205`: the partition of the UTC day starting at `dayStart`, holding the ids made that day. */
export function dayPartition(table: string, prefix: IdPrefix, dayStart: number): DayPartition {
  const date = new Date(dayStart).toISOString().slice(0, 10).replace(/-/g, '');
  return { name: `${table}_p${date}`, from: idFloorAt(prefix, dayStart), to: idFloorAt(prefix, dayStart + DAY_MS) };
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

/** Whether every id the range can hold was made before `cutoff` (ms): the whole partition is past retention. */
export function entirelyBefore(range: IdRange, cutoff: number): boolean {
  return range.to !== null && idTime(range.to) <= cutoff;
}
