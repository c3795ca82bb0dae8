import type { Client } from 'pg';
import { newId } from '@hookline/ids';

/**
 * `count` pending, due deliveries of one event, written straight into Postgres with their tenant,
 * subscription (to a port nobody listens on) and event: for tests of the worker's statements alone.
 * Due deliveries in a shared database would be sent by another stack's sweeper, so use a database
 * of the test's own.
 */
export async function seedDeliveries(sql: Client, count: number): Promise<string[]> {
  const tenantId = newId('ten');
  const subscriptionId = newId('sub');
  const eventId = newId('evt');
  await sql.query(`INSERT INTO tenants (id, name, updated_at) VALUES ($1, 'seeded', now())`, [tenantId]);
  await sql.query(`INSERT INTO subscriptions (id, tenant_id, url, updated_at) VALUES ($1, $2, 'http://127.0.0.1:9/hook', now())`, [subscriptionId, tenantId]);
  await sql.query(`INSERT INTO events (id, tenant_id, type, data) VALUES ($1, $2, 'order.created', '{}')`, [eventId, tenantId]);
  const deliveryIds = Array.from({ length: count }, () => newId('dlv'));
  await sql.query(
    `INSERT INTO deliveries (id, tenant_id, event_id, event_type, subscription_id, next_attempt_at, updated_at)
     SELECT id, $2, $3, 'order.created', $4, now(), now() FROM unnest($1::text[]) AS id`,
    [deliveryIds, tenantId, eventId, subscriptionId],
  );
  return deliveryIds;
}
