import { Client } from 'pg';
import type { INestApplicationContext } from '@nestjs/common';
import { idTime } from '@hookline/ids';
import type { IsolatedDatabase, RecordingReceiver, TestStack } from '../support';
import { createIsolatedDatabase, startTestWorker, waitUntil } from '../support';
import { DAY_MS, MAX_SPANS_AHEAD, spanPartition, startOfSpan } from '../../apps/worker/src/maintenance/partition-ranges';
import { PartitionMaintainer } from '../../apps/worker/src/maintenance/partition-maintainer';
import { PartitionsRepository } from '../../apps/worker/src/maintenance/partitions.repository';
import { PortalDataPurger } from '../../apps/worker/src/maintenance/portal-data-purger';
import { RetentionPurger } from '../../apps/worker/src/maintenance/retention-purger';
import type { PartitionRig } from './partition-test-kit';
import { PARTITIONED_TABLES, partitionsOf, startPartitionRig } from './partition-test-kit';

/**
 * PARTITION_SPAN finer than a day, and RETENTION_DAYS as a fraction: retention of minutes, by
 * dropping minute partitions. Rows are written for past minutes with ids of those minutes
 * (`hookline_ulid_at`) rather than waited for. Databases of their own: the purge drops partitions
 * across every tenant, and the first test removes every partition the migration made.
 */

const TABLES = PARTITIONED_TABLES;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

async function rowCounts(sql: Client): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) counts[table] = (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
  return counts;
}

