import { DeliveryQueues } from '@hookline/queue';
import { Sweeper } from '../../apps/worker/src/maintenance/sweeper';
import type { TestStack } from '../support';
import { RecordingReceiver, startTestStack, waitFor } from '../support';
import { getDelivery, header, NO_SWEEPER, publish, subscribe, tenantPath, waitForDelivery } from './delivery-test-kit';

/**
 * The test stack's RETRY_SCHEDULE is `100ms,200ms,300ms`: 4 attempts per cycle, the gaps jittered
 * by ±10 %. Gaps are measured between arrivals at the receiver, so they also include the attempt
 * recording and BullMQ's delayed-job promotion: lower bounds are firm, upper bounds loose (a busy
 * CI machine adds hundreds of milliseconds). `patient` waits 2 s between attempts, long enough to
 * read a delivery between two attempts without holding a request open.
 */
describe('retries with backoff', () => {
  let stack: TestStack;
  let patient: TestStack;
  const receivers: RecordingReceiver[] = [];
  const receiver = async (...args: Parameters<typeof RecordingReceiver.start>) => {
    const started = await RecordingReceiver.start(...args);
    receivers.push(started);
    return started;
  };

  beforeAll(async () => {
    [stack, patient] = await Promise.all([startTestStack(NO_SWEEPER), startTestStack({ ...NO_SWEEPER, RETRY_SCHEDULE: '2s,2s,2s' })]);
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await Promise.all([stack?.close(), patient?.close()]);
  });

  it('retries 500, 500 then succeeds on the third attempt, following the schedule', async () => {
    const hook = await receiver((_req, i) => (i < 2 ? { status: 500, body: `boom ${i + 1}` } : { status: 200, body: 'ok' }));
    const sub = await subscribe(stack, hook.url);
    const event = await publish(stack, `${sub.ns}.created`, { n: 1 });
    expect(event.deliveryCount).toBe(1);

    const requests = await hook.waitForRequests(3, 5_000);
    const deliveryId = header(requests[0], 'x-hookline-delivery');
    const delivery = await waitForDelivery(stack, deliveryId, 'succeeded');

    expect(requests.map((r) => header(r, 'x-hookline-attempt'))).toEqual(['1', '2', '3']);
    expect(requests.map((r) => header(r, 'webhook-id'))).toEqual([event.id, event.id, event.id]);
    expect(requests.map((r) => header(r, 'x-hookline-delivery'))).toEqual([deliveryId, deliveryId, deliveryId]);
    // The body (and so the event's timestamp) is the same on every attempt; only the signing time moves.
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);
    const stamps = requests.map((r) => Number(header(r, 'webhook-timestamp')));
    expect(stamps[2] - stamps[0]).toBeLessThanOrEqual(2);

    const gap1 = requests[1].receivedAt - requests[0].receivedAt;
    const gap2 = requests[2].receivedAt - requests[1].receivedAt;
    expect(gap1).toBeGreaterThanOrEqual(85); // 100 ms − 10 %
    expect(gap1).toBeLessThan(1_000);
    expect(gap2).toBeGreaterThanOrEqual(175); // 200 ms − 10 %
    expect(gap2).toBeLessThan(1_100);

    expect(delivery).toMatchObject({
      id: deliveryId,
      eventId: event.id,
      subscriptionId: sub.id,
      status: 'succeeded',
      attemptCount: 3,
      lastStatusCode: 200,
      lastError: null,
      nextAttemptAt: null,
    });
    expect(delivery.attempts.map((a) => [a.number, a.statusCode, a.error, a.responseBody])).toEqual([
      [1, 500, null, 'boom 1'],
      [2, 500, null, 'boom 2'],
      [3, 200, null, 'ok'],
    ]);
    const started = delivery.attempts.map((a) => Date.parse(a.startedAt));
    expect(started[1] - started[0]).toBeGreaterThanOrEqual(85);
    expect(started[2] - started[1]).toBeGreaterThanOrEqual(175);

    // Nothing more once it succeeded: a succeeded delivery is never claimed for another POST.
    expect(hook.requests).toHaveLength(3);
  });

  it('shows `failed` with a nextAttemptAt in the future while a retry is scheduled', async () => {
    const hook = await receiver((_req, i) => (i === 0 ? { status: 503, body: 'busy' } : { status: 200 }));
    const sub = await subscribe(patient, hook.url);
    const event = await publish(patient, `${sub.ns}.created`, { n: 2 });

    const [first] = await hook.waitForRequests(1);
    const deliveryId = header(first, 'x-hookline-delivery');
    const between = await waitForDelivery(patient, deliveryId, (d) => d.attemptCount === 1);
    const readAt = Date.now();
    expect(between).toMatchObject({ eventId: event.id, status: 'failed', attemptCount: 1, lastStatusCode: 503 });
    expect(between.attempts.map((a) => [a.number, a.statusCode, a.responseBody])).toEqual([[1, 503, 'busy']]);
    expect(between.nextAttemptAt).not.toBeNull();
    const nextAt = Date.parse(between.nextAttemptAt!);
    const planned = nextAt - (Date.parse(between.attempts[0].startedAt) + between.attempts[0].durationMs);
    expect(planned).toBeGreaterThanOrEqual(1_800); // 2 s − 10 %
    expect(planned).toBeLessThanOrEqual(2_300);
    expect(nextAt).toBeGreaterThan(readAt); // still waiting, not overdue

    const failed = await patient.api.http
      .get(`${tenantPath(patient)}/deliveries?status=failed`)
      .set(patient.api.auth())
      .expect(200);
    expect(failed.body.data.map((d: { id: string }) => d.id)).toContain(deliveryId);

    const [, second] = await hook.waitForRequests(2, 5_000);
    expect(second.receivedAt).toBeGreaterThanOrEqual(nextAt); // not a moment sooner
    const done = await waitForDelivery(patient, deliveryId, 'succeeded');
    expect(done).toMatchObject({ attemptCount: 2, nextAttemptAt: null });
  });

  it('makes exactly 4 attempts when every one fails, then parks the delivery as dead', async () => {
    const hook = await receiver(() => ({ status: 500, body: 'down' }));
    const sub = await subscribe(stack, hook.url);
    const event = await publish(stack, `${sub.ns}.created`, { n: 3 });

    const requests = await hook.waitForRequests(4, 5_000);
    const deliveryId = header(requests[0], 'x-hookline-delivery');
    const dead = await waitForDelivery(stack, deliveryId, 'dead');

    expect(requests.map((r) => header(r, 'x-hookline-attempt'))).toEqual(['1', '2', '3', '4']);
    expect(new Set(requests.map((r) => header(r, 'webhook-id')))).toEqual(new Set([event.id]));
    const gaps = requests.slice(1).map((r, i) => r.receivedAt - requests[i].receivedAt);
    expect(gaps[0]).toBeGreaterThanOrEqual(85);
    expect(gaps[1]).toBeGreaterThanOrEqual(175);
    expect(gaps[2]).toBeGreaterThanOrEqual(265); // 300 ms − 10 %
    expect(gaps[2]).toBeLessThan(1_200);

    expect(dead).toMatchObject({ status: 'dead', attemptCount: 4, lastStatusCode: 500, nextAttemptAt: null });
    expect(dead.attempts.map((a) => [a.number, a.statusCode])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
      [4, 500],
    ]);

    // No fifth attempt, and the delivery stays dead: the one thing that could send it again is a
    // sweep re-queueing it, so run a sweep and wait until no job of it is left in the queue.
    await stack.worker.get(Sweeper, { strict: false }).tick();
    const queues = stack.api.app.get(DeliveryQueues);
    await waitFor(
      () => queues.findJob(deliveryId),
      (job) => job === undefined,
      { what: `no job left for ${deliveryId}` },
    );
    expect(hook.requests).toHaveLength(4);
    expect(await getDelivery(stack, deliveryId)).toMatchObject({ status: 'dead', attemptCount: 4 });

    const deadList = await stack.api.http
      .get(`${tenantPath(stack)}/deliveries?status=dead`)
      .set(stack.api.auth())
      .expect(200);
    expect(deadList.body.data.map((d: { id: string }) => d.id)).toContain(deliveryId);
  });
});
