import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { AppConfig } from '@hookline/config';
import { migrateDatabase, MIGRATIONS_DIR, readMigrations, SqlPool } from '@hookline/database';
import { newId } from '@hookline/ids';
import type { TestApi } from '../support';
import { startTestApi } from '../support';
import { DAY_MS, dayPartition, startOfDay } from '../../apps/worker/src/maintenance/partition-ranges';
import { PartitionsRepository } from '../../apps/worker/src/maintenance/partitions.repository';

/**
 * The migration to partitioned storage keeps every row: a database filled by the schema before it
 * (events, deliveries and attempts over several days) is migrated, and every row is still there,
 * unchanged and readable through the API; new rows land in the partition of their day.
 */

const PARTITION_MIGRATION = '20261204090000_partitioned_storage';
const TABLES = ['events', 'deliveries', 'attempts'] as const;

describe('migration to partitioned storage', () => {
  const base = new URL(process.env.DATABASE_URL!);
  const name = `${base.pathname.slice(1)}_${randomBytes(4).toString('hex')}`;
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  let sql: Client;
  let api: TestApi | undefined;

  beforeAll(async () => {
    await migrateDatabase(url.toString(), MIGRATIONS_DIR, { before: PARTITION_MIGRATION });
    sql = new Client({ connectionString: url.toString() });
    await sql.connect();
  });
  afterAll(async () => {
    await api?.app.close();
    await sql?.end();
    const admin = new Client({ connectionString: Object.assign(new URL(base.toString()), { pathname: '/postgres' }).toString() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });

  it('keeps every event, delivery and attempt, readable as before, and puts new rows in their day', async () => {
    const tenantId = newId('ten');
    const subscriptionId = newId('sub');
    await sql.query(`INSERT INTO tenants (id, name, updated_at) VALUES ($1, 'migrated', now())`, [tenantId]);
    await sql.query(`INSERT INTO subscriptions (id, tenant_id, url, event_types, updated_at) VALUES ($1, $2, 'https://example.com/hook', '{}', now())`, [subscriptionId, tenantId]);
    // Five days of traffic up to now: 3 events a day, 2 deliveries each, an attempt each, a retry for some.
    await sql.query(
      `WITH e AS (
         INSERT INTO events (id, tenant_id, type, data, idempotency_key, created_at)
         SELECT 'evt_' || hookline_ulid_at(at), $1, 'migration.day' || day, json_build_object('day', day, 'n', n), 'key-' || day || '-' || n, at
           FROM generate_series(0, 4) day, generate_series(1, 3) n, LATERAL (SELECT now() - day * interval '1 day' - n * interval '1 minute' AS at) t
         RETURNING id, type, created_at),
       d AS (
         INSERT INTO deliveries (id, tenant_id, event_id, event_type, subscription_id, status, attempt_count, created_at)
         SELECT 'dlv_' || hookline_ulid_at(e.created_at), $1, e.id, e.type, $2, 'succeeded', 1, e.created_at FROM e, generate_series(1, 2)
         RETURNING id, created_at)
       INSERT INTO attempts (id, delivery_id, number, started_at, duration_ms, status_code, response_body)
       SELECT 'att_' || hookline_ulid_at(d.created_at + interval '1 second'), d.id, 1, d.created_at + interval '1 second', 12, 200, 'ok' FROM d`,
      [tenantId, subscriptionId],
    );
    await sql.query(
      `INSERT INTO attempts (id, delivery_id, number, started_at, duration_ms, status_code)
       SELECT 'att_' || hookline_ulid_at(created_at + interval '1 hour'), id, 2, created_at + interval '1 hour', 30, 503 FROM deliveries WHERE event_type = 'migration.day3'`,
    );
    const snapshot = async () => {
      const tables: Record<string, string[]> = {};
      for (const table of TABLES) tables[table] = (await sql.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${table} t ORDER BY id`)).rows.map((r) => r.row);
      return tables;
    };
    const before = await snapshot();
    expect([before.events.length, before.deliveries.length, before.attempts.length]).toEqual([15, 30, 36]);
    const maxSeq = (await sql.query<{ seq: string }>(`SELECT max(seq)::text AS seq FROM events`)).rows[0].seq;

    // This migration and every one after it.
    const fromPartitioning = readMigrations()
      .map((m) => m.name)
      .filter((name) => name >= PARTITION_MIGRATION);
    expect(await migrateDatabase(url.toString())).toEqual({ created: false, applied: fromPartitioning });

    // Every row, every column, unchanged; the old tables are now the legacy partitions.
    expect(await snapshot()).toEqual(before);
    for (const table of TABLES) {
      const { rows } = await sql.query<{ partition: string; n: number }>(`SELECT tableoid::regclass::text AS partition, count(*)::int AS n FROM ${table} GROUP BY 1`);
      expect(rows).toEqual([{ partition: `${table}_legacy`, n: before[table].length }]);
    }
    // Partitions that existed before they were counted are listed as not counted: their rows were not
    // read by the migration, and will be counted when they drop. The totals have them all.
    const counted = async (table: string) =>
      (
        await sql.query<{ partition?: string; status: string; n: number }>(
          `SELECT ${table === 'delivery_partition_counts' ? 'partition, ' : ''}status, n::int FROM ${table} WHERE tenant_id = $1 ORDER BY status`,
          [tenantId],
        )
      ).rows;
    // The empty days made ahead are counted from their first row.
    const listed = await sql.query<{ name: string; counted: boolean }>(`SELECT name, counted FROM delivery_partitions ORDER BY from_id`);
    expect(listed.rows[0]).toEqual({ name: 'deliveries_legacy', counted: false });
    expect(listed.rows.length).toBeGreaterThan(1);
    expect(listed.rows.slice(1).every((row) => row.counted && row.name !== 'deliveries_legacy')).toBe(true);
    expect(await counted('delivery_partition_counts')).toEqual([]);
    expect(await counted('delivery_status_counts')).toEqual([{ status: 'succeeded', n: 30 }]);

    // Read through the API (Prisma): an event with its deliveries, a delivery with its attempts.
    api = await startTestApi({ DATABASE_URL: url.toString() });
    const path = `/v1/tenants/${tenantId}`;
    const events = await api.http.get(`${path}/events?limit=100`).set(api.auth()).expect(200);
    expect(events.body.data).toHaveLength(15);
    const oldest = events.body.data[14] as { id: string; type: string };
    expect(oldest.type).toBe('migration.day4');
    const event = await api.http.get(`${path}/events/${oldest.id}`).set(api.auth()).expect(200);
    expect(event.body.deliveries).toHaveLength(2);
    const retried = (await sql.query<{ id: string }>(`SELECT id FROM deliveries WHERE event_type = 'migration.day3' LIMIT 1`)).rows[0].id;
    const delivery = await api.http.get(`${path}/deliveries/${retried}`).set(api.auth()).expect(200);
    expect(delivery.body.attempts.map((a: { number: number; statusCode: number }) => [a.number, a.statusCode])).toEqual([
      [1, 200],
      [2, 503],
    ]);

    // New rows: today's in the legacy partition (it runs to tomorrow), later ones in their day's.
    const today = startOfDay(Date.now());
    const inserted = await sql.query<{ partition: string; seq: string }>(
      `INSERT INTO events (id, tenant_id, type, data) VALUES ('evt_' || hookline_ulid(), $1, 'migration.new', '{}'), ('evt_' || hookline_ulid_at(now() + interval '2 days'), $1, 'migration.new', '{}')
       RETURNING tableoid::regclass::text AS partition, seq::text`,
      [tenantId],
    );
    expect(inserted.rows.map((r) => r.partition)).toEqual(['events_legacy', dayPartition('events', 'evt', today + 2 * DAY_MS).name]);
    for (const row of inserted.rows) expect(BigInt(row.seq)).toBeGreaterThan(BigInt(maxSeq));
    // A delivery written since: its delta names the legacy partition, and no fold has run.
    await sql.query(`INSERT INTO deliveries (id, tenant_id, event_id, event_type, subscription_id) VALUES ('dlv_' || hookline_ulid(), $1, 'evt_none', 'migration.new', $2)`, [
      tenantId,
      subscriptionId,
    ]);
    const deltas = await sql.query(`SELECT partition, status, delta FROM delivery_status_deltas WHERE tenant_id = $1`, [tenantId]);
    expect(deltas.rows).toEqual([{ partition: 'deliveries_legacy', status: 'pending', delta: 1 }]);

    // Once past retention the legacy partition drops like any day; the events' sequence stays with the table.
    const pool = new SqlPool({ DATABASE_URL: url.toString() } as AppConfig);
    try {
      const dropped = await new PartitionsRepository(pool).dropBefore(sql, today + DAY_MS, () => false);
      expect(dropped.sort()).toEqual(TABLES.map((table) => `${table}_legacy`).sort());
    } finally {
      await pool.end();
    }
    // Its 31 rows counted as it dropped, its delta with them: nothing left for the tenant.
    expect(await counted('delivery_partition_counts')).toEqual([]);
    expect((await sql.query(`SELECT 1 FROM delivery_status_deltas WHERE tenant_id = $1`, [tenantId])).rowCount).toBe(0);
    expect(await counted('delivery_status_counts')).toEqual([
      { status: 'pending', n: 0 },
      { status: 'succeeded', n: 0 },
    ]);
    const after = await sql.query<{ seq: string }>(
      `INSERT INTO events (id, tenant_id, type, data) VALUES ('evt_' || hookline_ulid_at(now() + interval '1 day'), $1, 'migration.after', '{}') RETURNING seq::text`,
      [tenantId],
    );
    expect(BigInt(after.rows[0].seq)).toBeGreaterThan(BigInt(inserted.rows[1].seq));
  });
});
