import { PrismaService } from '@hookline/database';
import { DeliveryQueues } from '@hookline/queue';
import type { TestStack } from '../../../../test/support';
import { RecordingReceiver, startIsolatedStack, waitFor } from '../../../../test/support';
import { count, ndjson, upload, waitForJob } from './bulk-test-kit';

const ROWS = 25_000;

/**
 * The long one (three chunks, 25,000 deliveries): everything arrives, and uploading the same file
 * again creates nothing. Deliveries go to a receiver on 127.0.0.1 at the worker's full concurrency.
 */
describe('a 25,000-row NDJSON bulk job', () => {
  let stack: TestStack;
  let receiver: RecordingReceiver;
  jest.setTimeout(240_000);
  const eventIds = () => new Set(receiver.requests.map((r) => r.headers['webhook-id'] as string));

  beforeAll(async () => {
    // One receiver in this process: the per-endpoint in-flight cap must not be below the worker's
    // concurrency (or most jobs are deferred), and a busy event loop must not time attempts out.
    // Its own database with the sweeper on, as in production: on a starved CPU a job can lose its
    // lock often enough for BullMQ to drop it, and the sweeper is what brings such a delivery back.
    stack = await startIsolatedStack({ SWEEP_INTERVAL_MS: '1000', WORKER_CONCURRENCY: '100', ENDPOINT_MAX_IN_FLIGHT: '100', DELIVERY_TIMEOUT_MS: '10000' });
    receiver = await RecordingReceiver.start();
    await stack.api.http
      .post(`/v1/tenants/${stack.tenantId}/subscriptions`)
      .set(stack.api.auth())
      .send({ url: receiver.url, eventTypes: ['large.*'] })
      .expect(201);
  });
  afterAll(async () => {
    await receiver.close();
    await stack.close();
  });

  const file = ndjson(Array.from({ length: ROWS }, (_, i) => ({ type: i % 2 ? 'large.odd' : 'large.even', data: { i }, idempotencyKey: `large-${i}` })));
  const eventCount = () => count(stack, `SELECT count(*) AS n FROM events WHERE tenant_id = $1`, stack.tenantId);
  /** Where the deliveries not yet received stand: a failure that explains itself. */
  const undelivered = async () => {
    const prisma = stack.api.app.get(PrismaService);
    const byStatus =
      await prisma.$queryRaw`SELECT status, count(*)::int AS n, max(attempt_count)::int AS "maxAttempts", min(next_attempt_at) AS "nextDue" FROM deliveries WHERE tenant_id = ${stack.tenantId} GROUP BY status`;
    const errors =
      await prisma.$queryRaw`SELECT a.error, a.status_code AS "statusCode", count(*)::int AS n FROM attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.tenant_id = ${stack.tenantId} AND (a.error IS NOT NULL OR a.status_code >= 300) GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 5`;
    const queue = await Promise.all(stack.worker.get(DeliveryQueues).all.map((q) => q.getJobCounts()));
    return { byStatus, errors, queue };
  };
  const deliveryCount = () => count(stack, `SELECT count(*) AS n FROM deliveries WHERE tenant_id = $1`, stack.tenantId);

  it('publishes every row and delivers every event', async () => {
    const accepted = await upload(stack, file, 'application/x-ndjson');
    expect(accepted).toMatchObject({ status: 'queued', totalRows: ROWS });
    const job = await waitForJob(stack, accepted.id, { timeoutMs: 60_000 });
    expect(job).toMatchObject({ status: 'completed', totalRows: ROWS, acceptedRows: ROWS, failedRows: 0 });
    expect(await eventCount()).toBe(ROWS);
    expect(await deliveryCount()).toBe(ROWS);

    // At least once: a starved worker may send some twice, so count distinct events.
    await waitFor(
      () => eventIds().size,
      (n) => n >= ROWS,
      { timeoutMs: 180_000, intervalMs: 200, what: `all ${ROWS} events delivered` },
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\nwhere the rest are: ${JSON.stringify(await undelivered())}`);
    });
    const delivered = new Set(receiver.requests.map((r) => JSON.parse(r.body).data.i as number));
    expect(delivered.size).toBe(ROWS);
  });

  it('creates nothing when the same file is uploaded again', async () => {
    const before = eventIds();
    const accepted = await upload(stack, file, 'application/x-ndjson');
    const job = await waitForJob(stack, accepted.id, { timeoutMs: 60_000 });
    // Every row is a replay of an earlier publish: accepted, as POST /events answers 200 to it.
    expect(job).toMatchObject({ status: 'completed', totalRows: ROWS, acceptedRows: ROWS, failedRows: 0 });
    expect(await eventCount()).toBe(ROWS);
    // No delivery row was added by the replays, so there is nothing new for a worker to send.
    expect(await deliveryCount()).toBe(ROWS);
    expect([...eventIds()].filter((id) => !before.has(id))).toEqual([]);
  });
});