describe('minute partitions with a retention of minutes', () => {
  let rig: PartitionRig;
  let db: IsolatedDatabase;
  let sql: Client;
  let stack: TestStack;
  let receiver: RecordingReceiver;
  // 10 minutes.
  const RETENTION_DAYS = String(10 / 1_440);

  beforeAll(async () => {
    rig = await startPartitionRig(
      async (client) => {
        // The migration's legacy partition and days cover every minute up to a week ahead: gone, so minutes get their own.
        for (const table of TABLES) for (const name of await partitionsOf(client, table)) await client.query(`DROP TABLE "${name}"`);
      },
      { PARTITION_SPAN: '1m', RETENTION_DAYS, RETENTION_INTERVAL_MS: '0' },
    );
    ({ db, sql, stack, receiver } = rig);
  });
  afterAll(() => rig?.close());

  it('keeps the next minutes ready, a bounded number of them, and a publish lands in its minute', async () => {
    const now = Date.now();
    const minuteName = (table: string, ms: number) => spanPartition(table, 'evt', startOfSpan(ms, MINUTE_MS), MINUTE_MS).name;
    await waitUntil('the worker made this minute', async () => (await partitionsOf(sql, 'attempts')).includes(minuteName('attempts', now)));
    for (const table of TABLES) {
      const names = await partitionsOf(sql, table);
      expect(names).toEqual(expect.arrayContaining([minuteName(table, now), minuteName(table, now + (MAX_SPANS_AHEAD - 1) * MINUTE_MS)]));
      expect(names.every((name) => new RegExp(`^${table}_p\\d{12}$`).test(name))).toBe(true);
      // Two days' worth of spans would have been far more: the look-ahead is counted in spans.
      expect(names.length).toBeLessThanOrEqual(MAX_SPANS_AHEAD + 2);
    }

    const path = `/v1/tenants/${stack.tenantId}`;
    await stack.api.http
      .post(`${path}/subscriptions`)
      .set(stack.api.auth())
      .send({ url: receiver.url, eventTypes: ['spans.*'] })
      .expect(201);
    const published = await stack.api.http.post(`${path}/events`).set(stack.api.auth()).send({ type: 'spans.live', data: {} }).expect(202);
    await waitUntil(
      'the live delivery succeeded',
      async () => (await sql.query(`SELECT 1 FROM deliveries WHERE event_id = $1 AND status = 'succeeded'`, [published.body.id])).rowCount === 1,
    );
    const { rows } = await sql.query<{ partition: string }>(`SELECT tableoid::regclass::text AS partition FROM events WHERE id = $1`, [published.body.id]);
    expect(rows[0].partition).toBe(minuteName('events', idTime(published.body.id)));
  });

  it('drops the minutes past RETENTION_DAYS whole, with their rows and their status counts, on a short RETENTION_INTERVAL_MS', async () => {
    const path = `/v1/tenants/${stack.tenantId}`;
    const subscription = await stack.api.http
      .post(`${path}/subscriptions`)
      .set(stack.api.auth())
      .send({ url: receiver.url, eventTypes: ['spans.old'] })
      .expect(201);
    const now = Date.now();
    await stack.worker.get(PartitionsRepository).ensure(now - 30 * MINUTE_MS, now, MINUTE_MS);
    // 5 events a minute, each with a delivery and an attempt: 25 and 15 minutes ago are past the 10
    // minutes kept; 8 and 3 minutes ago are not (their minute ends less than 10 minutes ago).
    const ages = [25, 15, 8, 3];
    const insertedIds: Record<number, string[]> = {};
    for (const minutesAgo of ages) {
      const at = new Date(now - minutesAgo * MINUTE_MS);
      const { rows } = await sql.query<{ event: string; delivery: string; attempt: string }>(
        `WITH e AS (INSERT INTO events (id, tenant_id, type, data, created_at)
                    SELECT 'evt_' || hookline_ulid_at($2), $1, 'spans.old', '{}', $2 FROM generate_series(1, 5) RETURNING id),
              d AS (INSERT INTO deliveries (id, tenant_id, event_id, event_type, subscription_id, status, created_at)
                    SELECT 'dlv_' || hookline_ulid_at($2), $1, e.id, 'spans.old', $3, 'succeeded', $2 FROM e RETURNING id, event_id),
              a AS (INSERT INTO attempts (id, delivery_id, number, started_at, duration_ms, status_code)
                    SELECT 'att_' || hookline_ulid_at($2), d.id, 1, $2, 5, 200 FROM d RETURNING id, delivery_id)
         SELECT d.event_id AS event, d.id AS delivery, a.id AS attempt FROM d JOIN a ON a.delivery_id = d.id`,
        [stack.tenantId, at, subscription.body.id],
      );
      insertedIds[minutesAgo] = rows.flatMap((row) => [row.event, row.delivery, row.attempt]);
    }
    // Finished bulk jobs and the per-minute stats age by RETENTION_DAYS too, a fraction of a day included.
    await sql.query(
      `INSERT INTO bulk_jobs (id, tenant_id, status, format, chunk_count, created_at, completed_at) VALUES
         ('job_spans_old', $1, 'completed', 'ndjson', 1, now() - interval '1 hour', now() - interval '20 minutes'),
         ('job_spans_recent', $1, 'completed', 'ndjson', 1, now() - interval '1 hour', now() - interval '2 minutes')`,
      [stack.tenantId],
    );
    // The minutes themselves are kept to compare: the test may run across a minute boundary.
    const { rows: statsMinutes } = await sql.query<{ minute: Date }>(
      `INSERT INTO delivery_stats_minutes (tenant_id, subscription_id, minute, succeeded, latency_counts)
       VALUES ($1, $2, date_trunc('minute', now()) - interval '20 minutes', 1, '{}'), ($1, $2, date_trunc('minute', now()) - interval '2 minutes', 1, '{}')
       RETURNING minute`,
      [stack.tenantId, subscription.body.id],
    );
    const recentStatsMinute = statsMinutes[1].minute;
    const succeeded = async () => (await stack.api.http.get(`/v1/stats?tenantId=${stack.tenantId}`).set(stack.api.auth()).expect(200)).body.deliveries.succeeded;
    const before = await rowCounts(sql);
    const succeededBefore = await succeeded();
    const expired = (table: string, minutesAgo: number) => spanPartition(table, 'evt', startOfSpan(now - minutesAgo * MINUTE_MS, MINUTE_MS), MINUTE_MS).name;
    for (const table of TABLES) expect(await partitionsOf(sql, table)).toEqual(expect.arrayContaining([expired(table, 25), expired(table, 15)]));

    // A second worker whose purge runs on its own every half second.
    const purging = await startTestWorker({ ...stack.env, RETENTION_INTERVAL_MS: '500' });
    try {
      // Then its purge goes on to the bulk jobs, which it drops after the partitions.
      await waitUntil('the expired minutes and bulk job went', async () => {
        const left = (await sql.query<{ name: string }>(`SELECT relname AS name FROM pg_class WHERE relname = ANY ($1)`, [TABLES.flatMap((t) => [expired(t, 25), expired(t, 15)])]))
          .rows;
        return left.length === 0 && (await sql.query(`SELECT 1 FROM bulk_jobs WHERE id = 'job_spans_old'`)).rowCount === 0;
      });
    } finally {
      await purging.close();
    }

    const after = await rowCounts(sql);
    const jobs = await sql.query<{ id: string }>(`SELECT id FROM bulk_jobs WHERE id LIKE 'job_spans_%'`);
    expect(jobs.rows.map((job) => job.id)).toEqual(['job_spans_recent']);
    expect(after).toEqual({ events: before.events - 10, deliveries: before.deliveries - 10, attempts: before.attempts - 10 });
    expect(await succeeded()).toBe(succeededBefore - 10);
    const present = async (ids: string[]) =>
      (
        await sql.query<{ n: number }>(
          `SELECT (SELECT count(*) FROM events WHERE id = ANY ($1)) + (SELECT count(*) FROM deliveries WHERE id = ANY ($1)) + (SELECT count(*) FROM attempts WHERE id = ANY ($1)) AS n`,
          [ids],
        )
      ).rows[0].n;
    for (const minutesAgo of [25, 15]) expect(Number(await present(insertedIds[minutesAgo]))).toBe(0);
    for (const minutesAgo of [8, 3]) expect(Number(await present(insertedIds[minutesAgo]))).toBe(15);
    for (const table of TABLES) expect(await partitionsOf(sql, table)).toContain(spanPartition(table, 'evt', startOfSpan(Date.now(), MINUTE_MS), MINUTE_MS).name);

    await stack.worker.get(PortalDataPurger).tick();
    const { rows: minutes } = await sql.query<{ minute: Date }>(`SELECT minute FROM delivery_stats_minutes WHERE subscription_id = $1`, [subscription.body.id]);
    expect(minutes.map((m) => m.minute)).toEqual([recentStatsMinute]);
  });
  it('leaves a drop that cannot have its locks at once to the next run, rather than queue publishes behind it', async () => {
    const path = `/v1/tenants/${stack.tenantId}`;
    const subscription = await stack.api.http
      .post(`${path}/subscriptions`)
      .set(stack.api.auth())
      .send({ url: receiver.url, eventTypes: ['spans.locked'] })
      .expect(201);
    const at = Date.now() - 40 * MINUTE_MS;
    await stack.worker.get(PartitionsRepository).ensure(at, at, MINUTE_MS);
    await sql.query(
      `WITH e AS (INSERT INTO events (id, tenant_id, type, data, created_at) VALUES ('evt_' || hookline_ulid_at($2), $1, 'spans.locked', '{}', $2) RETURNING id)
       INSERT INTO deliveries (id, tenant_id, event_id, event_type, subscription_id, status, created_at)
       SELECT 'dlv_' || hookline_ulid_at($2), $1, e.id, 'spans.locked', $3, 'succeeded', $2 FROM e`,
      [stack.tenantId, new Date(at), subscription.body.id],
    );
    const succeeded = async () => (await stack.api.http.get(`/v1/stats?tenantId=${stack.tenantId}`).set(stack.api.auth()).expect(200)).body.deliveries.succeeded;
    const before = await succeeded();
    const name = (table: string) => spanPartition(table, 'evt', startOfSpan(at, MINUTE_MS), MINUTE_MS).name;
    const state = async (table: string) =>
      (await sql.query<{ partition: boolean }>(`SELECT relispartition AS partition FROM pg_class WHERE relname = $1`, [name(table)])).rows[0]?.partition ?? 'gone';

    // Dropping a deliveries partition drops its foreign keys' triggers on subscriptions: an ACCESS
    // EXCLUSIVE lock there, which this open reader holds off.
    const reader = new Client({ connectionString: db.url });
    await reader.connect();
    try {
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM subscriptions');
      await stack.worker.get(RetentionPurger).tick();
      expect({ events: await state('events'), deliveries: await state('deliveries') }).toEqual({ events: 'gone', deliveries: false });
      expect(await succeeded()).toBe(before);
    } finally {
      await reader.query('ROLLBACK');
      await reader.end();
    }

    await stack.worker.get(RetentionPurger).tick();
    expect(await state('deliveries')).toBe('gone');
    expect(await succeeded()).toBe(before - 1);
  });
});

