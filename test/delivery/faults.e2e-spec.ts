import type { INestApplicationContext } from '@nestjs/common';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { PrismaService } from '@hookline/database';
import type { RedisClient } from '@hookline/queue';
import { createRedisClient, DeliveryQueues, redisNodes, redisOptions } from '@hookline/queue';
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
  startTestWorker,
  testConfig,
  waitFor,
  waitUntil,
} from '../support';

/**
 * docs/contract.md#delivery-semantics under faults: a worker killed mid-attempt, a flushed Redis, a Redis the API cannot reach.
 * Runs against a single Redis and, in the cluster pass, against a Redis Cluster.
 * Each block runs its own API (and worker) on its own queue prefix and closes them before the next.
 * The file has a database of its own: its deliveries sit overdue on purpose, and any other file's
 * sweeper sharing the database would send them (and this file's sweepers would send theirs).
 */

/** The cluster pass sets REDIS_CLUSTER_NODES for every app this file starts. */
const inCluster = Boolean(process.env.REDIS_CLUSTER_NODES);

let db: IsolatedDatabase;
beforeAll(async () => {
  db = await createIsolatedDatabase();
});
afterAll(async () => {
  await db?.drop();
});

/** Call inside a hook or test: the database exists only once the file's beforeAll ran. */
function stackEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
    RETRY_SCHEDULE: '100ms,200ms,300ms',
    DELIVERY_TIMEOUT_MS: '2000',
    SWEEP_INTERVAL_MS: '500',
    WORKER_CONCURRENCY: '20',
    ...overrides,
  };
}

async function setUp(api: TestApi, receiverUrl: string) {
  const tenant = await createTenant(api);
  const path = `/v1/tenants/${tenant.id}`;
  await api.http
    .post(`${path}/subscriptions`)
    .set(api.auth())
    .send({ url: receiverUrl, eventTypes: ['fault.*'] })
    .expect(201);
  return { tenantId: tenant.id, path };
}

async function publishMany(api: TestApi, path: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  // Ten at a time: quick, without queueing fifty requests on the API's connection pool at once.
  for (let i = 0; i < count; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, count - i) }, (_, j) =>
        api.http
          .post(`${path}/events`)
          .set(api.auth())
          .send({ type: 'fault.happened', data: { n: i + j } })
          .expect(202),
      ),
    );
    ids.push(...batch.map((r) => r.body.id as string));
  }
  return ids;
}

/** The delivery invariant (docs/contract.md#delivery-semantics): a delivery is `succeeded` only with a recorded 2xx attempt. */
async function succeededWithoutA2xx(prisma: PrismaService, tenantId: string): Promise<number> {
  const [{ count }] = await prisma.$queryRaw<{ count: bigint }[]>`
    SELECT count(*) AS count FROM deliveries d
    WHERE d.tenant_id = ${tenantId} AND d.status = 'succeeded'
      AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.delivery_id = d.id AND a.status_code BETWEEN 200 AND 299 AND a.error IS NULL)`;
  return Number(count);
}

const statusCounts = async (prisma: PrismaService, tenantId: string) =>
  Object.fromEntries((await prisma.delivery.groupBy({ by: ['status'], where: { tenantId }, _count: true })).map((g) => [g.status, g._count]));

