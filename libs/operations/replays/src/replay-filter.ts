/** Statuses a bulk replay may select. `succeeded` never: only a replay by id re-sends a success. */
export const REPLAYABLE_STATUSES = ['dead', 'failed', 'cancelled'] as const;
export type ReplayableStatus = (typeof REPLAYABLE_STATUSES)[number];
export const DEFAULT_REPLAY_STATUSES: ReplayableStatus[] = ['dead', 'failed'];

/** What a replay selects, as stored in `replays.filter` (times as ISO-8601 strings). */
export interface ReplayFilter {
  tenantId?: string;
  subscriptionId?: string;
  /** An event type name or a `prefix.*` wildcard. */
  eventType?: string;
  status: ReplayableStatus[];
  /** On the delivery's creation time (= the event's publish time): since ≤ t < until. */
  since?: string;
  until?: string;
  /**
   * Recovery of one subscription: also create deliveries for the window's matching events that
   * have none for it (published while it was disabled).
   */
  createMissing?: boolean;
}

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/**
 * `FROM … WHERE …` selecting the deliveries a replay matches, as `d`. Parameters are numbered from
 * `first`. Only deliveries of live, active subscriptions: for a disabled one they would be
 * cancelled at once (and drop out of the dead letters). `snapshotAt` bounds the set, so a replay
 * ends even while new deliveries keep failing.
 */
export function matchingDeliveries(filter: ReplayFilter, snapshotAt: Date, first = 1): SqlFragment {
  const params: unknown[] = [];
  const param = (value: unknown, cast = '') => `$${first + params.push(value) - 1}${cast}`;
  const where = [
    `s.status = 'active'`,
    `s.deleted_at IS NULL`,
    `d.status = ANY(${param(filter.status, '::"DeliveryStatus"[]')})`,
    `d.created_at <= ${param(snapshotAt, '::timestamptz')}`,
  ];
  if (filter.tenantId) where.push(`d.tenant_id = ${param(filter.tenantId)}`);
  if (filter.subscriptionId) where.push(`d.subscription_id = ${param(filter.subscriptionId)}`);
  if (filter.since) where.push(`d.created_at >= ${param(new Date(filter.since), '::timestamptz')}`);
  if (filter.until) where.push(`d.created_at < ${param(new Date(filter.until), '::timestamptz')}`);
  if (filter.eventType !== undefined) where.push(`hookline_type_matches(ARRAY[${param(filter.eventType)}]::text[], d.event_type)`);
  return { sql: `FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id WHERE ${where.join(' AND ')}`, params };
}

/**
 * `FROM … WHERE …` selecting, as `e` with its subscription `s`, the events of a recovery window
 * that match the subscription's filter, were published after it was created, and have no delivery
 * for it. Parameters are numbered from `first`.
 */
export function missingDeliveries(filter: ReplayFilter, snapshotAt: Date, first = 1): SqlFragment {
  if (!filter.subscriptionId) throw new Error('a recovery names its subscription');
  const params: unknown[] = [];
  const param = (value: unknown, cast = '') => `$${first + params.push(value) - 1}${cast}`;
  const where = [
    `s.id = ${param(filter.subscriptionId)}`,
    `s.status = 'active'`,
    `s.deleted_at IS NULL`,
    `e.tenant_id = s.tenant_id`,
    ...(filter.tenantId ? [`e.tenant_id = ${param(filter.tenantId)}`] : []),
    `e.created_at >= s.created_at`,
    `e.created_at <= ${param(snapshotAt, '::timestamptz')}`,
    `hookline_type_matches(s.event_types, e.type)`,
    // Test sends (POST …/test) were meant for one subscription only.
    `e.type <> 'webhook.test'`,
    `NOT EXISTS (SELECT 1 FROM deliveries x WHERE x.event_id = e.id AND x.subscription_id = s.id)`,
  ];
  if (filter.since) where.push(`e.created_at >= ${param(new Date(filter.since), '::timestamptz')}`);
  if (filter.until) where.push(`e.created_at < ${param(new Date(filter.until), '::timestamptz')}`);
  if (filter.eventType !== undefined) where.push(`hookline_type_matches(ARRAY[${param(filter.eventType)}]::text[], e.type)`);
  return { sql: `FROM events e JOIN subscriptions s ON ${where.join(' AND ')}`, params };
}
