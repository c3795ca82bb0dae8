import type { TestStack } from '../../../../test/support';
import { RecordingReceiver, startTestApi, startTestStack } from '../../../../test/support';
import { deliveryOf, getDelivery, header, NO_SWEEPER, publish, sleep, subscribe, waitForDelivery } from '../../../../test/delivery/delivery-test-kit';
import { DeliveryWatchHub } from '../grpc/delivery-watch.hub';

interface StreamEvent {
  event: string;
  data: string;
}

/** Reads server-sent events from a fetch response until one matches; fails after `timeoutMs`. */
async function nextEvent(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  buffer: { text: string },
  matches: (e: StreamEvent) => boolean,
  timeoutMs = 10_000,
): Promise<StreamEvent> {
  const decoder = new TextDecoder();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let end: number;
    while ((end = buffer.text.indexOf('\n\n')) !== -1) {
      const block = buffer.text.slice(0, end);
      buffer.text = buffer.text.slice(end + 2);
      const fields = Object.fromEntries(
        block
          .split('\n')
          .filter((line) => !line.startsWith(':'))
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
      );
      const event = { event: fields.event ?? 'message', data: fields.data ?? '' };
      if (fields.data !== undefined && matches(event)) return event;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new Error('no matching event in time');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no matching event in time')), remaining)));
    const chunk = await Promise.race([reader.read(), timeout]).finally(() => clearTimeout(timer));
    if (chunk.done) throw new Error('the stream ended');
    buffer.text += decoder.decode(chunk.value, { stream: true });
  }
}