describe('a worker killed with SIGKILL mid-attempt', () => {
  const processes: WorkerProcess[] = [];
  let api: TestApi;
  let receiver: RecordingReceiver;

  // Compiles dist/ when sources changed since the last build: slow (~20 s) in a tree being edited.
  beforeAll(() => ensureBuilt(), 180_000);
  afterAll(async () => {
    for (const worker of processes) if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    await Promise.all(processes.map((w) => w.exited));
    await receiver?.close();
    await api?.close();
  });

  it('leaves its 50 in-flight deliveries to the next worker: all succeed, none without a 2xx attempt', async () => {
    // 50 on the one shard these deliveries go to: WORKER_CONCURRENCY is split over the shards.
    const env = stackEnv({ WORKER_CONCURRENCY: String(50 * Number(process.env.QUEUE_SHARDS ?? 1)) });
    api = await startTestApi(env);
    const prisma = api.app.get(PrismaService);
    receiver = await RecordingReceiver.start(() => ({ status: 200, delayMs: 1_500 }));
    const { tenantId, path } = await setUp(api, receiver.url);

    // Published before any worker runs, so the first worker takes all 50 at once and none is
    // answered before the kill.
    const eventIds = await publishMany(api, path, 50);
    const first = spawnWorkerProcess(env);
    processes.push(first);
    await first.ready;
    await receiver.waitForRequests(50, 10_000);

    // Every one of the 50 is now held by the receiver: none answered, none recorded.
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    expect(first.child.signalCode).toBe('SIGKILL');
    const killedAt = Date.now();
    expect(await countAttemptsOf(prisma, { tenantId })).toBe(0);
    expect(await statusCounts(prisma, tenantId)).toEqual({ pending: 50 });

    const second = spawnWorkerProcess(env);
    processes.push(second);
    await second.ready;
    await waitUntil(
      'all 50 deliveries succeeded',
      async () => {
        // Checked all along, not just at the end: never `succeeded` without a recorded 2xx.
        expect(await succeededWithoutA2xx(prisma, tenantId)).toBe(0);
        return (await prisma.delivery.count({ where: { tenantId, status: 'succeeded' } })) === 50;
      },
      25_000,
    );

    expect(await statusCounts(prisma, tenantId)).toEqual({ succeeded: 50 });
    expect(await succeededWithoutA2xx(prisma, tenantId)).toBe(0);
    const deliveries = await deliveriesWithAttempts(prisma, { tenantId });
    for (const delivery of deliveries) {
      expect(delivery.attempts.length).toBeGreaterThanOrEqual(1);
      expect(delivery.attempts.some((a) => a.statusCode === 200 && a.error === null)).toBe(true);
      expect(delivery.lastStatusCode).toBe(200);
    }
    expect(deliveries.map((d) => d.eventId).sort()).toEqual([...eventIds].sort());

    // At least once: every event reached the receiver again after the kill.
    const afterKill = new Set(receiver.requests.filter((r) => r.receivedAt >= killedAt).map((r) => r.headers['webhook-id']));
    expect([...afterKill].sort()).toEqual([...eventIds].sort());
    expect(receiver.requests.length).toBeGreaterThanOrEqual(100);
  }, 60_000);
});

