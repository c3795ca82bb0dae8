import { randomBytes } from 'node:crypto';
import { PrismaService } from '@hookline/database';
import type { IsolatedDatabase, TestApi, WorkerProcess } from '../support';
import {
  countAttemptsOf,
  createIsolatedDatabase,
  createTenant,
  deliveriesWithAttempts,
  ensureBuilt,
  RecordingReceiver,
  spawnWorkerProcess,
  startTestApi,
  waitUntil,
} from '../support';

/**
 * What a rolling update or a scale-down relies on (deploy/kubernetes, terminationGracePeriodSeconds):
 * SIGTERM to a worker process with attempts in flight against a slow receiver. The worker takes no
 * new job, finishes and records the attempts it holds, and exits 0; what it did not take is left
 * for the next worker. Own database: deliveries sit pending on purpose, another file's sweeper
 * must not send them.
 */

const CONCURRENCY = 5;
const EVENTS = 15;
const RECEIVER_DELAY_MS = 2_000;
/** The test's stand-in for terminationGracePeriodSeconds: well above one attempt's timeout. */
const GRACE_MS = 20_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('a worker stopped with SIGTERM mid-attempt', () => {
  const processes: WorkerProcess[] = [];
  let db: IsolatedDatabase;
  let api: TestApi;
  let receiver: RecordingReceiver;
  let delayMs = RECEIVER_DELAY_MS;

  beforeAll(async () => {
    ensureBuilt();
    db = await createIsolatedDatabase();
  }, 180_000);
  afterAll(async () => {
    for (const worker of processes) if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    await Promise.all(processes.map((w) => w.exited));
    await receiver?.close();
    await api?.close();
    await db?.drop();
  });

  it('finishes and records the attempts in flight, takes nothing new, exits 0; the next worker sends the rest', async () => {
    const env = {
      DATABASE_URL: db.url,
      QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
      DELIVERY_TIMEOUT_MS: '8000',
      SWEEP_INTERVAL_MS: '500',
      WORKER_CONCURRENCY: String(CONCURRENCY),
    };
    api = await startTestApi(env);
    const prisma = api.app.get(PrismaService);
    receiver = await RecordingReceiver.start(() => ({ status: 200, delayMs }));
    const tenant = await createTenant(api);
    const path = `/v1/tenants/${tenant.id}`;
    await api.http
      .post(`${path}/subscriptions`)
      .set(api.auth())
      .send({ url: receiver.url, eventTypes: ['stop.*'] })
      .expect(201);
    for (let n = 0; n < EVENTS; n++) {
      await api.http.post(`${path}/events`).set(api.auth()).send({ type: 'stop.requested', data: { n } }).expect(202);
    }

    const first = spawnWorkerProcess(env);
    processes.push(first);
    await first.ready;
    // The worker holds CONCURRENCY requests, none answered yet: SIGTERM now.
    await receiver.waitForRequests(CONCURRENCY, 10_000);
    first.child.kill('SIGTERM');
    const inFlight = receiver.requests.map((r) => r.headers['webhook-id'] as string);
    expect(inFlight).toHaveLength(CONCURRENCY);
    expect(await countAttemptsOf(prisma, { tenantId: tenant.id })).toBe(0);

    const exit = await Promise.race([first.exited, sleep(GRACE_MS).then(() => 'still running after the grace period')]);
    expect([exit, first.child.signalCode]).toEqual([0, null]);

    // Nothing taken after SIGTERM: the receiver saw only the requests in flight then.
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual(inFlight);
    const deliveries = await deliveriesWithAttempts(prisma, { tenantId: tenant.id });
    const finished = deliveries.filter((d) => inFlight.includes(d.eventId));
    expect(finished).toHaveLength(CONCURRENCY);
    for (const delivery of finished) {
      expect(delivery.status).toBe('succeeded');
      expect(delivery.attempts.map((a) => [a.statusCode, a.error])).toEqual([[200, null]]);
    }
    const left = deliveries.filter((d) => !inFlight.includes(d.eventId));
    expect(left.map((d) => [d.status, d.attempts.length])).toEqual(left.map(() => ['pending', 0]));

    delayMs = 0;
    const second = spawnWorkerProcess(env);
    processes.push(second);
    await second.ready;
    await waitUntil('every delivery succeeded', async () => (await prisma.delivery.count({ where: { tenantId: tenant.id, status: 'succeeded' } })) === EVENTS, 20_000);
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(EVENTS);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 90_000);
});
