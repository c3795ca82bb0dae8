import { DeliveryQueues } from '@hookline/queue';
import type { TestStack } from '../support';
import { RecordingReceiver, startTestStack } from '../support';
import { waitUntil } from '../support/wait';
import { closedPort, deliveryOf, getDelivery, getSubscription, header, NO_SWEEPER, publish, subscribe, tenantPath, waitForDelivery } from './delivery-test-kit';

/**
 * How receiver failures are recorded and retried. Two stacks: `fast` has the test schedule
 * (100ms,200ms,300ms) and a 300 ms request timeout; `slow` has 500ms,500ms,500ms, long enough to
 * tell a honoured Retry-After from the schedule and to catch a delivery between attempts.
 */
describe('delivery failures', () => {
  let fast: TestStack;
  let slow: TestStack;
  const receivers: RecordingReceiver[] = [];
  const receiver = async (...args: Parameters<typeof RecordingReceiver.start>) => {
    const started = await RecordingReceiver.start(...args);
    receivers.push(started);
    return started;
  };
  const gapsOf = (requests: { receivedAt: number }[]) => requests.slice(1).map((r, i) => r.receivedAt - requests[i].receivedAt);

  beforeAll(async () => {
    [fast, slow] = await Promise.all([startTestStack({ ...NO_SWEEPER, DELIVERY_TIMEOUT_MS: '300' }), startTestStack({ ...NO_SWEEPER, RETRY_SCHEDULE: '500ms,500ms,500ms' })]);
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await Promise.all([fast?.close(), slow?.close()]);
  });

  it('records a receiver that hangs past DELIVERY_TIMEOUT_MS as a timeout, and retries it', async () => {
    const hook = await receiver((_req, i) => (i === 0 ? { hang: true } : { status: 200 }));
    const sub = await subscribe(fast, hook.url);
    await publish(fast, `${sub.ns}.done`);

    const requests = await hook.waitForRequests(2, 5_000);
    const delivery = await waitForDelivery(fast, header(requests[0], 'x-hookline-delivery'), 'succeeded');
    expect(delivery.attempts).toHaveLength(2);
    const [timedOut, retried] = delivery.attempts;
    expect(timedOut).toMatchObject({ number: 1, statusCode: null, responseBody: '' });
    expect(timedOut.error).toMatch(/timeout/i);
    expect(timedOut.durationMs).toBeGreaterThanOrEqual(290);
    expect(timedOut.durationMs).toBeLessThan(1_300); // the stack's 300 ms, not the 2 s default
    expect(retried).toMatchObject({ number: 2, statusCode: 200, error: null });
    // The retry waits for the schedule (≈100 ms) counted from the timeout, not from the request's start.
    const timedOutAt = Date.parse(timedOut.startedAt) + timedOut.durationMs;
    expect(Date.parse(retried.startedAt) - timedOutAt).toBeGreaterThanOrEqual(85);
    expect(requests[1].receivedAt - requests[0].receivedAt).toBeGreaterThanOrEqual(85);
  });

  it('records 301/302/307/308 as failures with their status and never follows them', async () => {
    const target = await receiver(() => ({ status: 200 }));
    const codes = [301, 302, 307, 308];
    const hook = await receiver((_req, i) => ({ status: codes[i] ?? 500, headers: { location: target.url }, body: 'moved' }));
    const sub = await subscribe(fast, hook.url);
    await publish(fast, `${sub.ns}.done`);

    const [first] = await hook.waitForRequests(4, 5_000);
    const dead = await waitForDelivery(fast, header(first, 'x-hookline-delivery'), 'dead');
    expect(dead.attempts.map((a) => [a.number, a.statusCode, a.error, a.responseBody])).toEqual([
      [1, 301, null, 'moved'],
      [2, 302, null, 'moved'],
      [3, 307, null, 'moved'],
      [4, 308, null, 'moved'],
    ]);
    expect(dead.attempts[0].responseHeaders?.location).toBe(target.url);
    expect(dead).toMatchObject({ attemptCount: 4, lastStatusCode: 308 });
    // Every attempt is recorded with its 3xx and the delivery is dead: no redirect was followed.
    expect(target.requests).toHaveLength(0);
  });

  it('records a refused connection as an error and retries it to the end', async () => {
    const port = await closedPort();
    const sub = await subscribe(fast, `http://127.0.0.1:${port}/hook`);
    const event = await publish(fast, `${sub.ns}.done`);
    const pending = await deliveryOf(fast, event.id);
    expect(pending.subscriptionId).toBe(sub.id);

    const dead = await waitForDelivery(fast, pending.id, 'dead', 5_000);
    expect(dead.attempts.map((a) => [a.number, a.statusCode, a.error])).toEqual([
      [1, null, 'connection refused'],
      [2, null, 'connection refused'],
      [3, null, 'connection refused'],
      [4, null, 'connection refused'],
    ]);
    expect(dead).toMatchObject({ attemptCount: 4, lastStatusCode: null, lastError: 'connection refused' });
    expect(dead.attempts.every((a) => a.durationMs < 1_000)).toBe(true);
  });

  it('keeps only the first 4096 bytes of a response body', async () => {
    const ascii = 'a'.repeat(4_000) + 'b'.repeat(6_000);
    // 1 + 3000 × 2 bytes: byte 4096 is the first half of an `é`, which is dropped rather than mangled.
    const multibyte = `x${'é'.repeat(3_000)}`;
    const exact = 'c'.repeat(4_096);
    const bodies = [ascii, multibyte, exact];
    const hook = await receiver((_req, i) => ({ status: i < 2 ? 500 : 200, body: bodies[i] }));
    const sub = await subscribe(fast, hook.url);
    await publish(fast, `${sub.ns}.done`);

    const [first] = await hook.waitForRequests(3, 5_000);
    const done = await waitForDelivery(fast, header(first, 'x-hookline-delivery'), 'succeeded');
    const excerpts = done.attempts.map((a) => a.responseBody ?? '');
    expect(excerpts[0]).toBe('a'.repeat(4_000) + 'b'.repeat(96));
    expect(excerpts[1]).toBe(`x${'é'.repeat(2_047)}`);
    expect(Buffer.byteLength(excerpts[1])).toBe(4_095);
    expect(excerpts[2]).toBe(exact);
  });

  it('honours Retry-After on 429 only up to twice the scheduled delay, and never retries sooner than scheduled', async () => {
    const replies = [
      { status: 429, headers: { 'retry-after': '1' } }, // asks 1 s; the cap is 2 × 100 ms
      { status: 503, headers: { 'retry-after': '0' } }, // asks for now; the schedule (≈200 ms) still applies
      { status: 200 },
    ];
    const hook = await receiver((_req, i) => replies[i] ?? { status: 200 });
    const sub = await subscribe(fast, hook.url);
    await publish(fast, `${sub.ns}.done`);

    const requests = await hook.waitForRequests(3, 5_000);
    const [capped, notSooner] = gapsOf(requests);
    expect(capped).toBeGreaterThanOrEqual(195);
    expect(capped).toBeLessThan(1_000); // honoured in full it would be ≥ 1 s
    expect(notSooner).toBeGreaterThanOrEqual(175);
    expect(notSooner).toBeLessThan(1_200);
    const done = await waitForDelivery(fast, header(requests[0], 'x-hookline-delivery'), 'succeeded');
    expect(done.attempts.map((a) => a.statusCode)).toEqual([429, 503, 200]);
  });

  it('on a 500 ms schedule: Retry-After 60 waits the 1 s cap, Retry-After 1 waits 1 s, and a 500 ignores Retry-After', async () => {
    const replies = [
      { status: 429, headers: { 'retry-after': '60' } },
      { status: 503, headers: { 'retry-after': '1' } },
      { status: 500, headers: { 'retry-after': '1' } }, // only 429 and 503 are honoured: ≈500 ms, not 1 s
      { status: 200 },
    ];
    const hook = await receiver((_req, i) => replies[i] ?? { status: 200 });
    const sub = await subscribe(slow, hook.url);
    await publish(slow, `${sub.ns}.done`);

    const requests = await hook.waitForRequests(4, 6_000);
    const [cappedAt60, oneSecond, ignored] = gapsOf(requests);
    expect(cappedAt60).toBeGreaterThanOrEqual(990);
    expect(cappedAt60).toBeLessThan(2_500);
    expect(oneSecond).toBeGreaterThanOrEqual(990);
    expect(oneSecond).toBeLessThan(2_500);
    expect(ignored).toBeGreaterThanOrEqual(440);
    expect(ignored).toBeLessThan(1_000); // honoured it would be ≥ 1 s

    const done = await waitForDelivery(slow, header(requests[0], 'x-hookline-delivery'), 'succeeded');
    expect(done.attempts.map((a) => a.statusCode)).toEqual([429, 503, 500, 200]);
    expect(done.attempts[0].responseHeaders?.['retry-after']).toBe('60');
  });

  it('410 Gone: the delivery is dead at once, the subscription is disabled as gone, its open deliveries are cancelled', async () => {
    const hook = await receiver((request) => {
      const { type } = JSON.parse(request.body) as { type: string };
      // Other events get 429 + Retry-After: 60, which stretches each retry to the 1 s cap: the
      // failing delivery stays `failed` for ~3 s, however slow the machine.
      return type.endsWith('.closed') ? { status: 410, body: 'gone for good' } : { status: 429, headers: { 'retry-after': '60' } };
    });
    const sub = await subscribe(slow, hook.url);
    const base = tenantPath(slow);

    // One delivery failing and waiting for its retry (1 s away) ...
    const failing = await publish(slow, `${sub.ns}.updated`);
    const [firstFailure] = await hook.waitForRequests(1);
    const failingId = header(firstFailure, 'x-hookline-delivery');
    await waitForDelivery(slow, failingId, 'failed');
    // ... when another delivery to the same endpoint is answered 410.
    const goneEvent = await publish(slow, `${sub.ns}.closed`);
    const goneDelivery = await deliveryOf(slow, goneEvent.id);
    const dead = await waitForDelivery(slow, goneDelivery.id, 'dead');
    expect(dead).toMatchObject({ attemptCount: 1, lastStatusCode: 410, nextAttemptAt: null });
    expect(dead.attempts.map((a) => [a.number, a.statusCode, a.responseBody])).toEqual([[1, 410, 'gone for good']]);

    const disabled = await getSubscription(slow, sub.id);
    expect(disabled).toMatchObject({ status: 'disabled', disabledReason: 'gone' });
    const cancelled = await getDelivery(slow, failingId);
    expect(cancelled).toMatchObject({ eventId: failing.id, status: 'cancelled', nextAttemptAt: null, attemptCount: 1 });

    // The cancelled delivery's scheduled retry does not go out, and new events create no delivery for it.
    const later = await publish(slow, `${sub.ns}.updated`);
    expect(later.deliveryCount).toBe(0);
    // Its retry job is gone once the worker has taken it and dropped it (or the disable removed it): nothing left could send it.
    const queues = slow.api.app.get(DeliveryQueues);
    await waitUntil(`the cancelled delivery's retry job gone`, async () => !(await queues.findJob(failingId)));
    expect(hook.requests.map((r) => JSON.parse(r.body).type)).toEqual([`${sub.ns}.updated`, `${sub.ns}.closed`]);
    expect(await getDelivery(slow, failingId)).toMatchObject({ status: 'cancelled', attemptCount: 1 });
    const forSub = await slow.api.http.get(`${base}/deliveries?subscriptionId=${sub.id}`).set(slow.api.auth()).expect(200);
    expect(forSub.body.data.map((d: { id: string; status: string }) => [d.id, d.status]).sort()).toEqual(
      [
        [failingId, 'cancelled'],
        [goneDelivery.id, 'dead'],
      ].sort(),
    );
  });
});
