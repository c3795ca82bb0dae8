import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { ReceivedRequest, TestStack } from '../support';
import { RecordingReceiver, startTestStack, waitUntil } from '../support';
import { Clock } from '../../apps/worker/src/endpoint-health/clock';
import { namespace, NO_SWEEPER, publish, subscribe, tenantPath, waitForStats } from './operators-test-kit';

const DAY_MS = 24 * 3600_000;
const OPERATOR_SECRET = `whsec_${randomBytes(32).toString('base64')}`;

describe('auto-disable after 5 days of failures, with operator events', () => {
  let stack: TestStack;
  let endpoint: RecordingReceiver;
  let operator: RecordingReceiver;

  beforeAll(async () => {
    operator = await RecordingReceiver.start(() => ({ status: 204 }));
    stack = await startTestStack({
      ...NO_SWEEPER,
      // Four attempts per delivery within ~100 ms; the breaker stays out of the way.
      RETRY_SCHEDULE: '20ms,20ms,20ms',
      BREAKER_FAILURE_THRESHOLD: '1000',
      OPERATOR_WEBHOOK_URL: operator.url,
      OPERATOR_WEBHOOK_SECRET: OPERATOR_SECRET,
    });
    endpoint = await RecordingReceiver.start(() => ({ status: 500 }));
  });
  afterAll(async () => {
    await endpoint?.close();
    await operator?.close();
    await stack?.close();
  });

  const operatorEvents = (type: string) => operator.requests.filter((r) => r.headers['x-hookline-event'] === type).map((r) => ({ request: r, body: JSON.parse(r.body) }));

  it('stays enabled through many failures within 5 days, then disables (failing) once they span 5 days', async () => {
    const ns = namespace();
    const sub = await subscribe(stack, endpoint.url, { eventTypes: [`${ns}.*`] });
    const subPath = `${tenantPath(stack)}/subscriptions/${sub.id}`;

    // 3 deliveries × 4 attempts: 12 failures in a row, but all within minutes.
    const dead = [await publish(stack, `${ns}.a`), await publish(stack, `${ns}.b`), await publish(stack, `${ns}.c`)];
    await waitForStats(stack, (s) => s.deliveries.dead === 3);
    expect((await stack.api.http.get(subPath).set(stack.api.auth()).expect(200)).body).toMatchObject({ status: 'active', disabledReason: null });

    // Every dead delivery is reported to the operators, signed like any delivery.
    await operator.waitForRequests(3, 10_000);
    const deadEvents = operatorEvents('delivery.dead');
    expect(deadEvents.map((e) => e.body.data.eventId).sort()).toEqual(dead.map((e) => e.id).sort());
    expect(deadEvents[0].body).toMatchObject({ type: 'delivery.dead', data: { tenantId: stack.tenantId, subscriptionId: sub.id, attempts: 4, lastStatusCode: 500 } });
    expect(deadEvents[0].body.id).toMatch(/^evt_/);
    for (const { request } of deadEvents) expect(verifies(request)).toBe(true);

    // Five days later (the worker's clock), the next failure disables it.
    stack.worker.get(Clock).advance(5 * DAY_MS + 60_000);
    const afterOutage = await publish(stack, `${ns}.d`);
    expect(afterOutage.deliveryCount).toBe(1);
    await waitUntil('the subscription is disabled', async () => (await stack.api.http.get(subPath).set(stack.api.auth()).expect(200)).body.status === 'disabled', 8_000);
    const disabled = (await stack.api.http.get(subPath).set(stack.api.auth()).expect(200)).body;
    expect(disabled).toMatchObject({ status: 'disabled', disabledReason: 'failing' });
    // Disabled: its open deliveries are cancelled, and new events no longer reach it.
    await waitForStats(stack, (s) => s.deliveries.cancelled === 1 && s.deliveries.pending + s.deliveries.failed === 0);
    expect((await publish(stack, `${ns}.e`)).deliveryCount).toBe(0);

    await waitUntil('one subscription.disabled operator event', () => operatorEvents('subscription.disabled').length === 1, 8_000);
    const [{ request, body }] = operatorEvents('subscription.disabled');
    expect(verifies(request)).toBe(true);
    expect(body).toMatchObject({
      type: 'subscription.disabled',
      data: { tenantId: stack.tenantId, subscriptionId: sub.id, url: endpoint.url, reason: 'failing', consecutiveFailures: 13 },
    });
    expect(Date.parse(body.data.disabledAt)).not.toBeNaN();
  });

  it('reports a subscription disabled by 410 Gone too, once', async () => {
    const gone = await RecordingReceiver.start(() => ({ status: 410 }));
    try {
      const ns = namespace();
      const sub = await subscribe(stack, gone.url, { eventTypes: [`${ns}.*`] });
      await publish(stack, `${ns}.a`);
      await waitUntil(
        'the subscription.disabled event of this subscription',
        () => operatorEvents('subscription.disabled').some((e) => e.body.data.subscriptionId === sub.id),
        8_000,
      );
      const event = operatorEvents('subscription.disabled').filter((e) => e.body.data.subscriptionId === sub.id);
      expect(event).toHaveLength(1);
      expect(event[0].body.data).toMatchObject({ reason: 'gone', url: gone.url, tenantId: stack.tenantId });
      const after = (
        await stack.api.http
          .get(`${tenantPath(stack)}/subscriptions/${sub.id}`)
          .set(stack.api.auth())
          .expect(200)
      ).body;
      expect(after).toMatchObject({ status: 'disabled', disabledReason: 'gone' });
    } finally {
      await gone.close();
    }
  });
});

function verifies(request: ReceivedRequest): boolean {
  try {
    new Webhook(OPERATOR_SECRET).verify(request.body, {
      'webhook-id': request.headers['webhook-id'] as string,
      'webhook-timestamp': request.headers['webhook-timestamp'] as string,
      'webhook-signature': request.headers['webhook-signature'] as string,
    });
    return true;
  } catch {
    return false;
  }
}
