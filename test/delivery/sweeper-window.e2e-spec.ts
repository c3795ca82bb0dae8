import { PrismaService } from '@hookline/database';
import { DeliveryQueues } from '@hookline/queue';
import type { TestStack } from '../support';
import { RecordingReceiver, startIsolatedStack } from '../support';
import { waitUntil } from '../support/wait';
import { DeliveryWorkers } from '../../apps/worker/src/delivery/delivery-workers';
import { Sweeper } from '../../apps/worker/src/maintenance/sweeper';
import { header, publish, subscribe } from './delivery-test-kit';

/**
 * The sweeper reads a bounded window of overdue deliveries per run. A backlog of overdue deliveries
 * that do have jobs (workers behind) must not hide a lost one further up the index: each run goes on
 * from where the last one stopped. Here the window is 2 pages of 5, the backlog 10 deliveries with
 * jobs, and the lost ones come after them. Its own database: the deliveries sit overdue on purpose.
 */
describe('the sweeper reaches every due delivery', () => {
  let stack: TestStack;
  let hook: RecordingReceiver;

  beforeAll(async () => {
    stack = await startIsolatedStack({ SWEEP_INTERVAL_MS: '300' });
    hook = await RecordingReceiver.start();
  });
  afterAll(async () => {
    await hook?.close();
    await stack?.close();
  });

  it('re-enqueues lost deliveries beyond the first window, and each is then sent once', async () => {
    const workers = stack.worker.get(DeliveryWorkers).workers;
    // Workers "behind": nothing is taken from the queues while the backlog builds up.
    await Promise.all(workers.map((worker) => worker.pause(true)));
    stack.worker.get(Sweeper).window = { pageSize: 5, pagesPerRun: 2 };
    const queues = stack.api.app.get(DeliveryQueues);

    const sub = await subscribe(stack, hook.url);
    for (let i = 0; i < 15; i++) await publish(stack, `${sub.ns}.paid`, { i });
    const prisma = stack.api.app.get(PrismaService);
    const ids = (await prisma.delivery.findMany({ where: { subscriptionId: sub.id }, select: { id: true }, orderBy: { id: 'asc' } })).map((d) => d.id);
    expect(ids).toHaveLength(15);
    const lost = ids.slice(10);
    for (const id of lost) expect(await queues.remove(id)).toBe(1);

    await waitUntil('every lost delivery re-enqueued', async () => (await Promise.all(lost.map((id) => queues.findJob(id)))).every(Boolean), 15_000);

    for (const worker of workers) worker.resume();
    await waitUntil('all 15 deliveries sent', async () => (await prisma.delivery.count({ where: { subscriptionId: sub.id, status: 'succeeded' } })) === 15, 15_000);
    expect(hook.requests).toHaveLength(15);
    expect(new Set(hook.requests.map((r) => header(r, 'x-hookline-delivery')))).toEqual(new Set(ids));
  });
});
