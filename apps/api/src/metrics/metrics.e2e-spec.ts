import { DeliveryQueues } from '@hookline/queue';
import type { TestStack } from '../../../../test/support';
import { createTenantKey, RecordingReceiver, startIsolatedStack, waitFor } from '../../../../test/support';

/** One sample of the Prometheus text, e.g. sample(text, 'hookline_dead_letters'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /v1/stats and /metrics', () => {
  let stack: TestStack;
  let ok: RecordingReceiver;
  let failing: RecordingReceiver;

  beforeAll(async () => {
    // A database of its own, two attempts per cycle 20 ms apart.
    stack = await startIsolatedStack({ SWEEP_INTERVAL_MS: '600000', RETRY_SCHEDULE: '20ms' });
    ok = await RecordingReceiver.start(() => ({ status: 200 }));
    failing = await RecordingReceiver.start(() => ({ status: 500 }));
  });
  afterAll(async () => {
    await ok?.close();
    await failing?.close();
    await stack?.close();
  });

  const tenant = () => `/v1/tenants/${stack.tenantId}`;
  const stats = async () => (await stack.api.http.get(`/v1/stats?tenantId=${stack.tenantId}`).set(stack.api.auth()).expect(200)).body;

  it('reflects real deliveries: counts by status, backlog and its age, queue depths, outcomes and latency', async () => {
    const ns = `m${process.pid}`;
    const auth = stack.api.auth();
    const okSubscription = await stack.api.http
      .post(`${tenant()}/subscriptions`)
      .set(auth)
      .send({ url: ok.url, eventTypes: [`${ns}.ok`] })
      .expect(201);
    await stack.api.http
      .post(`${tenant()}/subscriptions`)
      .set(auth)
      .send({ url: failing.url, eventTypes: [`${ns}.bad`] })
      .expect(201);

    // Queue paused: a due delivery waits, and the backlog and its age show it. (A database of its
    // own: other test files' sweepers would send a delivery overdue on purpose.)
    const queues = stack.api.app.get(DeliveryQueues).all;
    await Promise.all(queues.map((queue) => queue.pause()));
    // `deliveries` on a single Redis; on a cluster, the shard of the subscription (`deliveries-<n>`).
    const shard = stack.api.app.get(DeliveryQueues).forSubscription(okSubscription.body.id as string).name;
    await stack.api.http
      .post(`${tenant()}/events`)
      .set(auth)
      .send({ type: `${ns}.ok`, data: {} })
      .expect(202);
    const waiting = await waitFor(stats, (s) => s.oldestPendingAgeSeconds >= 1, { what: 'the pending delivery to be a second old' });
    expect(waiting.deliveries).toEqual({ pending: 1, succeeded: 0, failed: 0, dead: 0, cancelled: 0 });
    expect(waiting.backlog).toEqual([{ tenantId: stack.tenantId, pending: 1, failed: 0, backlog: 1, oldestPendingAgeSeconds: expect.any(Number) }]);
    expect(waiting.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(1);
    expect(waiting.queues[shard]).toMatchObject({ waiting: 0, paused: 1, active: 0 });
    // /metrics caches its Postgres numbers for 2 s: the age reaches a second there too, a little later at most.
    const { text: pausedMetrics } = await waitFor(
      () => stack.api.http.get('/metrics').expect(200),
      ({ text }) => (sample(text, 'hookline_oldest_pending_age_seconds') ?? 0) >= 1,
      { what: 'the pending age in /metrics' },
    );
    expect(sample(pausedMetrics, `hookline_queue_jobs{queue="${shard}",state="paused"}`)).toBe(1);
    expect(sample(pausedMetrics, 'hookline_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(1);
    await Promise.all(queues.map((queue) => queue.resume()));

    for (let i = 0; i < 2; i++)
      await stack.api.http
        .post(`${tenant()}/events`)
        .set(auth)
        .send({ type: `${ns}.ok`, data: { i } })
        .expect(202);
    await stack.api.http
      .post(`${tenant()}/events`)
      .set(auth)
      .send({ type: `${ns}.bad`, data: {} })
      .expect(202);
    const done = await waitFor(stats, (s) => s.deliveries.succeeded === 3 && s.deliveries.dead === 1, { what: 'three successes and one dead' });
    expect(done).toMatchObject({
      tenantId: stack.tenantId,
      deliveries: { pending: 0, succeeded: 3, failed: 0, dead: 1, cancelled: 0 },
      backlog: [],
      oldestPendingAgeSeconds: null,
    });

    // Workers add their counts to Redis every second and Postgres numbers are cached for 2 s: wait
    // until the scrape has every attempt and the dead letter, then check the whole of it.
    const metrics = await waitFor(
      () => stack.api.http.get('/metrics').expect(200),
      ({ text }) => sample(text, 'hookline_delivery_attempt_duration_seconds_count') === 5 && sample(text, 'hookline_dead_letters') === 1,
      { what: 'the five attempts and the dead letter in /metrics' },
    );
    expect(metrics.headers['content-type']).toMatch(/^text\/plain;/);
    expect(metrics.headers['content-type']).toContain('version=0.0.4');
    const text = metrics.text;
    // This stack's queue prefix has its own counters: exactly this test's attempts.
    expect(sample(text, 'hookline_delivery_attempts_total{outcome="succeeded"}')).toBe(3);
    expect(sample(text, 'hookline_delivery_attempts_total{outcome="failed"}')).toBe(1);
    expect(sample(text, 'hookline_delivery_attempts_total{outcome="dead"}')).toBe(1);
    expect(sample(text, 'hookline_delivery_attempt_duration_seconds_count')).toBe(5);
    expect(sample(text, 'hookline_delivery_attempt_duration_seconds_bucket{le="+Inf"}')).toBe(5);
    expect(sample(text, 'hookline_delivery_attempt_duration_seconds_bucket{le="15"}')).toBe(5);
    expect(sample(text, 'hookline_delivery_attempt_duration_seconds_sum')).toBeGreaterThan(0);
    expect(text).toMatch(/^# TYPE hookline_delivery_attempt_duration_seconds histogram$/m);
    // Postgres numbers are across tenants; this database has only this test's.
    expect(sample(text, 'hookline_dead_letters')).toBe(1);
    expect(sample(text, 'hookline_deliveries{status="succeeded"}')).toBe(3);
    expect(sample(text, 'hookline_oldest_pending_age_seconds')).toBe(0);
    expect(sample(text, 'hookline_queue_jobs{queue="replays",state="active"}')).toBe(0);
    expect(text).toMatch(/^hookline_api_process_cpu_seconds_total /m);
    // No tenant-identifying labels.
    expect(text).not.toContain(stack.tenantId);
    expect(text).not.toMatch(/ten_|sub_|dlv_/);
  });

  it('stats are admin only; metrics need no key', async () => {
    const key = await createTenantKey(stack.api, stack.tenantId);
    await stack.api.http.get('/v1/stats').set(stack.api.auth(key.key)).expect(403);
    await stack.api.http.get('/v1/stats').expect(401);
    const all = await stack.api.http.get('/v1/stats').set(stack.api.auth()).expect(200);
    expect(Object.keys(all.body.deliveries).sort()).toEqual(['cancelled', 'dead', 'failed', 'pending', 'succeeded']);
    expect(all.body.tenantId).toBeNull();
    await stack.api.http.get('/v1/stats?tenant=x').set(stack.api.auth()).expect(422);
    await stack.api.http.get('/metrics').expect(200);
  });
});
