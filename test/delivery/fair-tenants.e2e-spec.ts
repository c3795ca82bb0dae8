import { DeliveryQueues, FailOpen, RedisService, TenantLanes } from '@hookline/queue';
import type { TestStack } from '../support';
import { createTenant, RecordingReceiver, startTestStack, waitUntil } from '../support';
import { DeliveryWorkers } from '../../apps/worker/src/delivery/delivery-workers';
import { header, NO_SWEEPER } from './delivery-test-kit';

const FAIR_SHARE = 50;
const WINDOW_MS = 60_000;
/** Tenant A's backlog: BACKLOG_EVENTS events fanned out to A_SUBSCRIPTIONS subscriptions. */
const A_SUBSCRIPTIONS = 10;
const BACKLOG_EVENTS = 150;
const B_EVENTS = 5;
const CONCURRENCY = 10;

let nsCounter = 0;
const namespace = () => `fair${process.pid}n${++nsCounter}`;

async function subscribeTenant(stack: TestStack, tenantId: string, url: string, ns: string): Promise<string> {
  const response = await stack.api.http
    .post(`/v1/tenants/${tenantId}/subscriptions`)
    .set(stack.api.auth())
    .send({ url, eventTypes: [`${ns}.*`] })
    .expect(201);
  return response.body.id as string;
}

const queuedKey = (stack: TestStack, tenantId: string) => `${stack.env.QUEUE_PREFIX}:fair-share:{${tenantId}}:queued`;

async function publishFor(stack: TestStack, tenantId: string, type: string, data: unknown): Promise<void> {
  await stack.api.http.post(`/v1/tenants/${tenantId}/events`).set(stack.api.auth()).send({ type, data }).expect(202);
}

async function inBatches(count: number, size: number, task: (i: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < count; start += size) await Promise.all(Array.from({ length: Math.min(size, count - start) }, (_, k) => task(start + k)));
}

/**
 * One queue, two tenants: tenant A queues far more than its fair share, tenant B a few deliveries
 * after it. B's go ahead of A's backlog (they are taken before A's prioritized jobs), and A's backlog
 * is still sent in full. The receiver's order of arrival is the evidence, never a timing.
 */
describe('fair tenants', () => {
  let stack: TestStack;
  let hook: RecordingReceiver;

  beforeAll(async () => {
    stack = await startTestStack({
      ...NO_SWEEPER,
      FAIR_SHARE_QUEUED_JOBS: String(FAIR_SHARE),
      FAIR_SHARE_WINDOW_MS: String(WINDOW_MS),
      WORKER_CONCURRENCY: String(CONCURRENCY),
    });
    hook = await RecordingReceiver.start();
  });
  afterAll(async () => {
    await hook?.close();
    await stack?.close();
  });

  it("sends a quiet tenant's deliveries before a noisy tenant's backlog, then the whole backlog", async () => {
    // One shard here (single Redis): one queue, one worker.
    const [worker] = stack.worker.get(DeliveryWorkers).workers;
    const [queue] = stack.api.app.get(DeliveryQueues).all;
    const tenantA = stack.tenantId;
    const tenantB = (await createTenant(stack.api)).id;
    const nsA = namespace();
    const nsB = namespace();
    for (let i = 0; i < A_SUBSCRIPTIONS; i++) await subscribeTenant(stack, tenantA, `${hook.url}/a${i}`, nsA);
    await subscribeTenant(stack, tenantB, `${hook.url}/b`, nsB);

    // Workers busy elsewhere: the whole backlog is queued before anything is taken.
    await worker.pause(true);
    const backlog = BACKLOG_EVENTS * A_SUBSCRIPTIONS;
    try {
      await inBatches(BACKLOG_EVENTS, 25, (i) => publishFor(stack, tenantA, `${nsA}.bulk`, { i }));
      // (A job the worker had already fetched when it paused is sent anyway: counted at the receiver.)
      await waitUntil('A backlog queued', async () => (await queue.getJobCountByTypes('wait', 'prioritized')) + hook.requests.length >= backlog);
      // Past its fair share, A's jobs wait in the prioritized set, not in the first-come, first-served list.
      expect(await queue.getJobCountByTypes('prioritized')).toBeGreaterThanOrEqual(backlog - FAIR_SHARE);
      for (let i = 0; i < B_EVENTS; i++) await publishFor(stack, tenantB, `${nsB}.quiet`, { i });
    } finally {
      worker.resume();
    }

    await hook.waitForRequests(backlog + B_EVENTS, 60_000);
    const order = hook.requests.map((r) => r.path);
    const bPositions = order.flatMap((path, i) => (path.endsWith('/b') ? [i] : []));
    expect(bPositions).toHaveLength(B_EVENTS);
    // Ahead of B: at most A's deliveries queued within its fair share, and what was in flight.
    expect(Math.max(...bPositions)).toBeLessThan(FAIR_SHARE + B_EVENTS + CONCURRENCY);
    // Work-conserving: every one of A's deliveries was sent, once.
    expect(new Set(hook.requests.map((r) => header(r, 'x-hookline-delivery'))).size).toBe(backlog + B_EVENTS);
    // Every job that left was taken off its tenant's queued count: A's backlog no longer counts against it.
    const redis = stack.api.app.get(RedisService);
    await waitUntil("A's queued count back to nothing", async () => (await redis.get(queuedKey(stack, tenantA))) === null);
  }, 120_000);

  it('keeps a tenant in the fast lane, whatever its volume, while its deliveries do not pile up', async () => {
    const tenant = (await createTenant(stack.api)).id;
    const ns = namespace();
    await subscribeTenant(stack, tenant, `${hook.url}/steady`, ns);
    const sent = () => hook.requests.filter((r) => r.path.endsWith('/steady')).length;
    // Three fair shares within one window, each delivered before the next is published.
    for (let i = 0; i < FAIR_SHARE * 3; i++) {
      await publishFor(stack, tenant, `${ns}.steady`, { i });
      await waitUntil(`delivery ${i + 1} sent`, () => sent() > i);
    }
    // Its next delivery: no lane. (Counted by volume in the window alone, it would be in lane 2.)
    const lanes = await stack.api.app.get(TenantLanes).priorities(new Map([[tenant, 1]]));
    expect(lanes.get(tenant)).toBe(0);
  }, 60_000);

  it('queues without a lane when the counter fails, and the delivery still happens', async () => {
    const tenant = (await createTenant(stack.api)).id;
    const ns = namespace();
    await subscribeTenant(stack, tenant, `${hook.url}/fail-open`, ns);
    // A counter key that holds no number: INCRBY fails in Redis itself, for this tenant only.
    const redis = stack.api.app.get(RedisService);
    const window = Math.floor(Date.now() / WINDOW_MS);
    for (const w of [window, window + 1]) await redis.set(`${stack.env.QUEUE_PREFIX}:fair-share:{${tenant}}:${w}`, 'not a number', 'PX', WINDOW_MS * 3);
    const failOpen = stack.api.app.get(FailOpen);
    const before = failOpen.total('fair_share');
    const already = hook.requests.length;

    await publishFor(stack, tenant, `${ns}.paid`, { n: 1 });

    await waitUntil('the delivery reached the receiver', () => hook.requests.slice(already).some((r) => r.path.endsWith('/fail-open')), 15_000);
    expect(failOpen.total('fair_share')).toBe(before + 1);
  }, 30_000);
});
