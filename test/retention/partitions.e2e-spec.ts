import { Client } from 'pg';
import { PrismaService } from '@hookline/database';
import { idFloorAt } from '@hookline/ids';
import type { IsolatedDatabase, RecordingReceiver, TestStack } from '../support';
import { startTestWorker, waitUntil } from '../support';
import { DAY_MS, dayPartition, DAYS_AHEAD, startOfDay } from '../../apps/worker/src/maintenance/partition-ranges';
import { PartitionMaintainer } from '../../apps/worker/src/maintenance/partition-maintainer';
import { PartitionsRepository } from '../../apps/worker/src/maintenance/partitions.repository';
import { RetentionPurger } from '../../apps/worker/src/maintenance/retention-purger';
import type { PartitionRig } from './partition-test-kit';
import { PARTITIONED_TABLES, partitionsOf as partitionsOfTable, startPartitionRig } from './partition-test-kit';

/**
 * Events, deliveries and attempts are partitioned by UTC day (ids are time-ordered): the worker
 * keeps days ahead ready, and retention drops whole days past RETENTION_DAYS instead of deleting
 * rows. A database of its own: the purge drops days across every tenant, and the test removes the
 * (empty) legacy partition, which would otherwise hold every past day, to make days in the past.
 */

const TABLES = PARTITIONED_TABLES;