describe('a flushed Redis', () => {
  // FLUSHDB on the shared test db would wipe the queues of every other test file running now, so
  // this block gets a Redis database of its own, next to the run's. A cluster has no databases and
  // is shared by the pass's files too: there every key of this block's prefix is deleted on every
  // master, which is what a flush is to this block's apps.
  const redisUrl = (() => {
    const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/1');
    url.pathname = '/14';
    return url.toString();
  })();
  let env: Record<string, string>;
  let api: TestApi;
  let worker: INestApplicationContext | undefined;
  let redis: RedisClient;
  let receiver: RecordingReceiver;
  let failing = true;
  /** While set, the receiver answers only once it settles. */
  let holdAnswers: Promise<unknown> | undefined;

  beforeAll(async () => {
    // 60 slots: on a cluster's three shards a worker takes 20 jobs of each, so the ten deliveries of one
    // subscription (one shard) can all be in flight at once.
    env = stackEnv({ REDIS_URL: redisUrl, RETRY_SCHEDULE: '1500ms,1500ms,1500ms', WORKER_CONCURRENCY: '60' });
    redis = inCluster ? createRedisClient(testConfig(env)) : new Redis(redisOptions(redisUrl));
    // Leftovers of an earlier, interrupted run of this file are fine to flush; anything else is not ours.
    const foreign = inCluster ? [] : (await redis.keys('*')).filter((key) => !/^test-[0-9a-f]{8}:/.test(key));
    if (foreign.length) throw new Error(`Redis db 14 holds keys this file did not write (${foreign.slice(0, 3).join(', ')}); refusing to FLUSHDB it`);
    api = await startTestApi(env);
    receiver = await RecordingReceiver.start(() => ({ status: failing ? 500 : 200, until: holdAnswers }));
  });
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
  });
  afterAll(async () => {
    await receiver?.close();
    await api?.close();
    if (redis) await flush();
    redis?.disconnect();
  });

  async function flush() {
    if (inCluster) {
      const ours = (node: Redis) => node.keys(`*${env.QUEUE_PREFIX}*`);
      for (const node of redisNodes(redis)) for (const key of await ours(node)) await node.del(key);
      for (const node of redisNodes(redis)) expect(await ours(node)).toEqual([]);
      return;
    }
    const keys = await redis.keys('*');
    expect(keys.filter((key) => !key.startsWith(`${env.QUEUE_PREFIX}:`))).toEqual([]);
    await redis.flushdb();
    expect(await redis.dbsize()).toBe(0);
  }

  it('loses no pending delivery: published while no worker runs, flushed, then swept and delivered', async () => {
    const prisma = api.app.get(PrismaService);
    const queues = api.app.get(DeliveryQueues);
    failing = false;
    const { tenantId, path } = await setUp(api, receiver.url);
    const eventIds = await publishMany(api, path, 10);
    expect(await queues.waiting()).toBe(10);

    await flush();
    expect(await queues.waiting()).toBe(0);

    worker = await startTestWorker(env);
    await waitUntil('all 10 delivered', async () => (await prisma.delivery.count({ where: { tenantId, status: 'succeeded' } })) === 10, 8_000);
    expect(await succeededWithoutA2xx(prisma, tenantId)).toBe(0);
    const delivered = new Set(receiver.requests.filter((r) => r.headers['x-hookline-event'] === 'fault.happened').map((r) => r.headers['webhook-id']));
    expect(eventIds.every((id) => delivered.has(id))).toBe(true);
  });

  it('loses no failed delivery awaiting its retry: flushed while delayed, swept and delivered once due', async () => {
    const prisma = api.app.get(PrismaService);
    const queues = api.app.get(DeliveryQueues);
    failing = true;
    worker = await startTestWorker(env);
    const { tenantId, path } = await setUp(api, receiver.url);
    const eventIds = await publishMany(api, path, 10);

    // The attempt is committed before its job moves to delayed: wait for both.
    await waitFor(
      async () => ({
        failedOnce: await prisma.delivery.count({ where: { tenantId, status: 'failed', attemptCount: 1 } }),
        delayed: (await Promise.all(queues.all.map((queue) => queue.getDelayedCount()))).reduce((a, b) => a + b, 0),
      }),
      ({ failedOnce, delayed }) => failedOnce === 10 && delayed === 10,
      { what: 'all 10 failed once and delayed', timeoutMs: 5_000 },
    );
    await flush();
    failing = false;

    await waitUntil('all 10 succeeded', async () => (await prisma.delivery.count({ where: { tenantId, status: 'succeeded' } })) === 10, 8_000);
    expect(await succeededWithoutA2xx(prisma, tenantId)).toBe(0);
    const deliveries = await deliveriesWithAttempts(prisma, { tenantId });
    expect(deliveries.map((d) => d.eventId).sort()).toEqual([...eventIds].sort());
    for (const delivery of deliveries) {
      const codes = delivery.attempts.map((a) => a.statusCode);
      expect(codes[0]).toBe(500);
      expect(codes[codes.length - 1]).toBe(200);
      expect(delivery.attempts.map((a) => a.number)).toEqual(codes.map((_, i) => i + 1));
    }
  });

  it('loses neither the result of an attempt in flight during the flush nor its delivery', async () => {
    const prisma = api.app.get(PrismaService);
    failing = true;
    let answer!: () => void;
    holdAnswers = new Promise<void>((resolve) => (answer = resolve));
    worker = await startTestWorker(env);
    const { tenantId, path } = await setUp(api, receiver.url);
    const eventIds = await publishMany(api, path, 10);
    try {
      await waitUntil('10 attempts in flight', () => receiver.requests.filter((r) => eventIds.includes(r.headers['webhook-id'] as string)).length === 10, 5_000);
      // The jobs and their locks vanish under the worker while the receiver holds the requests.
      await flush();
      failing = false;
    } finally {
      holdAnswers = undefined;
      answer();
    }

    await waitUntil('all 10 succeeded', async () => (await prisma.delivery.count({ where: { tenantId, status: 'succeeded' } })) === 10, 10_000);
    expect(await succeededWithoutA2xx(prisma, tenantId)).toBe(0);
    const deliveries = await deliveriesWithAttempts(prisma, { tenantId });
    expect(deliveries.map((d) => d.eventId).sort()).toEqual([...eventIds].sort());
    for (const delivery of deliveries) {
      // The 500 that was in flight is recorded (Postgres first), and a later attempt got the 200.
      expect(delivery.attempts.map((a) => a.statusCode)).toEqual(expect.arrayContaining([500, 200]));
      expect(delivery.attempts.map((a) => a.number)).toEqual(delivery.attempts.map((_, i) => i + 1));
    }
  });
});