describe('a day-partitioned database switched to hour spans', () => {
  let db: IsolatedDatabase;
  let sql: Client;
  let worker: INestApplicationContext | undefined;

  beforeAll(async () => {
    db = await createIsolatedDatabase();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });
  afterAll(async () => {
    await worker?.close();
    await sql?.end();
    await db?.drop();
  });

  const allPartitions = async () => {
    const all: string[] = [];
    for (const table of TABLES) all.push(...(await partitionsOf(sql, table)));
    return all;
  };

  it('keeps its day partitions, adds hours only beyond them, and fills what an hour left of a day when switched back', async () => {
    const daily = await startTestWorker({ DATABASE_URL: db.url });
    await daily.get(PartitionMaintainer).tick();
    await daily.close();
    const days = await allPartitions();
    expect(days.filter((name) => /_p\d{8}$/.test(name)).length).toBeGreaterThanOrEqual(3 * 7);

    worker = await startTestWorker({ DATABASE_URL: db.url, PARTITION_SPAN: '1h' });
    const repository = worker.get(PartitionsRepository);
    // Where the days end: the upper bound of the last one.
    const daysEnd = Math.max(...(await repository.list()).filter((p) => p.table === 'events').map((p) => idTime(p.to!)));
    await worker.get(PartitionMaintainer).tick();
    // Every hour of its look-ahead lies inside a day partition: nothing new.
    expect((await allPartitions()).sort()).toEqual([...days].sort());

    const hour = (table: string, start: number) => spanPartition(table, 'evt', start, HOUR_MS).name;
    const created = await repository.ensure(Date.now(), daysEnd + 2 * HOUR_MS + 1, HOUR_MS);
    expect(created.sort()).toEqual(TABLES.flatMap((table) => [hour(table, daysEnd), hour(table, daysEnd + HOUR_MS), hour(table, daysEnd + 2 * HOUR_MS)]).sort());
    expect(await repository.ensure(Date.now(), daysEnd + 2 * HOUR_MS + 1, HOUR_MS)).toEqual([]);

    // A row of a day still goes to its day partition; one past the days to its hour.
    const { rows: tenant } = await sql.query<{ id: string }>(`INSERT INTO tenants (id, name, updated_at) VALUES ('ten_' || hookline_ulid(), 'spans', now()) RETURNING id`);
    const landing = async (ms: number) =>
      (
        await sql.query<{ partition: string }>(
          `INSERT INTO events (id, tenant_id, type, data) VALUES ('evt_' || hookline_ulid_at($2), $1, 'spans.switch', '{}') RETURNING tableoid::regclass::text AS partition`,
          [tenant[0].id, new Date(ms)],
        )
      ).rows[0].partition;
    expect(await landing(daysEnd - 30 * MINUTE_MS)).toMatch(/^events_p\d{8}$/);
    expect(await landing(daysEnd + HOUR_MS + 30 * MINUTE_MS)).toBe(hour('events', daysEnd + HOUR_MS));

    // Back to days: the day the hours began is covered in part; the rest of it gets one partition, the next day its own.
    const back = await repository.ensure(daysEnd, daysEnd + DAY_MS, DAY_MS);
    expect(back.filter((name) => name.startsWith('events_'))).toEqual([
      spanPartition('events', 'evt', daysEnd + 3 * HOUR_MS, DAY_MS - 3 * HOUR_MS).name,
      spanPartition('events', 'evt', daysEnd + DAY_MS, DAY_MS).name,
    ]);
    expect(back.filter((name) => name.startsWith('events_'))[1]).toMatch(/^events_p\d{8}$/);
    expect(await landing(daysEnd + 12 * HOUR_MS)).toBe(back.filter((name) => name.startsWith('events_'))[0]);
  });
});