describe('partitioned storage', () => {
  let rig: PartitionRig;
  let db: IsolatedDatabase;
  let sql: Client;
  let stack: TestStack;
  let prisma: PrismaService;
  let receiver: RecordingReceiver;

  const partitionsOf = (table: string) => partitionsOfTable(sql, table);
  const tableExists = async (name: string) => (await sql.query(`SELECT 1 FROM pg_class WHERE relname = $1`, [name])).rowCount === 1;
  const dayName = (table: string, day: number) => dayPartition(table, 'evt', day).name;
  const allPartitions = async () => {
    const all: string[][] = [];
    for (const table of TABLES) all.push(await partitionsOf(table));
    return all;
  };

  beforeAll(async () => {
    rig = await startPartitionRig(
      async (client) => {
        for (const table of TABLES) await client.query(`DROP TABLE "${table}_legacy"`);
      },
      // No purge of its own accord: the test runs it when its days are in place.
      { RETENTION_DAYS: '7', RETENTION_INTERVAL_MS: '0' },
    );
    ({ db, sql, stack, receiver } = rig);
    prisma = stack.api.app.get(PrismaService);
  });
  afterAll(() => rig?.close());

  it('has today and the next days ready when a worker has started, in every partitioned table', async () => {
    const today = startOfDay(Date.now());
    const expected = (table: string) => Array.from({ length: DAYS_AHEAD + 1 }, (_, d) => dayName(table, today + d * DAY_MS));
    await waitUntil('the worker made today', async () => (await partitionsOf('attempts')).includes(dayName('attempts', today)));
    for (const table of TABLES) expect(await partitionsOf(table)).toEqual(expect.arrayContaining(expected(table)));

    // A row lands in the partition of the day its id was made.
    const aheadId = `${idFloorAt('evt', today + 3 * DAY_MS + 60_000).slice(0, -16)}${'7'.repeat(16)}`;
    const inserted = await sql.query<{ partition: string }>(
      `INSERT INTO events (id, tenant_id, type, data) VALUES ($1, $2, 'partitions.ahead', '{}') RETURNING tableoid::regclass::text AS partition`,
      [aheadId, stack.tenantId],
    );
    expect(inserted.rows[0].partition).toBe(dayName('events', today + 3 * DAY_MS));
    await sql.query(`DELETE FROM events WHERE id = $1`, [aheadId]);
  });

  it('creates missing days once when two workers do it at the same moment, and nothing when run again', async () => {
    const today = startOfDay(Date.now());
    const missing = [5, 6, 7].flatMap((d) => TABLES.map((table) => dayName(table, today + d * DAY_MS))).sort();
    const other = await startTestWorker({ ...stack.env, RETENTION_INTERVAL_MS: '0' });
    try {
      // The second worker's own run at start would make the missing days first: it is over and no
      // other is due before the days go missing.
      await other.get(PartitionMaintainer).stop();
      for (const name of missing) await sql.query(`DROP TABLE "${name}"`);
      const from = Date.now();
      const to = from + DAYS_AHEAD * DAY_MS;
      const [a, b] = await Promise.all([stack.worker.get(PartitionsRepository).ensure(from, to, DAY_MS), other.get(PartitionsRepository).ensure(from, to, DAY_MS)]);
      // One of them made every missing day, the other found nothing left to make; neither failed.
      expect([...a, ...b].sort()).toEqual(missing);
      expect(a.length === 0 || b.length === 0).toBe(true);
      const before = await allPartitions();

      await Promise.all([stack.worker.get(PartitionMaintainer).tick(), other.get(PartitionsRepository).ensure(from, to, DAY_MS)]);
      expect(await stack.worker.get(PartitionsRepository).ensure(from, to, DAY_MS)).toEqual([]);
      expect(await allPartitions()).toEqual(before);
    } finally {
      await other.close();
    }
  });

  it('drops the days past RETENTION_DAYS whole, with their rows, and leaves younger days and their rows alone', async () => {
    const path = `/v1/tenants/${stack.tenantId}`;
    const subscription = await stack.api.http
      .post(`${path}/subscriptions`)
      .set(stack.api.auth())
      .send({ url: receiver.url, eventTypes: ['partitions.*'] })
      .expect(201);
    const published = await stack.api.http
      .post(`${path}/events`)
      .set(stack.api.auth())
      .send({ type: 'partitions.today', data: { n: 1 } })
      .expect(202);
    await waitUntil('today’s delivery succeeded', async () => (await prisma.delivery.count({ where: { eventId: published.body.id, status: 'succeeded' } })) === 1);

    // Days in the past, at noon UTC: 10 and 8 days ago are past 7 days of retention; 7 and 6 days ago
    // are not over yet (the day 7 days ago ends less than 7 days ago).
    const today = startOfDay(Date.now());
    const ages = [10, 8, 7, 6];
    const noon = (daysAgo: number) => new Date(today - daysAgo * DAY_MS + 12 * 3_600_000);
    await stack.worker.get(PartitionsRepository).ensure(today - 10 * DAY_MS, today, DAY_MS);
    const ids: Record<number, { event: string; delivery: string; attempt: string }> = {};
    for (const daysAgo of ages) {
      const at = noon(daysAgo);
      const { rows } = await sql.query<{ event: string; delivery: string; attempt: string }>(
        `WITH e AS (INSERT INTO events (id, tenant_id, type, data, created_at) VALUES ('evt_' || hookline_ulid_at($2), $1, 'partitions.old', '{}', $2) RETURNING id),
              d AS (INSERT INTO deliveries (id, tenant_id, event_id, event_type, subscription_id, status, created_at)
                    SELECT 'dlv_' || hookline_ulid_at($2), $1, e.id, 'partitions.old', $3, 'succeeded', $2 FROM e RETURNING id, event_id),
              a AS (INSERT INTO attempts (id, delivery_id, number, started_at, duration_ms, status_code)
                    SELECT 'att_' || hookline_ulid_at($2), d.id, 1, $2, 5, 200 FROM d RETURNING id)
         SELECT d.event_id AS event, d.id AS delivery, a.id AS attempt FROM d, a`,
        [stack.tenantId, at, subscription.body.id],
      );
      ids[daysAgo] = rows[0];
    }
    // A retry made 6 days ago of the delivery of 8 days ago: attempts age by their own day.
    const lateRetry = await sql.query<{ id: string }>(
      `INSERT INTO attempts (id, delivery_id, number, started_at, duration_ms, status_code) VALUES ('att_' || hookline_ulid_at($2), $1, 2, $2, 5, 200) RETURNING id`,
      [ids[8].delivery, noon(6)],
    );
    for (const daysAgo of ages) for (const table of TABLES) expect(await tableExists(dayName(table, today - daysAgo * DAY_MS))).toBe(true);
    const succeeded = async () => (await stack.api.http.get(`/v1/stats?tenantId=${stack.tenantId}`).set(stack.api.auth()).expect(200)).body.deliveries.succeeded;
    expect(await succeeded()).toBe(5);

    await stack.worker.get(RetentionPurger).tick();

    // The dropped days' deliveries left the status counters with them, subtracted by their days' counts.
    expect(await succeeded()).toBe(3);
    const dropped = [10, 8].map((daysAgo) => dayName('deliveries', today - daysAgo * DAY_MS));
    expect((await sql.query(`SELECT 1 FROM delivery_partition_counts WHERE partition = ANY ($1)`, [dropped])).rowCount).toBe(0);
    expect((await sql.query(`SELECT 1 FROM delivery_partitions WHERE name = ANY ($1)`, [dropped])).rowCount).toBe(0);

    const remaining = async (daysAgo: number) => ({
      events: await prisma.event.count({ where: { id: ids[daysAgo].event } }),
      deliveries: await prisma.delivery.count({ where: { id: ids[daysAgo].delivery } }),
      attempts: await prisma.attempt.count({ where: { id: ids[daysAgo].attempt } }),
    });
    for (const daysAgo of [10, 8]) {
      expect(await remaining(daysAgo)).toEqual({ events: 0, deliveries: 0, attempts: 0 });
      // Gone as tables, not emptied row by row.
      for (const table of TABLES) expect(await tableExists(dayName(table, today - daysAgo * DAY_MS))).toBe(false);
    }
    for (const daysAgo of [7, 6]) {
      expect(await remaining(daysAgo)).toEqual({ events: 1, deliveries: 1, attempts: 1 });
      for (const table of TABLES) expect(await tableExists(dayName(table, today - daysAgo * DAY_MS))).toBe(true);
    }
    expect(await prisma.attempt.count({ where: { id: lateRetry.rows[0].id } })).toBe(1);
    for (const table of TABLES) expect(await partitionsOf(table)).toContain(dayName(table, today));

    // What readers see: the dropped event is unknown, the kept ones are whole.
    await stack.api.http.get(`${path}/events/${ids[8].event}`).set(stack.api.auth()).expect(404);
    const kept = await stack.api.http.get(`${path}/events/${ids[7].event}`).set(stack.api.auth()).expect(200);
    expect(kept.body.deliveries.map((d: { id: string }) => d.id)).toEqual([ids[7].delivery]);
    const todays = await stack.api.http.get(`${path}/events/${published.body.id}`).set(stack.api.auth()).expect(200);
    expect(todays.body.deliveries).toHaveLength(1);
    const delivery = await stack.api.http.get(`${path}/deliveries/${ids[6].delivery}`).set(stack.api.auth()).expect(200);
    expect(delivery.body.attempts.map((a: { id: string }) => a.id)).toEqual([ids[6].attempt]);
  });

  it('finishes a drop that a dead worker left half done: a detach pending, a detached table not dropped', async () => {
    const today = startOfDay(Date.now());
    const pendingDay = today - 12 * DAY_MS;
    // The day before it expired too, and listed first: the pending detach must be finalized before another starts.
    await stack.worker.get(PartitionsRepository).ensure(pendingDay - DAY_MS, pendingDay, DAY_MS);
    const pending = dayName('events', pendingDay);
    // A reader's open snapshot makes DETACH … CONCURRENTLY wait in its second phase; its connection dies there.
    const reader = new Client({ connectionString: db.url });
    const detacher = new Client({ connectionString: db.url });
    await reader.connect();
    await detacher.connect();
    detacher.on('error', () => undefined);
    try {
      await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await reader.query(`SELECT count(*) FROM events`);
      const pid = (await detacher.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const detaching = detacher.query(`ALTER TABLE events DETACH PARTITION "${pending}" CONCURRENTLY`).catch((error: Error) => error);
      await waitUntil(
        'the detach waits on the reader',
        async () => (await sql.query(`SELECT 1 FROM pg_inherits WHERE inhrelid = $1::regclass AND inhdetachpending`, [pending])).rowCount === 1,
      );
      await sql.query('SELECT pg_terminate_backend($1)', [pid]);
      expect(await detaching).toBeInstanceOf(Error);
    } finally {
      await reader.query('ROLLBACK');
      await reader.end();
      await detacher.end().catch(() => undefined);
    }
    // And one detached but never dropped.
    const leftover = dayName('deliveries', pendingDay);
    await sql.query(`ALTER TABLE deliveries DETACH PARTITION "${leftover}"`);

    await stack.worker.get(RetentionPurger).tick();

    for (const table of TABLES) expect(await tableExists(dayName(table, pendingDay))).toBe(false);
    for (const table of TABLES) expect(await tableExists(dayName(table, pendingDay - DAY_MS))).toBe(false);
  });

  it('counts a statement whose rows fall in two partitions in each of them', async () => {
    const tenant = await stack.api.http.post('/v1/tenants').set(stack.api.auth()).send({ name: 'partitions-two-days' }).expect(201);
    const tenantId = tenant.body.id as string;
    const subscription = await stack.api.http
      .post(`/v1/tenants/${tenantId}/subscriptions`)
      .set(stack.api.auth())
      .send({ url: receiver.url, eventTypes: ['partitions.*'] })
      .expect(201);
    const today = startOfDay(Date.now());
    const days = [1, 2].map((d) => today + d * DAY_MS + 3_600_000);
    // Per partition, what the counters hold (folded or not) against the rows, for this tenant only.
    const counts = async () => {
      const { rows } = await sql.query<{ partition: string; status: string; counted: number; actual: number }>(
        `WITH counted AS (
           SELECT partition, status::text, sum(n)::int AS n FROM (
             SELECT partition, status, n FROM delivery_partition_counts WHERE tenant_id = $1
             UNION ALL SELECT partition, status, delta FROM delivery_status_deltas WHERE tenant_id = $1
           ) c GROUP BY 1, 2
         ), actual AS (SELECT tableoid::regclass::text AS partition, status::text, count(*)::int AS n FROM deliveries WHERE tenant_id = $1 GROUP BY 1, 2)
         SELECT coalesce(c.partition, a.partition) AS partition, coalesce(c.status, a.status) AS status, coalesce(c.n, 0) AS counted, coalesce(a.n, 0) AS actual
         FROM counted c FULL JOIN actual a USING (partition, status) WHERE coalesce(c.n, 0) <> 0 OR coalesce(a.n, 0) <> 0 ORDER BY 1, 2`,
        [tenantId],
      );
      return rows;
    };
    const both = (status: string) => days.map((day) => ({ partition: dayName('deliveries', startOfDay(day)), status, counted: 1, actual: 1 }));

    await sql.query(
      `INSERT INTO deliveries (id, tenant_id, event_id, event_type, subscription_id)
       SELECT 'dlv_' || hookline_ulid_at(at), $1, 'evt_none', 'partitions.two', $2 FROM unnest($3::timestamptz[]) AS at`,
      [tenantId, subscription.body.id, days.map((day) => new Date(day))],
    );
    expect(await counts()).toEqual(both('pending'));
    await sql.query(`UPDATE deliveries SET status = 'succeeded' WHERE tenant_id = $1`, [tenantId]);
    expect(await counts()).toEqual(both('succeeded'));
    await sql.query(`DELETE FROM deliveries WHERE tenant_id = $1`, [tenantId]);
    expect(await counts()).toEqual([]);
  });

  it('deletes the attempts of a deleted tenant, though no foreign key cascades to them', async () => {
    const tenant = await stack.api.http.post('/v1/tenants').set(stack.api.auth()).send({ name: 'partitions-delete' }).expect(201);
    const path = `/v1/tenants/${tenant.body.id}`;
    await stack.api.http
      .post(`${path}/subscriptions`)
      .set(stack.api.auth())
      .send({ url: receiver.url, eventTypes: ['partitions.*'] })
      .expect(201);
    const event = await stack.api.http.post(`${path}/events`).set(stack.api.auth()).send({ type: 'partitions.deleted', data: {} }).expect(202);
    await waitUntil('the delivery succeeded', async () => (await prisma.delivery.count({ where: { eventId: event.body.id, status: 'succeeded' } })) === 1);
    const deliveryIds = (await prisma.delivery.findMany({ where: { tenantId: tenant.body.id }, select: { id: true } })).map((d) => d.id);
    expect(await prisma.attempt.count({ where: { deliveryId: { in: deliveryIds } } })).toBe(1);

    await stack.api.http.delete(path).set(stack.api.auth()).expect(204);

    expect(await prisma.delivery.count({ where: { id: { in: deliveryIds } } })).toBe(0);
    expect(await prisma.attempt.count({ where: { deliveryId: { in: deliveryIds } } })).toBe(0);
  });
});
