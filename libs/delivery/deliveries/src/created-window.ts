import { idFloorAt } from '@hookline/ids';

/**
 * How far a delivery's id time may lie from its created_at. The id is made while the insert runs,
 * created_at is its transaction's start (or, for a recovery, the event's time, which the id then
 * carries too), so they differ by the length of one transaction at most; an hour is far beyond it.
 */
const ID_TIME_SLACK_MS = 3_600_000;

export interface DeliveryIdRange {
  gte?: string;
  lt?: string;
}

/**
 * The id range holding every delivery created in [since, until), widened by the slack, combined
 * with the page cursor (ids below it). The exact created_at test stays in the query: the range only
 * lets Postgres read the window from the id index instead of walking every newer delivery down to
 * it (a one-day window 20 days back in a million deliveries: ~1 s before, under 1 ms after).
 */
export function deliveryIdRange(since?: Date, until?: Date, cursor?: string): DeliveryIdRange | undefined {
  const upper = until ? idFloorAt('dlv', until.getTime() + ID_TIME_SLACK_MS) : undefined;
  const range: DeliveryIdRange = {
    gte: since ? idFloorAt('dlv', since.getTime() - ID_TIME_SLACK_MS) : undefined,
    lt: cursor !== undefined && upper !== undefined ? (cursor < upper ? cursor : upper) : (cursor ?? upper),
  };
  return range.gte === undefined && range.lt === undefined ? undefined : range;
}
