/**
 * One statement, so one round trip and one implicit transaction: claim the idempotency key (a
 * fresh key, or one older than 24 h), insert the event only if the claim succeeded, and insert a
 * delivery for every active subscription whose filter matches (or just `$7` for a test send).
 * No row back means the key was already taken. Why: docs/decisions/outbox-in-one-statement.md.
 *
 * $1 event id, $2 tenant id, $3 type, $4 data (JSON text), $5 idempotency key | null,
 * $6 request hash | null, $7 only this subscription | null, $8 W3C traceparent | null
 */
export const PUBLISH_SQL = `
WITH claim AS (
  INSERT INTO idempotency_keys (tenant_id, key, event_id, request_hash)
  SELECT $2, $5, $1, $6 WHERE $5::text IS NOT NULL
  ON CONFLICT (tenant_id, key) DO UPDATE
    SET event_id = EXCLUDED.event_id, request_hash = EXCLUDED.request_hash, created_at = now()
    WHERE idempotency_keys.created_at < now() - interval '24 hours'
  RETURNING event_id
), event AS (
  INSERT INTO events (id, tenant_id, type, data, idempotency_key, trace_parent)
  SELECT $1, $2, $3, $4::json, $5, $8 WHERE $5::text IS NULL OR EXISTS (SELECT 1 FROM claim)
  RETURNING id, created_at
), delivery AS (
  INSERT INTO deliveries (id, tenant_id, event_id, event_type, subscription_id, next_attempt_at, created_at, updated_at)
  SELECT 'dlv_' || hookline_ulid(), $2, event.id, $3, s.id, event.created_at, event.created_at, event.created_at
  FROM event
  JOIN subscriptions s ON s.tenant_id = $2 AND s.status = 'active' AND s.deleted_at IS NULL
  WHERE CASE WHEN $7::text IS NULL THEN hookline_type_matches(s.event_types, $3) ELSE s.id = $7 END
  RETURNING id, subscription_id
)
SELECT event.id, event.created_at AS "createdAt",
       COALESCE((SELECT json_agg(json_build_array(delivery.id, delivery.subscription_id)) FROM delivery), '[]'::json) AS deliveries
FROM event`;
