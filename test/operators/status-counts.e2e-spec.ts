import { PrismaService } from '@hookline/database';
import { StatusCountsRepository } from '@hookline/deliveries';
import { DeliveryQueues } from '@hookline/queue';
import { StatsService } from '@hookline/stats';
import type { TestStack } from '../support';
import { createTenant, RecordingReceiver, startIsolatedStack, waitFor } from '../support';

/**
 * Per tenant and status: what the counters say (folded counts plus deltas) against count(*) over
 * deliveries, in ONE statement, so both are read in the same snapshot and must be equal at any moment.
 * The same per partition too (its counts plus its deltas), which retention subtracts when it drops one.
 */
const MISMATCHES_SQL = `
  WITH counters AS (
    SELECT '' AS partition, tenant_id, status::text, sum(n)::bigint AS n FROM (
      SELECT tenant_id, status, n FROM delivery_status_counts
      UNION ALL SELECT tenant_id, status, delta FROM delivery_status_deltas
    ) AS c GROUP BY 2, 3
    UNION ALL
    SELECT partition, tenant_id, status::text, sum(n)::bigint FROM (
      SELECT partition, tenant_id, status, n FROM delivery_partition_counts
      UNION ALL SELECT partition, tenant_id, status, delta FROM delivery_status_deltas
    ) AS c GROUP BY 1, 2, 3
  ), actual AS (
    SELECT '' AS partition, tenant_id, status::text, count(*)::bigint AS n FROM deliveries GROUP BY 2, 3
    UNION ALL
    SELECT tableoid::regclass::text, tenant_id, status::text, count(*)::bigint FROM deliveries GROUP BY 1, 2, 3
  )
  SELECT coalesce(c.partition, a.partition) AS partition, coalesce(c.tenant_id, a.tenant_id) AS tenant, coalesce(c.status, a.status) AS status,
         coalesce(c.n, 0)::int AS counted, coalesce(a.n, 0)::int AS actual
  FROM counters c FULL JOIN actual a ON a.partition = c.partition AND a.tenant_id = c.tenant_id AND a.status = c.status
  WHERE coalesce(c.n, 0) <> coalesce(a.n, 0)`;

const EVENTS = 240;
const PARALLEL = 24;

/**
 * `GET /v1/stats` counts come from counters kept by triggers on deliveries, not from counting the
 * table. Here publishes, successes, retries to a failing endpoint, deaths, cancellations (a
 * subscription disabled mid-way), a deleted tenant and folds (the worker's, and more from the test)
 * all run at once; at every moment the counters equal count(*). Its own database, so the whole
 * table can be compared.
 */
