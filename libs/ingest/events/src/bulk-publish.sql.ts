/**
 * Every publish, one event or many (REST and gRPC single publishes through the group commit, test
 * sends, bulk ingestion, gRPC streams): one statement, so a whole batch costs one round trip and is
 * all-or-nothing inside its transaction. Claims every idempotency key (fresh, or older than 24 h),
 * inserts the events of claimed and keyless rows in input order (so `seq` follows the file), and
 * fans each out to every active subscription whose filter matches, or, for an event named in `$3`
 * (a test send), to that one subscription if it is active. Why: docs/decisions/outbox-in-one-statement.md.
 *
 * Keys must be distinct within one call (ON CONFLICT cannot touch a row twice in one statement);
 * they are claimed in key order so two chunks sharing keys lock them in the same order.
 *
 * $1 tenant id, $2 the rows as one JSON array of `{ ord, id, type, data, key, hash, tp }` (`key`,
 * `hash` and `tp`, the W3C traceparent, null for none), $3 null, or for test sends a JSON object
 * of event id → the one subscription id. A parameter, not a column of every row: ordinary batches
 * then pay neither the bytes nor a join back to the input. One JSON document rather than parallel arrays: node-postgres escapes a
 * 10,000-element text[] several times slower than JSON.stringify, and a `json` column keeps each
 * `data` byte for byte as it appears in the document.
 *
 * Returns one row: the ids of the events inserted, their `created_at` (one transaction, one
 * time), and the deliveries as [deliveryId, eventId, subscriptionId] triples.
 */
export const BULK_PUBLISH_SQL = `
WITH input AS (
  SELECT * FROM json_to_recordset($2::json) AS t(ord int, id text, type text, data json, key text, hash text, tp text)
), claim AS (
  INSERT INTO idempotency_keys (tenant_id, key, event_id, request_hash)
  SELECT $1, key, id, hash FROM input WHERE key IS NOT NULL ORDER BY key
  ON CONFLICT (tenant_id, key) DO UPDATE
    SET event_id = EXCLUDED.event_id, request_hash = EXCLUDED.request_hash, created_at = now()
    WHERE idempotency_keys.created_at < now() - interval '24 hours'
  RETURNING key
), event AS (
  INSERT INTO events (id, tenant_id, type, data, idempotency_key, trace_parent)
  SELECT i.id, $1, i.type, i.data, i.key, i.tp FROM input i
  WHERE i.key IS NULL OR i.key IN (SELECT key FROM claim)
  ORDER BY i.ord
  RETURNING id, type, created_at
), delivery AS (
  INSERT INTO deliveries (id, tenant_id, event_id, event_type, subscription_id, next_attempt_at, created_at, updated_at)
  SELECT 'dlv_' || hookline_ulid(), $1, e.id, e.type, s.id, e.created_at, e.created_at, e.created_at
  FROM event e
  JOIN subscriptions s ON s.tenant_id = $1 AND s.status = 'active' AND s.deleted_at IS NULL
  WHERE CASE WHEN $3::jsonb ? e.id THEN s.id = $3::jsonb ->> e.id ELSE hookline_type_matches(s.event_types, e.type) END
  RETURNING id, event_id, subscription_id
)
SELECT COALESCE((SELECT array_agg(id) FROM event), '{}') AS "eventIds",
       (SELECT created_at FROM event LIMIT 1) AS "createdAt",
       COALESCE((SELECT json_agg(json_build_array(id, event_id, subscription_id)) FROM delivery), '[]'::json) AS deliveries`;

/** Claims of these keys still inside the 24 h window, read before publishing. $1 tenant, $2 keys. */
export const LIVE_CLAIMS_SQL = `
SELECT key, event_id AS "eventId", request_hash AS "requestHash"
FROM idempotency_keys WHERE tenant_id = $1 AND key = ANY($2::text[]) AND created_at >= now() - interval '24 hours'`;

/** The stored claim of each key, read after BULK_PUBLISH_SQL (a new snapshot sees concurrent claims). $1 tenant, $2 keys. */
export const CLAIMS_SQL = `
SELECT key, event_id AS "eventId", request_hash AS "requestHash"
FROM idempotency_keys WHERE tenant_id = $1 AND key = ANY($2::text[])`;
