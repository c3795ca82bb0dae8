import type { TestStack } from '../support';
import { createTenant, createTenantKey, RecordingReceiver, startTestStack } from '../support';
import type { Delivery } from './delivery-test-kit';
import { getDelivery, header, NO_SWEEPER, publish, subscribe, tenantPath, waitForDelivery } from './delivery-test-kit';

/** RETRY_SCHEDULE `100ms,200ms,300ms`: a delivery is dead after 4 attempts, about 0.7 s. */
describe('POST /deliveries/{id}/replay', () => {
  let stack: TestStack;
  const receivers: RecordingReceiver[] = [];
  const receiver = async (...args: Parameters<typeof RecordingReceiver.start>) => {
    const started = await RecordingReceiver.start(...args);
    receivers.push(started);
    return started;
  };

  beforeAll(async () => {
    stack = await startTestStack(NO_SWEEPER);
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await stack.close();
  });

  /** A receiver that fails everything, and a delivery to it that has died after 4 attempts. */
  async function deadDelivery(): Promise<{ hook: RecordingReceiver; eventId: string; delivery: Delivery }> {
    const hook = await receiver(() => ({ status: 500, body: 'down' }));
    const sub = await subscribe(stack, hook.url);
    const event = await publish(stack, `${sub.ns}.paid`, { amount: 10 });
    const [first] = await hook.waitForRequests(4, 5_000);
    const delivery = await waitForDelivery(stack, header(first, 'x-hookline-delivery'), 'dead');
    expect(delivery.attemptCount).toBe(4);
    return { hook, eventId: event.id, delivery };
  }

  const replay = (deliveryId: string, key?: string, tenantId = stack.tenantId) =>
    stack.api.http.post(`${tenantPath(stack, tenantId)}/deliveries/${deliveryId}/replay`).set(stack.api.auth(key));

  it('re-sends a dead delivery with the same webhook-id, a fresh budget of 4 attempts and continued numbering', async () => {
    const { hook, eventId, delivery } = await deadDelivery();
    const firstBody = hook.requests[0].body;

    const response = await replay(delivery.id).expect(202);
    expect(response.body).toMatchObject({ id: delivery.id, eventId });

    const requests = await hook.waitForRequests(8, 5_000);
    const again = requests.slice(4);
    expect(again.map((r) => header(r, 'x-hookline-attempt'))).toEqual(['5', '6', '7', '8']);
    expect(again.map((r) => header(r, 'webhook-id'))).toEqual([eventId, eventId, eventId, eventId]);
    expect(again.map((r) => header(r, 'x-hookline-delivery'))).toEqual([delivery.id, delivery.id, delivery.id, delivery.id]);
    expect(again.every((r) => r.body === firstBody)).toBe(true);
    // The new cycle follows the schedule from its start again: ≈100 ms, then ≈200 ms, then ≈300 ms.
    const gaps = again.slice(1).map((r, i) => r.receivedAt - again[i].receivedAt);
    expect(gaps[0]).toBeGreaterThanOrEqual(85);
    expect(gaps[0]).toBeLessThan(1_000);
    expect(gaps[1]).toBeGreaterThanOrEqual(175);
    expect(gaps[2]).toBeGreaterThanOrEqual(265);

    const deadAgain = await waitForDelivery(stack, delivery.id, (d) => d.status === 'dead' && d.attemptCount === 8);
    expect(deadAgain.attempts.map((a) => a.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(deadAgain.attempts.every((a) => a.statusCode === 500)).toBe(true);
    // Recorded as final (dead or succeeded): no job can claim it for another POST, so the count is complete.
    expect(hook.requests).toHaveLength(8);
  });

  it('a replayed delivery that now succeeds stops after one attempt', async () => {
    const { hook, eventId, delivery } = await deadDelivery();
    hook.respondWith(() => ({ status: 204 }));
    const { key } = await createTenantKey(stack.api, stack.tenantId);

    await replay(delivery.id, key).expect(202);
    const requests = await hook.waitForRequests(5, 3_000);
    expect(header(requests[4], 'x-hookline-attempt')).toBe('5');
    expect(header(requests[4], 'webhook-id')).toBe(eventId);

    const done = await waitForDelivery(stack, delivery.id, 'succeeded');
    expect(done).toMatchObject({ attemptCount: 5, lastStatusCode: 204, nextAttemptAt: null });
    expect(done.attempts.map((a) => [a.number, a.statusCode])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
      [4, 500],
      [5, 204],
    ]);
    // Recorded as final (dead or succeeded): no job can claim it for another POST, so the count is complete.
    expect(hook.requests).toHaveLength(5);
  });

  // A replay that lands while an attempt is in flight must not be overwritten by that attempt's
  // outcome: the attempt is recorded first, then a full new cycle of 4 follows.
  it.each([
    ['the second', 2],
    ['the last', 4],
  ])('is not lost when it arrives while %s attempt is in flight', async (_label, inFlight) => {
    const hook = await receiver((_req, i) => (i === inFlight - 1 ? { status: 500, delayMs: 300 } : { status: 500 }));
    const sub = await subscribe(stack, hook.url);
    const event = await publish(stack, `${sub.ns}.paid`, { amount: 30 });
    const requests = await hook.waitForRequests(inFlight, 5_000);
    const deliveryId = header(requests[0], 'x-hookline-delivery');

    await replay(deliveryId).expect(202);
    const total = inFlight + 4;
    const all = await hook.waitForRequests(total, 5_000);
    expect(all.map((r) => Number(header(r, 'x-hookline-attempt')))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(all.map((r) => header(r, 'webhook-id')))).toEqual(new Set([event.id]));
    const dead = await waitForDelivery(stack, deliveryId, (d) => d.status === 'dead' && d.attemptCount === total);
    expect(dead.attempts.map((a) => a.number)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // Recorded as final (dead or succeeded): no job can claim it for another POST, so the count is complete.
    expect(hook.requests).toHaveLength(total);
  });

  it('re-sends a succeeded delivery when it is named by id', async () => {
    const hook = await receiver(() => ({ status: 200 }));
    const sub = await subscribe(stack, hook.url);
    const event = await publish(stack, `${sub.ns}.paid`, { amount: 20 });
    const [first] = await hook.waitForRequests(1);
    const deliveryId = header(first, 'x-hookline-delivery');
    await waitForDelivery(stack, deliveryId, 'succeeded');

    await replay(deliveryId).expect(202);
    const [, second] = await hook.waitForRequests(2, 3_000);
    expect(header(second, 'webhook-id')).toBe(event.id);
    expect(header(second, 'x-hookline-attempt')).toBe('2');
    const done = await waitForDelivery(stack, deliveryId, (d) => d.status === 'succeeded' && d.attemptCount === 2);
    expect(done.attempts.map((a) => a.number)).toEqual([1, 2]);
  });

  it('answers 404 for an unknown delivery id', async () => {
    const response = await replay('dlv_00000000000000000000000000').expect(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 404 });
  });

  it("answers 404 to another tenant's key, and sends nothing", async () => {
    const hook = await receiver(() => ({ status: 200 }));
    const sub = await subscribe(stack, hook.url);
    await publish(stack, `${sub.ns}.paid`, { amount: 40 });
    const [first] = await hook.waitForRequests(1);
    const deliveryId = header(first, 'x-hookline-delivery');
    await waitForDelivery(stack, deliveryId, 'succeeded');
    const other = await createTenant(stack.api);
    const { key: otherKey } = await createTenantKey(stack.api, other.id);

    // Through the owner's path with the wrong key, and through the other tenant's own path.
    await replay(deliveryId, otherKey).expect(404);
    await replay(deliveryId, otherKey, other.id).expect(404);
    // Even the admin key cannot reach a delivery through a tenant that does not own it.
    await replay(deliveryId, undefined, other.id).expect(404);

    // The refused replays changed nothing: still succeeded after one attempt, so it cannot be claimed again.
    expect(await getDelivery(stack, deliveryId)).toMatchObject({ status: 'succeeded', attemptCount: 1 });
    expect(hook.requests).toHaveLength(1);
  });
});
