import type { TestStack } from '../support';
import { RecordingReceiver, startTestStack } from '../support';
import type { Subscription } from './delivery-test-kit';
import { header, hubSignature, NO_SWEEPER, publish, sleep, subscribe, tenantPath, verifiesWith, waitForDelivery } from './delivery-test-kit';

/**
 * Secret rotation as receivers see it. The worker caches subscriptions for up to 5 s, but the API
 * announces every change on Redis, so the very next delivery after a rotation must already show it:
 * each test publishes right after the API answered, without waiting.
 */
describe('signing secret rotation and test events', () => {
  let stack: TestStack;
  const receivers: RecordingReceiver[] = [];
  const receiver = async () => {
    const started = await RecordingReceiver.start(() => ({ status: 200 }));
    receivers.push(started);
    return started;
  };
  const signaturesOf = (request: RecordingReceiver['requests'][number]) => header(request, 'webhook-signature').split(' ');
  /** Waits until the worker has recorded the attempt, so no test ends (and no stack closes) mid-write. */
  const settled = (request: RecordingReceiver['requests'][number]) => waitForDelivery(stack, header(request, 'x-hookline-delivery'), 'succeeded');

  beforeAll(async () => {
    stack = await startTestStack(NO_SWEEPER);
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await stack.close();
  });

  const rotate = async (sub: Subscription, body?: Record<string, unknown>): Promise<string> => {
    const response = await stack.api.http
      .post(`${tenantPath(stack)}/subscriptions/${sub.id}/rotate-secret`)
      .set(stack.api.auth())
      .send(body)
      .expect(200);
    expect(response.body.secret).toMatch(/^whsec_/);
    return response.body.secret;
  };

  it('signs with both secrets during the grace period; the GitHub header uses the new one only', async () => {
    const hook = await receiver();
    const sub = await subscribe(stack, hook.url);
    const oldSecret = sub.secret;

    // Warm the worker's cache with the old secret, so the rotation has to evict it.
    await publish(stack, `${sub.ns}.before`);
    const [before] = await hook.waitForRequests(1);
    expect(signaturesOf(before)).toHaveLength(1);
    expect(verifiesWith(oldSecret, before)).toBe(true);

    const newSecret = await rotate(sub);
    expect(newSecret).not.toBe(oldSecret);
    await publish(stack, `${sub.ns}.after`);
    const [, after] = await hook.waitForRequests(2);

    const signatures = signaturesOf(after);
    expect(signatures).toHaveLength(2);
    for (const signature of signatures) expect(signature).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(verifiesWith(oldSecret, after)).toBe(true);
    expect(verifiesWith(newSecret, after)).toBe(true);
    expect(verifiesWith(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, after)).toBe(false);
    expect(header(after, 'x-hub-signature-256')).toBe(hubSignature(newSecret, after.body));
    expect(header(after, 'x-hub-signature-256')).not.toBe(hubSignature(oldSecret, after.body));

    const revealed = await stack.api.http
      .get(`${tenantPath(stack)}/subscriptions/${sub.id}/secret`)
      .set(stack.api.auth())
      .expect(200);
    expect(revealed.body).toEqual({ secret: newSecret });
    await settled(after);
  });

  it('with graceSeconds: 0 only the new (caller-chosen) secret signs, from the very next delivery', async () => {
    const hook = await receiver();
    const sub = await subscribe(stack, hook.url);
    await publish(stack, `${sub.ns}.before`);
    await hook.waitForRequests(1);

    const chosen = `whsec_${Buffer.alloc(32, 42).toString('base64')}`;
    expect(await rotate(sub, { secret: chosen, graceSeconds: 0 })).toBe(chosen);
    await publish(stack, `${sub.ns}.after`);
    const [, after] = await hook.waitForRequests(2);

    expect(signaturesOf(after)).toHaveLength(1);
    expect(verifiesWith(chosen, after)).toBe(true);
    expect(verifiesWith(sub.secret, after)).toBe(false);
    expect(header(after, 'x-hub-signature-256')).toBe(hubSignature(chosen, after.body));
    await settled(after);
  });

  it('drops the old signature once a short grace has ended', async () => {
    const hook = await receiver();
    const sub = await subscribe(stack, hook.url);
    const newSecret = await rotate(sub, { graceSeconds: 1 });
    const rotatedAt = Date.now();
    await publish(stack, `${sub.ns}.during`);
    const [during] = await hook.waitForRequests(1);
    expect(signaturesOf(during)).toHaveLength(2);
    expect(verifiesWith(sub.secret, during)).toBe(true);

    // The worker cached both secrets; the entry must be reloaded when the old one expires.
    await sleep(Math.max(0, rotatedAt + 1_200 - Date.now()));
    await publish(stack, `${sub.ns}.after`);
    const [, after] = await hook.waitForRequests(2);
    expect(signaturesOf(after)).toHaveLength(1);
    expect(verifiesWith(newSecret, after)).toBe(true);
    expect(verifiesWith(sub.secret, after)).toBe(false);
    await settled(after);
  });

  it('POST /subscriptions/{id}/test sends a signed webhook.test event to that subscription only', async () => {
    const hook = await receiver();
    const bystander = await receiver();
    const sub = await subscribe(stack, hook.url);
    // Subscribed to every type, yet it must not get another subscription's test event.
    await stack.api.http
      .post(`${tenantPath(stack)}/subscriptions`)
      .set(stack.api.auth())
      .send({ url: bystander.url })
      .expect(201);

    const response = await stack.api.http
      .post(`${tenantPath(stack)}/subscriptions/${sub.id}/test`)
      .set(stack.api.auth())
      .send({})
      .expect(202);
    expect(response.body).toMatchObject({ type: 'webhook.test', deliveryCount: 1 });
    const [request] = await hook.waitForRequests(1);

    expect(verifiesWith(sub.secret, request)).toBe(true);
    expect(header(request, 'x-hub-signature-256')).toBe(hubSignature(sub.secret, request.body));
    expect(header(request, 'webhook-id')).toBe(response.body.id);
    expect(header(request, 'x-hookline-event')).toBe('webhook.test');
    const body = JSON.parse(request.body);
    expect(body).toMatchObject({ id: response.body.id, type: 'webhook.test', timestamp: response.body.createdAt });
    expect(body.data).toMatchObject({ subscriptionId: sub.id });
    await waitForDelivery(stack, header(request, 'x-hookline-delivery'), 'succeeded');

    // `type` overrides the event type.
    const typed = await stack.api.http
      .post(`${tenantPath(stack)}/subscriptions/${sub.id}/test`)
      .set(stack.api.auth())
      .send({ type: `${sub.ns}.ping` })
      .expect(202);
    expect(typed.body.type).toBe(`${sub.ns}.ping`);
    const [, second] = await hook.waitForRequests(2);
    expect(JSON.parse(second.body).type).toBe(`${sub.ns}.ping`);

    // A test send creates one delivery, for the subscription named: nothing exists for the bystander to get.
    const stored = await stack.api.http
      .get(`${tenantPath(stack)}/events/${typed.body.id}`)
      .set(stack.api.auth())
      .expect(200);
    expect(stored.body.deliveries.map((d: { subscriptionId: string }) => d.subscriptionId)).toEqual([sub.id]);
    expect(bystander.requests).toHaveLength(0);
  });

  it('POST /subscriptions/{id}/test on a disabled subscription answers 409 and sends nothing', async () => {
    const hook = await receiver();
    const sub = await subscribe(stack, hook.url);
    await stack.api.http
      .post(`${tenantPath(stack)}/subscriptions/${sub.id}/disable`)
      .set(stack.api.auth())
      .expect(200);

    const response = await stack.api.http
      .post(`${tenantPath(stack)}/subscriptions/${sub.id}/test`)
      .set(stack.api.auth())
      .send({})
      .expect(409);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 409 });
    // Refused before anything was written: no delivery of this subscription exists to be sent.
    const deliveries = await stack.api.http
      .get(`${tenantPath(stack)}/deliveries?subscriptionId=${sub.id}`)
      .set(stack.api.auth())
      .expect(200);
    expect(deliveries.body.data).toEqual([]);
    expect(hook.requests).toHaveLength(0);
  });
});
