import { Client } from 'pg';

/** The seeded tenant's event types; the last one is rare (one delivery in a thousand). */
export const COMMON_TYPES = ['bench.order.created', 'bench.order.paid', 'bench.order.shipped', 'bench.invoice.sent'];
export const RARE_TYPE = 'bench.refund.disputed';
const SPREAD_DAYS = 30;

/**
 * Writes `count` events and one delivery each for the tenant, straight into Postgres with
 * generate_series: the API would take hours to publish a million events on a small machine, and
 * how they got there is not what this bench measures. Event n is n/count of the way through the
 * last 30 days; its delivery goes to subscription n mod k; 5 % are dead, 4 % failed, 1 % pending.
 * Ids are ULIDs of each row's created_at, as publishing makes them, so ids sort by time.
 */
export async function seedDeliveries(databaseUrl: string, tenantId: string, subscriptionIds: string[], count: number): Promise<void> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    // A ULID from a time and a counter: 10 base-32 digits of milliseconds, then the counter
    // zero-padded to 16 digits (unique, and in order within one millisecond).
    await db.query(`
      CREATE FUNCTION pg_temp.base32(v bigint, digits int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
        SELECT string_agg(substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((v >> (5 * i)) & 31)::int + 1, 1), '' ORDER BY i DESC)
        FROM generate_series(0, digits - 1) i $$`);
    await db.query(
      `CREATE TEMP TABLE seed AS
       SELECT n, at, pg_temp.base32((extract(epoch FROM at) * 1000)::bigint, 10) || '000000' || pg_temp.base32(n, 10) AS ulid,
              CASE WHEN n % 1000 = 7 THEN $3 ELSE ($4::text[])[1 + (n / 3) % cardinality($4::text[])] END AS type,
              ($5::text[])[1 + n % cardinality($5::text[])] AS subscription_id,
              (CASE WHEN n % 20 = 3 THEN 'dead' WHEN n % 25 = 4 THEN 'failed' WHEN n % 100 = 5 THEN 'pending' ELSE 'succeeded' END)::"DeliveryStatus" AS status
       FROM (SELECT n, now() - make_interval(secs => $2 * 86400.0 * ($1 - n) / $1) AS at FROM generate_series(0, $1 - 1) n) s`,
      [count, SPREAD_DAYS, RARE_TYPE, COMMON_TYPES, subscriptionIds],
    );
    await db.query(
      `INSERT INTO events (id, tenant_id, type, data, created_at)
       SELECT 'evt_' || ulid, $1, type, json_build_object('orderId', 'ord_' || n, 'amount', 100 + n % 9973), at FROM seed ORDER BY n`,
      [tenantId],
    );
    await db.query(
      `INSERT INTO deliveries (id, tenant_id, event_id, event_type, subscription_id, status, attempt_count, cycle_attempts,
                               next_attempt_at, last_attempt_at, last_status_code, created_at, updated_at)
       SELECT 'dlv_' || ulid, $1, 'evt_' || ulid, type, subscription_id, status,
              CASE status WHEN 'succeeded' THEN 1 WHEN 'dead' THEN 8 WHEN 'failed' THEN 3 ELSE 0 END,
              CASE status WHEN 'succeeded' THEN 1 WHEN 'dead' THEN 8 WHEN 'failed' THEN 3 ELSE 0 END,
              CASE WHEN status IN ('pending', 'failed') THEN now() + interval '1 hour' END,
              CASE WHEN status <> 'pending' THEN at END,
              CASE status WHEN 'succeeded' THEN 200 WHEN 'pending' THEN NULL ELSE 503 END,
              at, at
       FROM seed ORDER BY n`,
      [tenantId],
    );
    // What autovacuum would have done long before a table reached this size.
    await db.query('VACUUM ANALYZE events');
    await db.query('VACUUM ANALYZE deliveries');
  } finally {
    await db.end();
  }
}