/** What the portal needs beyond the plain REST routes: live updates, request headers, replays. */
describe('portal delivery routes', () => {
  let stack: TestStack;
  let receiver: RecordingReceiver;
  const failFirst = new Set<string>();
  let token: string;
  const tenant = () => `/v1/tenants/${stack.tenantId}`;

  beforeAll(async () => {
    // A retry waits an hour: a test that sees a second attempt sooner saw the replay do it.
    stack = await startTestStack({ ...NO_SWEEPER, RETRY_SCHEDULE: '1h' });
    receiver = await RecordingReceiver.start((request) => {
      const type = JSON.parse(request.body).type as string;
      if (failFirst.delete(type)) return { status: 500 };
      return { status: 200 };
    });
    token = (await stack.api.http.post(`${tenant()}/portal-sessions`).set(stack.api.auth()).expect(201)).body.token;
  });
  afterAll(async () => {
    await stack.close();
    await receiver.close();
  });

  it('streams a delivery event for a real publish, and stops watching when the client leaves', async () => {
    const subscription = await subscribe(stack, receiver.url);
    const other = await subscribe(stack, receiver.url);
    const hub = stack.api.app.get(DeliveryWatchHub);
    const aborter = new AbortController();
    const response = await fetch(`${stack.api.url}${tenant()}/deliveries/stream?subscriptionId=${subscription.id}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: aborter.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const reader = response.body!.getReader();
    const buffer = { text: '' };

    await publish(stack, `${other.ns}.skipped`, {});
    const event = await publish(stack, `${subscription.ns}.streamed`, { n: 1 });
    const delivery = await deliveryOf(stack, event.id);
    const received = await nextEvent(reader, buffer, (e) => JSON.parse(e.data).status === 'succeeded');
    expect(received.event).toBe('delivery');
    expect(JSON.parse(received.data)).toEqual({
      id: delivery.id,
      eventId: event.id,
      eventType: `${subscription.ns}.streamed`,
      subscriptionId: subscription.id,
      status: 'succeeded',
      attemptCount: 1,
      nextAttemptAt: null,
      lastAttemptAt: expect.any(String),
      lastStatusCode: 200,
      lastError: null,
      lastDurationMs: expect.any(Number),
    });
    // The other subscription's delivery (published first) was filtered out.
    expect(buffer.text).not.toContain(other.id);

    expect(hub.watcherCount).toBeGreaterThan(0);
    aborter.abort();
    await expect(reader.read()).rejects.toThrow();
    for (const deadline = Date.now() + 5_000; hub.watcherCount > 0 && Date.now() < deadline;) await sleep(20);
    expect(hub.watcherCount).toBe(0);
  });

  it('ends the stream cleanly when the API shuts down', async () => {
    const second = await startTestApi(stack.env);
    const response = await fetch(`${second.url}${tenant()}/deliveries/stream`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(': watching\n\n');
    const closing = second.close();
    let chunk = await reader.read();
    while (!chunk.done) chunk = await reader.read();
    await closing;
  });

  it('refuses the stream to another tenant, a bad filter and a missing credential', async () => {
    const other = (await stack.api.http.post('/v1/tenants').set(stack.api.auth()).send({ name: 'other' }).expect(201)).body;
    await stack.api.http.get(`/v1/tenants/${other.id}/deliveries/stream`).set(stack.api.auth(token)).expect(404);
    await stack.api.http.get(`${tenant()}/deliveries/stream`).expect(401);
    const bad = await stack.api.http.get(`${tenant()}/deliveries/stream`).query({ status: 'dead' }).set(stack.api.auth(token)).expect(422);
    expect(bad.body.errors).toEqual([{ field: 'status', message: 'unknown field' }]);
  });

  it("shows each attempt's request headers as sent, signatures included and no secret", async () => {
    const subscription = await subscribe(stack, receiver.url, { headers: { 'x-team': 'billing' } });
    const before = receiver.requests.length;
    const event = await publish(stack, `${subscription.ns}.headers`, {});
    const delivery = await waitForDelivery(stack, (await deliveryOf(stack, event.id)).id, 'succeeded');
    const sent = receiver.requests.slice(before).find((r) => header(r, 'webhook-id') === event.id)!;
    const shown = (await stack.api.http.get(`${tenant()}/deliveries/${delivery.id}`).set(stack.api.auth(token)).expect(200)).body.attempts[0].requestHeaders;
    for (const name of [
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
      'x-hub-signature-256',
      'x-hookline-event',
      'x-hookline-delivery',
      'x-hookline-attempt',
      'content-type',
      'user-agent',
      'x-team',
    ]) {
      expect(`${name}: ${shown[name]}`).toBe(`${name}: ${header(sent, name)}`);
    }
    expect(JSON.stringify(shown)).not.toContain(subscription.secret);
    expect(JSON.stringify(shown)).not.toContain('whsec_');
  });

  it('filters the delivery list by event type', async () => {
    const subscription = await subscribe(stack, receiver.url);
    const a = await publish(stack, `${subscription.ns}.a`, {});
    await publish(stack, `${subscription.ns}.b`, {});
    const listed = await stack.api.http
      .get(`${tenant()}/deliveries`)
      .query({ eventType: `${subscription.ns}.a` })
      .set(stack.api.auth(token))
      .expect(200);
    expect(listed.body.data.map((d: { eventId: string }) => d.eventId)).toEqual([a.id]);
  });

  it('replays a failed delivery at once instead of waiting for its scheduled retry, and says when it is due', async () => {
    const subscription = await subscribe(stack, receiver.url);
    const type = `${subscription.ns}.retried`;
    failFirst.add(type);
    const event = await publish(stack, type, {});
    const failed = await waitForDelivery(stack, (await deliveryOf(stack, event.id)).id, 'failed');
    expect(new Date(failed.nextAttemptAt!).getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);

    const replayed = await stack.api.http.post(`${tenant()}/deliveries/${failed.id}/replay`).set(stack.api.auth(token)).expect(202);
    expect(replayed.body.status).toBe('pending');
    expect(new Date(replayed.body.nextAttemptAt).getTime()).toBeLessThanOrEqual(Date.now());
    const done = await waitForDelivery(stack, failed.id, 'succeeded');
    expect(done.attempts.map((a) => a.statusCode)).toEqual([500, 200]);
  });

  it("shows the tenant its recoveries' progress, and no one else's replays", async () => {
    const subscription = await subscribe(stack, receiver.url);
    const type = `${subscription.ns}.recovered`;
    failFirst.add(type);
    const event = await publish(stack, type, {});
    const failed = await waitForDelivery(stack, (await deliveryOf(stack, event.id)).id, 'failed');
    const since = new Date(Date.now() - 60_000).toISOString();
    const recovery = (await stack.api.http.post(`${tenant()}/subscriptions/${subscription.id}/recover`).set(stack.api.auth(token)).send({ since }).expect(202)).body;

    const deadline = Date.now() + 10_000;
    let progress = (await stack.api.http.get(`${tenant()}/replays/${recovery.id}`).set(stack.api.auth(token)).expect(200)).body;
    while (progress.status !== 'completed' && Date.now() < deadline) {
      await sleep(25);
      progress = (await stack.api.http.get(`${tenant()}/replays/${recovery.id}`).set(stack.api.auth(token)).expect(200)).body;
    }
    expect(progress).toMatchObject({ id: recovery.id, tenantId: stack.tenantId, status: 'completed', matched: 1, queued: 1, completed: 1 });
    expect((await getDelivery(stack, failed.id)).status).toBe('succeeded');
    const listed = await stack.api.http.get(`${tenant()}/replays`).set(stack.api.auth(token)).expect(200);
    expect(listed.body.data[0].id).toBe(recovery.id);

    const acrossTenants = (await stack.api.http.post('/v1/replays').set(stack.api.auth()).send({ since }).expect(202)).body;
    await stack.api.http.get(`${tenant()}/replays/${acrossTenants.id}`).set(stack.api.auth(token)).expect(404);
    expect(listed.body.data.map((r: { id: string }) => r.id)).not.toContain(acrossTenants.id);
    const stranger = (await stack.api.http.post('/v1/tenants').set(stack.api.auth()).send({ name: 'stranger' }).expect(201)).body;
    await stack.api.http.get(`/v1/tenants/${stranger.id}/replays/${recovery.id}`).set(stack.api.auth()).expect(404);
  });

  it('sends a test event with the data the portal pre-filled', async () => {
    const subscription = await subscribe(stack, receiver.url, { eventTypes: [] });
    const before = receiver.requests.length;
    const sent = await stack.api.http
      .post(`${tenant()}/subscriptions/${subscription.id}/test`)
      .set(stack.api.auth(token))
      .send({ data: { invoiceId: 'inv_1', amount: 42 } })
      .expect(202);
    const [request] = await receiver.waitForRequests(before + 1).then((all) => all.slice(before).filter((r) => header(r, 'webhook-id') === sent.body.id));
    expect(JSON.parse(request.body)).toMatchObject({ type: 'webhook.test', data: { invoiceId: 'inv_1', amount: 42 } });
    const bad = await stack.api.http
      .post(`${tenant()}/subscriptions/${subscription.id}/test`)
      .set(stack.api.auth(token))
      .send({ data: [1] })
      .expect(422);
    expect(bad.body.errors).toEqual([{ field: 'data', message: 'must be a JSON object' }]);
  });
});