describe('publishing while the API cannot reach Redis', () => {
  let env: Record<string, string>;
  let api: TestApi;
  let worker: INestApplicationContext | undefined;
  let receiver: RecordingReceiver;

  beforeAll(async () => {
    env = stackEnv();
    // Port 1 on loopback: nothing listens, every connection is refused.
    api = await startTestApi({ ...env, ...(inCluster ? { REDIS_CLUSTER_NODES: '127.0.0.1:1' } : { REDIS_URL: 'redis://127.0.0.1:1/1' }) });
    receiver = await RecordingReceiver.start();
  });
  afterAll(async () => {
    await worker?.close();
    await receiver?.close();
    await api?.close();
  });

  it('still answers 202 within ~3 s with the event and deliveries in Postgres; a worker delivers them via the sweeper', async () => {
    const prisma = api.app.get(PrismaService);
    const { tenantId, path } = await setUp(api, receiver.url);
    await api.http
      .post(`${path}/subscriptions`)
      .set(api.auth())
      .send({ url: `${receiver.url}?second`, eventTypes: ['fault.happened'] })
      .expect(201);

    // Two at once: each waits out the enqueue timeout (2 s) on its own, neither blocks the other.
    const startedAt = Date.now();
    const responses = await Promise.all(
      [0, 1].map(async (i) => {
        const response = await api.http.post(`${path}/events`).set(api.auth()).send({ type: 'fault.happened', data: { i } });
        return { status: response.status, deliveryCount: response.body.deliveryCount, id: response.body.id as string, tookMs: Date.now() - startedAt };
      }),
    );
    for (const response of responses) {
      expect(response).toMatchObject({ status: 202, deliveryCount: 2 });
      expect(response.tookMs).toBeLessThan(3_000);
    }
    const eventIds = responses.map((r) => r.id);
    expect(await prisma.event.count({ where: { tenantId } })).toBe(2);
    expect(await statusCounts(prisma, tenantId)).toEqual({ pending: 4 });

    // A worker on the real Redis, same queue prefix: nothing is queued there, the sweeper finds the four.
    worker = await startTestWorker(env);
    await waitUntil('all 4 delivered', async () => (await prisma.delivery.count({ where: { tenantId, status: 'succeeded' } })) === 4, 8_000);
    expect(await succeededWithoutA2xx(prisma, tenantId)).toBe(0);
    const received = new Set(receiver.requests.map((r) => `${r.path} ${r.headers['webhook-id']}`));
    expect([...received].sort()).toEqual(eventIds.flatMap((id) => [`/hook ${id}`, `/hook?second ${id}`]).sort());
  });
});
