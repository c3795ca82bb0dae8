import { randomBytes } from 'node:crypto';
import type { IsolatedDatabase, TestApi, WorkerProcess } from '../support';
import { createIsolatedDatabase, createTenant, ensureBuilt, RecordingReceiver, spawnWorkerProcess, startTestApi, waitFor } from '../support';

const LIMIT = 4;
const EVENTS = 16;

/** The most requests that arrived within any window of `windowMs`. */
function busiestWindow(times: number[], windowMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[j] - times[i] >= windowMs) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

/**
 * Two worker processes (and no worker in this one, which only hosts the API, idle while the
 * deliveries go, and the receiver that timestamps them).
 */
describe('rateLimitPerSecond holds across worker processes', () => {
  let database: IsolatedDatabase;
  let api: TestApi;
  let workers: WorkerProcess[] = [];
  let receiver: RecordingReceiver;
  let tenantId: string;

  beforeAll(async () => {
    // Compiles dist/ for the worker processes when sources changed: slow in a tree being edited.
    ensureBuilt();
    database = await createIsolatedDatabase();
    const env = { QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`, DATABASE_URL: database.url, SWEEP_INTERVAL_MS: '600000', WORKER_CONCURRENCY: '8' };
    api = await startTestApi(env);
    workers = [spawnWorkerProcess({ ...env, REDIS_URL: process.env.REDIS_URL! }), spawnWorkerProcess({ ...env, REDIS_URL: process.env.REDIS_URL! })];
    await Promise.all(workers.map((w) => w.ready));
    receiver = await RecordingReceiver.start(() => ({ status: 200 }));
    tenantId = (await createTenant(api)).id;
  }, 180_000);
  afterAll(async () => {
    for (const worker of workers) worker.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await receiver?.close();
    await api?.close();
    await database?.drop();
  });

  it('paces deliveries to the limit, timed at the receiver; held-back deliveries use no attempt', async () => {
    const tenant = `/v1/tenants/${tenantId}`;
    await api.http
      .post(`${tenant}/subscriptions`)
      .set(api.auth())
      .send({ url: receiver.url, eventTypes: ['paced.*'], rateLimitPerSecond: LIMIT })
      .expect(201);
    await Promise.all(Array.from({ length: EVENTS }, (_, i) => api.http.post(`${tenant}/events`).set(api.auth()).send({ type: 'paced.x', data: { i } }).expect(202)));

    const requests = await receiver.waitForRequests(EVENTS, 15_000);
    const times = requests.map((r) => r.receivedAt).sort((a, b) => a - b);
    // Let through at most LIMIT per 1.05 s; arrivals also carry send jitter (connection, a busy
    // machine: one attempt held up while the next ones leave on time), worth up to two more in a
    // sliding second. Without the limit all 16 would arrive within a few ms; the whole run's length
    // below is the exact pacing check.
    expect(busiestWindow(times, 1_000)).toBeLessThanOrEqual(LIMIT + 2);
    expect(times[times.length - 1] - times[0]).toBeGreaterThanOrEqual(((EVENTS - 1 - LIMIT) * 1000) / LIMIT);

    expect(new Set(requests.map((r) => r.headers['x-hookline-attempt']))).toEqual(new Set(['1']));
    const stats = await waitFor(
      async () => (await api.http.get(`/v1/stats?tenantId=${tenantId}`).set(api.auth()).expect(200)).body,
      (body) => body.deliveries.succeeded >= EVENTS,
      { timeoutMs: 5_000, what: 'every delivery succeeded' },
    );
    expect(stats.deliveries).toEqual({ pending: 0, succeeded: EVENTS, failed: 0, dead: 0, cancelled: 0 });
    // The worker flushes its counters to Redis about once a second; wait for the flush that has them all.
    const succeededAttempts = (text: string) => Number(/hookline_delivery_attempts_total\{outcome="succeeded"\} (\d+)/.exec(text)?.[1] ?? 0);
    const metrics = await waitFor(
      () => api.http.get('/metrics').expect(200),
      (response) => succeededAttempts(response.text) >= EVENTS,
      { what: 'the worker counters in /metrics' },
    );
    expect(Number(/hookline_delivery_deferrals_total\{reason="rate_limited"\} (\d+)/.exec(metrics.text)?.[1])).toBeGreaterThanOrEqual(EVENTS - LIMIT);
    expect(Number(/hookline_delivery_attempts_total\{outcome="succeeded"\} (\d+)/.exec(metrics.text)?.[1])).toBe(EVENTS);
  });
});