describe('delivery status counters', () => {
  let stack: TestStack;
  let ok: RecordingReceiver;
  let failing: RecordingReceiver;

  beforeAll(async () => {
    stack = await startIsolatedStack({ RETRY_SCHEDULE: '20ms,20ms' });
    ok = await RecordingReceiver.start(() => ({ status: 200 }));
    failing = await RecordingReceiver.start(() => ({ status: 500 }));
  });
  afterAll(async () => {
    await ok?.close();
    await failing?.close();
    await stack?.close();
  });

  it('stay equal to count(*) under concurrent publishes, attempts, cancels, deletes and folds', async () => {
    const prisma = stack.api.app.get(PrismaService);
    const counts = stack.api.app.get(StatusCountsRepository);
    const auth = stack.api.auth();
    const ns = `sc${process.pid}`;
    const subscribe = async (tenantId: string, url: string) =>
      (
        await stack.api.http
          .post(`/v1/tenants/${tenantId}/subscriptions`)
          .set(auth)
          .send({ url, eventTypes: [`${ns}.*`] })
          .expect(201)
      ).body.id as string;
    const tenants = [stack.tenantId, (await createTenant(stack.api)).id, (await createTenant(stack.api)).id];
    const doomed = tenants[2];
    const toCancel: string[] = [];
    for (const tenantId of tenants) {
      await subscribe(tenantId, ok.url);
      await subscribe(tenantId, failing.url);
      toCancel.push(await subscribe(tenantId, ok.url.replace('/hook', '/slow')));
    }
    ok.respondWith((request) => ({ status: 200, delayMs: request.path.endsWith('/slow') ? 50 : 0 }));

    let loading = true;
    const mismatchesSeen: unknown[] = [];
    // What GET /v1/stats answers must agree with itself too: the tenant's backlog is its pending and failed counts.
    const stats = stack.api.app.get(StatsService);
    const disagreements: unknown[] = [];
    let statsRead = 0;
    const checker = (async () => {
      while (loading) {
        const rows = await prisma.$queryRawUnsafe<unknown[]>(MISMATCHES_SQL);
        if (rows.length) mismatchesSeen.push(rows);
        await counts.fold(7);
        const view = await stats.stats(tenants[0]);
        const backlog = view.backlog[0] ?? { pending: 0, failed: 0 };
        if (backlog.pending !== view.deliveries.pending || backlog.failed !== view.deliveries.failed) disagreements.push({ deliveries: view.deliveries, backlog });
        statsRead++;
      }
    })();

    const publishes: Promise<unknown>[] = [];
    for (let i = 0; i < EVENTS; i += PARALLEL) {
      const batch = Array.from({ length: PARALLEL }, async (_, k) => {
        const tenantId = tenants[(i + k) % tenants.length];
        const response = await stack.api.http
          .post(`/v1/tenants/${tenantId}/events`)
          .set(auth)
          .send({ type: `${ns}.e`, data: { n: i + k } });
        // The doomed tenant's publishes race its deletion.
        if (response.status !== 202 && !(tenantId === doomed && response.status === 404)) throw new Error(`publish answered ${response.status}`);
      });
      publishes.push(...batch);
      await Promise.all(batch);
      if (i === PARALLEL * 4)
        for (const id of toCancel) {
          const tenantId = tenants[toCancel.indexOf(id)];
          publishes.push(
            stack.api.http
              .post(`/v1/tenants/${tenantId}/subscriptions/${id}/disable`)
              .set(auth)
              .then((response) => {
                // The doomed tenant's disable races its deletion too (on a busy machine it can come second).
                if (response.status !== 200 && !(tenantId === doomed && response.status === 404)) throw new Error(`disable answered ${response.status}`);
              }),
          );
        }
      if (i === PARALLEL * 6) publishes.push(stack.api.http.delete(`/v1/tenants/${doomed}`).set(auth).expect(204));
    }
    await Promise.all(publishes);
    // Every delivery final: succeeded, dead (the failing endpoint) or cancelled.
    await waitFor(
      () => prisma.delivery.count({ where: { status: { in: ['pending', 'failed'] } } }),
      (open) => open === 0,
      { what: 'every delivery to be final', timeoutMs: 60_000 },
    );
    loading = false;
    await checker;

    expect(mismatchesSeen).toEqual([]);
    expect(disagreements).toEqual([]);
    expect(statsRead).toBeGreaterThan(10);
    expect(await prisma.$queryRawUnsafe(MISMATCHES_SQL)).toEqual([]);
    const byStatus = await prisma.$queryRawUnsafe<{ status: string; n: number }[]>(
      `SELECT status::text, count(*)::int AS n FROM deliveries WHERE tenant_id = $1 GROUP BY 1`,
      tenants[0],
    );
    const expected = { pending: 0, succeeded: 0, failed: 0, dead: 0, cancelled: 0, ...Object.fromEntries(byStatus.map((r) => [r.status, r.n])) };
    // Each kind happened, so the comparison above covered every transition.
    expect(expected.succeeded).toBeGreaterThan(0);
    expect(expected.dead).toBeGreaterThan(0);
    expect(expected.cancelled).toBeGreaterThan(0);
    const answered = (await stack.api.http.get(`/v1/stats?tenantId=${tenants[0]}`).set(auth).expect(200)).body;
    expect(answered.deliveries).toEqual(expected);
    expect(await counts.byStatus(doomed)).toEqual({ pending: 0, succeeded: 0, failed: 0, dead: 0, cancelled: 0 });
  }, 120_000);

  it('lists the backlog per tenant from the counters', async () => {
    const tenantId = (await createTenant(stack.api)).id;
    const ns = `bl${process.pid}`;
    await stack.api.http
      .post(`/v1/tenants/${tenantId}/subscriptions`)
      .set(stack.api.auth())
      .send({ url: failing.url, eventTypes: [`${ns}.*`] })
      .expect(201);
    // Left pending: the queue is paused, so no attempt is made.
    const queues = stack.api.app.get(DeliveryQueues).all;
    await Promise.all(queues.map((queue) => queue.pause()));
    try {
      for (let i = 0; i < 3; i++)
        await stack.api.http
          .post(`/v1/tenants/${tenantId}/events`)
          .set(stack.api.auth())
          .send({ type: `${ns}.x`, data: {} })
          .expect(202);
      const stats = (await stack.api.http.get(`/v1/stats?tenantId=${tenantId}`).set(stack.api.auth()).expect(200)).body;
      expect(stats.deliveries.pending).toBe(3);
      expect(stats.backlog).toEqual([{ tenantId, pending: 3, failed: 0, backlog: 3, oldestPendingAgeSeconds: expect.any(Number) }]);
    } finally {
      await Promise.all(queues.map((queue) => queue.resume()));
    }
  });
});
