import { latencyBucket, latencyBucketRange } from '@hookline/delivery-stats';
import { PrismaService } from '@hookline/database';
import type { TestStack } from '../../../../test/support';
import { createTenant, RecordingReceiver, startTestStack, startTestWorker, waitUntil } from '../../../../test/support';
import type { Delivery } from '../../../../test/delivery/delivery-test-kit';
import { NO_SWEEPER, publish, subscribe, waitForDelivery } from '../../../../test/delivery/delivery-test-kit';

interface Point {
  start: string;
  succeeded: number;
  failed: number;
  dead: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

/** Attempts recorded by the real worker against a real receiver, read back as a chart series. */
describe('stats series', () => {
  let stack: TestStack;
  let receiver: RecordingReceiver;
  let subscriptionId: string;
  let deliveries: Delivery[];
  const startedAt = new Date();

  beforeAll(async () => {
    stack = await startTestStack({ ...NO_SWEEPER, RETRY_SCHEDULE: '50ms,50ms,50ms' });
    const slowdowns: Record<string, number> = {};
    let flakyAnswered = false;
    receiver = await RecordingReceiver.start((request) => {
      const { type, data } = JSON.parse(request.body) as { type: string; data: { delayMs?: number } };
      if (type.endsWith('.dead')) return { status: 500 };
      if (type.endsWith('.flaky') && !flakyAnswered) return ((flakyAnswered = true), { status: 500 });
      return { status: 200, delayMs: data.delayMs ?? slowdowns[type] };
    });
    const subscription = await subscribe(stack, receiver.url);
    subscriptionId = subscription.id;
    const events = [
      await publish(stack, `${subscription.ns}.ok`, { delayMs: 5 }),
      await publish(stack, `${subscription.ns}.ok`, { delayMs: 60 }),
      await publish(stack, `${subscription.ns}.ok`, { delayMs: 180 }),
      await publish(stack, `${subscription.ns}.flaky`, {}),
      await publish(stack, `${subscription.ns}.dead`, {}),
    ];
    deliveries = [];
    for (const [index, event] of events.entries()) {
      const delivery = (await stack.api.http.get(`/v1/tenants/${stack.tenantId}/events/${event.id}`).set(stack.api.auth()).expect(200)).body.deliveries[0];
      deliveries.push(await waitForDelivery(stack, delivery.id, index === 4 ? 'dead' : 'succeeded'));
    }
  });
  afterAll(async () => {
    await stack.close();
    await receiver.close();
  });

  const seriesOf = (tenantId: string) => `/v1/tenants/${tenantId}/stats/series`;
  const total = (points: Point[], field: 'succeeded' | 'failed' | 'dead') => points.reduce((sum, p) => sum + p[field], 0);

  it("counts succeeded and failed attempts and dead deliveries, with percentiles inside the true values' buckets", async () => {
    const response = await stack.api.http
      .get(seriesOf(stack.tenantId))
      .query({ subscriptionId, since: new Date(startedAt.getTime() - 60_000).toISOString(), bucket: '1d' })
      .set(stack.api.auth())
      .expect(200);
    const points = response.body.buckets as Point[];
    expect(response.body.bucket).toBe('1d');
    const busy = points.filter((p) => p.succeeded + p.failed > 0);
    expect(busy).toHaveLength(1);
    // 3 first-time successes; the flaky one fails once, then succeeds; the dead one fails 4 times.
    expect(busy[0]).toMatchObject({ succeeded: 4, failed: 5, dead: 1 });

    const durations = deliveries.flatMap((d) => d.attempts.map((a) => a.durationMs)).sort((a, b) => a - b);
    expect(durations).toHaveLength(9);
    for (const [q, field] of [
      [0.5, 'p50Ms'],
      [0.95, 'p95Ms'],
    ] as const) {
      const truth = durations[Math.ceil(q * durations.length) - 1];
      const [lower, upper] = latencyBucketRange(latencyBucket(truth));
      expect(busy[0][field]).toBeGreaterThanOrEqual(lower);
      expect(busy[0][field]).toBeLessThanOrEqual(upper);
    }
  });

  it('lists every bucket of the range, empty ones with zeros and no percentile', async () => {
    const until = new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 60_000);
    const since = new Date(until.getTime() - 30 * 60_000);
    const response = await stack.api.http
      .get(seriesOf(stack.tenantId))
      .query({ since: since.toISOString(), until: until.toISOString(), bucket: '1m' })
      .set(stack.api.auth())
      .expect(200);
    const points = response.body.buckets as Point[];
    expect(points).toHaveLength(30);
    points.forEach((point, index) => expect(point.start).toBe(new Date(since.getTime() + index * 60_000).toISOString()));
    expect(total(points, 'succeeded')).toBe(4);
    expect(total(points, 'failed')).toBe(5);
    const last = points[points.length - 1];
    expect(last).toEqual({ start: last.start, succeeded: 0, failed: 0, dead: 0, p50Ms: null, p95Ms: null });
  });

  it("gives a portal token its own tenant's series only; operators see every tenant", async () => {
    const session = (await stack.api.http.post(`/v1/tenants/${stack.tenantId}/portal-sessions`).set(stack.api.auth()).send({ readOnly: true }).expect(201)).body;
    const own = await stack.api.http.get(seriesOf(stack.tenantId)).set(stack.api.auth(session.token)).expect(200);
    expect(total(own.body.buckets, 'succeeded')).toBe(4);
    expect([96, 97]).toContain(own.body.buckets.length);

    const stranger = await createTenant(stack.api);
    await stack.api.http.get(seriesOf(stranger.id)).set(stack.api.auth(session.token)).expect(404);
    await stack.api.http.get('/v1/stats/series').set(stack.api.auth(session.token)).expect(403);
    const empty = await stack.api.http.get(seriesOf(stranger.id)).set(stack.api.auth()).expect(200);
    expect(total(empty.body.buckets, 'succeeded') + total(empty.body.buckets, 'failed')).toBe(0);

    const scoped = await stack.api.http.get('/v1/stats/series').query({ tenantId: stack.tenantId, subscriptionId }).set(stack.api.auth()).expect(200);
    expect(total(scoped.body.buckets, 'dead')).toBe(1);
    const everyone = await stack.api.http.get('/v1/stats/series').set(stack.api.auth()).expect(200);
    expect(total(everyone.body.buckets, 'succeeded')).toBeGreaterThanOrEqual(4);
  });

  it('sums what several workers recorded for one subscription in the same minutes', async () => {
    const second = await startTestWorker(stack.env);
    try {
      const subscription = await subscribe(stack, receiver.url);
      const events = await Promise.all(Array.from({ length: 30 }, (_, n) => publish(stack, `${subscription.ns}.ok`, { n })));
      const ids = events.map((e) => e.id);
      const prisma = stack.api.app.get(PrismaService);
      await waitUntil('every delivery succeeded', async () => (await prisma.delivery.count({ where: { eventId: { in: ids }, status: 'succeeded' } })) >= ids.length, 15_000);
      const series = await stack.api.http.get(seriesOf(stack.tenantId)).query({ subscriptionId: subscription.id, bucket: '1h' }).set(stack.api.auth()).expect(200);
      expect(total(series.body.buckets, 'succeeded')).toBe(30);
      expect(total(series.body.buckets, 'failed')).toBe(0);
    } finally {
      await second.close();
    }
  });

  it('refuses a bad range or bucket with problem+json naming the field', async () => {
    const cases: [Record<string, string>, string, string | RegExp][] = [
      [{ bucket: '2m' }, 'bucket', 'must be one of 1m, 5m, 15m, 1h, 1d'],
      [{ since: '2026-01-02T00:00:00Z', until: '2026-01-01T00:00:00Z' }, 'since', 'must be before until'],
      [{ since: '2026-01-01T00:00:00Z', until: '2026-02-01T00:00:00Z', bucket: '1m' }, 'bucket', /more than 1500/],
      [{ since: 'yesterday' }, 'since', 'must be an ISO-8601 date-time'],
      [{ scope: 'all' }, 'scope', 'unknown field'],
    ];
    for (const [query, field, message] of cases) {
      const response = await stack.api.http.get(seriesOf(stack.tenantId)).query(query).set(stack.api.auth()).expect(422);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.errors).toEqual([{ field, message: typeof message === 'string' ? message : expect.stringMatching(message) }]);
    }
  });
});
