import { PrismaService } from '@hookline/database';
import { DeliveryJobsRepository } from '@hookline/deliveries';
import { DeliveryQueues } from '@hookline/queue';
import type { TestStack } from '../support';
import { RecordingReceiver, startTestStack } from '../support';
import { waitFor, waitUntil } from '../support/wait';
import { SubscriptionCache } from '../../apps/worker/src/delivery/subscription-cache';
import { getDelivery, header, NO_SWEEPER, publish, subscribe, tenantPath, waitForDelivery } from './delivery-test-kit';

/**
 * A cancelled or succeeded delivery is never sent again (unless replayed), and an attempt is never
 * recorded on a cancelled delivery: the worker claims each attempt in Postgres before sending it.
 * "Nothing was sent" is proven by waiting for the job that would have sent it to leave the queue.
 */
describe('a cancelled or succeeded delivery is never sent again', () => {
  let stack: TestStack;
  const receivers: RecordingReceiver[] = [];
  const receiver = async (...args: Parameters<typeof RecordingReceiver.start>) => {
    const started = await RecordingReceiver.start(...args);
    receivers.push(started);
    return started;
  };

  beforeAll(async () => {
    // Retries 1.5 s apart: room to disable and enable between an attempt and its retry.
    stack = await startTestStack({ ...NO_SWEEPER, RETRY_SCHEDULE: '1500ms,1500ms,1500ms' });
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await stack.close();
  });

  const queues = () => stack.api.app.get(DeliveryQueues);
  const subscriptionAction = (id: string, action: 'disable' | 'enable') => stack.api.http.post(`${tenantPath(stack)}/subscriptions/${id}/${action}`).set(stack.api.auth());

  /** Polls until the queue holds no job `jobId` (completed and removed, or never there). */
  async function waitUntilJobGone(jobId: string): Promise<void> {
    await waitUntil(`job ${jobId} gone from the queue`, async () => !(await queues().findJob(jobId)));
  }

  it('disable then enable before the retry is due: the retry sends nothing, the delivery stays cancelled', async () => {
    const hook = await receiver((_, index) => ({ status: index === 0 ? 500 : 200 }));
    const sub = await subscribe(stack, hook.url);
    await publish(stack, `${sub.ns}.paid`);
    const [first] = await hook.waitForRequests(1);
    const deliveryId = header(first, 'x-hookline-delivery');
    const failed = await waitForDelivery(stack, deliveryId, 'failed');
    expect(failed.nextAttemptAt).not.toBeNull();
    // The retry is a delayed job in the queue.
    expect(await queues().findJob(deliveryId)).toBeTruthy();

    await subscriptionAction(sub.id, 'disable').expect(200);
    expect((await getDelivery(stack, deliveryId)).status).toBe('cancelled');
    await subscriptionAction(sub.id, 'enable').expect(200);

    // The delayed job runs at its time and ends without sending.
    await waitUntilJobGone(deliveryId);
    expect(Date.now()).toBeGreaterThanOrEqual(new Date(failed.nextAttemptAt!).getTime());
    expect(hook.requests).toHaveLength(1);
    const after = await getDelivery(stack, deliveryId);
    expect(after).toMatchObject({ status: 'cancelled', attemptCount: 1, nextAttemptAt: null });
    expect(after.attempts).toHaveLength(1);
  });

  it('a duplicate job for a succeeded delivery sends nothing', async () => {
    const hook = await receiver(() => ({ status: 200 }));
    const sub = await subscribe(stack, hook.url);
    await publish(stack, `${sub.ns}.paid`);
    const [first] = await hook.waitForRequests(1);
    const deliveryId = header(first, 'x-hookline-delivery');
    await waitForDelivery(stack, deliveryId, 'succeeded');

    // As a late duplicate would arrive: the same delivery under another job id.
    const [data] = await stack.api.app.get(DeliveryJobsRepository).jobData([deliveryId]);
    const duplicate = await queues()
      .forSubscription(data.subscriptionId)
      .add('deliver', data, { jobId: `duplicate-${deliveryId}`, removeOnComplete: true, removeOnFail: true });
    await waitUntilJobGone(duplicate.id!);

    expect(hook.requests).toHaveLength(1);
    const after = await getDelivery(stack, deliveryId);
    expect(after).toMatchObject({ status: 'succeeded', attemptCount: 1 });
    expect(after.attempts).toHaveLength(1);
  });

  /** A delivery that died after 4 failed attempts; its receiver answers later requests as `then` says. */
  async function deadDelivery(then: () => { status: number; until?: Promise<unknown> }) {
    const hook = await receiver((_, index) => (index < 4 ? { status: 500 } : then()));
    const sub = await subscribe(stack, hook.url);
    await publish(stack, `${sub.ns}.paid`);
    const [first] = await hook.waitForRequests(1);
    const deliveryId = header(first, 'x-hookline-delivery');
    await waitForDelivery(stack, deliveryId, 'dead', 15_000);
    return { hook, sub, deliveryId };
  }

  const replay = (deliveryId: string) => stack.api.http.post(`${tenantPath(stack)}/deliveries/${deliveryId}/replay`).set(stack.api.auth());

  it('disabled while a replayed attempt is in flight: the attempt ends and is recorded, the delivery is not cancelled under it', async () => {
    let answer!: () => void;
    const disabled = new Promise<void>((resolve) => (answer = resolve));
    const { hook, sub, deliveryId } = await deadDelivery(() => ({ status: 200, until: disabled }));

    await replay(deliveryId).expect(202);
    await hook.waitForRequests(5);
    await subscriptionAction(sub.id, 'disable').expect(200);
    // Claimed and in flight: left to finish, not cancelled under the attempt.
    expect((await getDelivery(stack, deliveryId)).status).toBe('pending');
    answer();

    const done = await waitForDelivery(stack, deliveryId, 'succeeded');
    expect(done.attempts.map((a) => a.statusCode)).toEqual([500, 500, 500, 500, 200]);
    await waitUntilJobGone(deliveryId);
    expect(hook.requests).toHaveLength(5);
  });

  it('disabled while a replayed attempt is in flight that then fails: cancelled once recorded, not retried', async () => {
    let answer!: () => void;
    const disabled = new Promise<void>((resolve) => (answer = resolve));
    const { hook, sub, deliveryId } = await deadDelivery(() => ({ status: 503, until: disabled }));

    await replay(deliveryId).expect(202);
    await hook.waitForRequests(5);
    await subscriptionAction(sub.id, 'disable').expect(200);
    answer();

    await waitUntilJobGone(deliveryId);
    const done = await getDelivery(stack, deliveryId);
    expect(done).toMatchObject({ status: 'cancelled', nextAttemptAt: null, attemptCount: 5 });
    expect(hook.requests).toHaveLength(5);
  });

  it('replay and disable at the same time: either cancelled and not sent, or replayed and sent once; never an attempt on a cancelled delivery', async () => {
    const deliveries = await Promise.all(Array.from({ length: 6 }, () => deadDelivery(() => ({ status: 200 }))));
    const replayed = await Promise.all(
      deliveries.map(async ({ sub, deliveryId }) => {
        const [response] = await Promise.all([replay(deliveryId), subscriptionAction(sub.id, 'disable').expect(200)]);
        expect([202, 409]).toContain(response.status);
        return response.status === 202;
      }),
    );

    for (const [i, { hook, deliveryId }] of deliveries.entries()) {
      // Settled: a final status, and no job left that could still send it. A refused replay leaves it dead.
      const settled = replayed[i] ? ['cancelled', 'succeeded'] : ['dead'];
      const { delivery } = await waitFor(
        async () => ({ delivery: await getDelivery(stack, deliveryId), queued: Boolean(await queues().findJob(deliveryId)) }),
        ({ delivery, queued }) => settled.includes(delivery.status) && !queued,
        { what: `delivery ${deliveryId} settled` },
      );
      if (delivery.status === 'succeeded') {
        expect(hook.requests).toHaveLength(5);
        expect(delivery.attempts.map((a) => a.statusCode)).toEqual([500, 500, 500, 500, 200]);
      } else {
        expect(hook.requests).toHaveLength(4);
        expect(delivery.attempts).toHaveLength(4);
      }
    }
  });

  it('an enable the worker has not heard of yet does not cancel a new event', async () => {
    const hook = await receiver(() => ({ status: 200 }));
    const sub = await subscribe(stack, hook.url);
    // Disabled and enabled behind the API's back, so no change announcement reaches the worker,
    // whose cached copy still says disabled (tried again if an announcement of the creation dropped it).
    const cache = stack.worker.get(SubscriptionCache);
    const prisma = stack.api.app.get(PrismaService);
    const setStatus = (status: 'active' | 'disabled') => prisma.subscription.update({ where: { id: sub.id }, data: { status } });
    for (let tries = 0; ; tries++) {
      await setStatus('disabled');
      cache.forget(sub.id);
      expect((await cache.get(sub.id))?.active).toBe(false);
      await setStatus('active');
      if ((await cache.get(sub.id))?.active === false) break;
      if (tries === 5) throw new Error('the worker never kept a stale copy of the subscription');
    }

    await publish(stack, `${sub.ns}.paid`);
    const [request] = await hook.waitForRequests(1);
    const done = await waitForDelivery(stack, header(request, 'x-hookline-delivery'), 'succeeded');
    expect(done.attempts).toHaveLength(1);
  });

  it('a subscription left without a live signing secret: its new delivery is cancelled, not sent', async () => {
    const hook = await receiver(() => ({ status: 200 }));
    const sub = await subscribe(stack, hook.url);
    await stack.api.app.get(PrismaService).subscriptionSecret.updateMany({ where: { subscriptionId: sub.id }, data: { expiresAt: new Date(Date.now() - 1_000) } });
    stack.worker.get(SubscriptionCache).forget(sub.id);

    const event = await publish(stack, `${sub.ns}.paid`);
    const [deliveryId] = (await stack.api.app.get(PrismaService).delivery.findMany({ where: { eventId: event.id }, select: { id: true } })).map((d) => d.id);
    const cancelled = await waitForDelivery(stack, deliveryId, 'cancelled');
    expect(cancelled.attempts).toHaveLength(0);
    await waitUntilJobGone(deliveryId);
    expect(hook.requests).toHaveLength(0);
  });
});
