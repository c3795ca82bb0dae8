import { createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import type { TestStack } from '../support';
import { RecordingReceiver, startTestStack } from '../support';
import { waitFor } from '../support/wait';

async function waitForStatus(stack: TestStack, deliveryPath: string, status: string) {
  const response = await waitFor(
    () => stack.api.http.get(deliveryPath).set(stack.api.auth()).expect(200),
    (answer) => answer.body.status === status,
    { what: `delivery ${status}` },
  );
  return response.body;
}

describe('publish → signed POST → recorded attempt', () => {
  let stack: TestStack;
  let receiver: RecordingReceiver;
  beforeAll(async () => {
    stack = await startTestStack();
    receiver = await RecordingReceiver.start(() => ({ status: 200, body: 'thanks', headers: { 'x-receiver': 'yes' } }));
  });
  afterAll(async () => {
    await receiver.close();
    await stack.close();
  });

  it('delivers the exact body, signed so that standardwebhooks, svix and a GitHub check all verify it', async () => {
    const tenant = `/v1/tenants/${stack.tenantId}`;
    const sub = await stack.api.http
      .post(`${tenant}/subscriptions`)
      .set(stack.api.auth())
      .send({ url: receiver.url, eventTypes: ['invoice.*'], headers: { 'x-custom': 'kept' } })
      .expect(201);
    const data = { zebra: 1, apple: { nested: [1, 'two', null] }, amount: 4200 };
    const published = await stack.api.http.post(`${tenant}/events`).set(stack.api.auth()).send({ type: 'invoice.paid', data }).expect(202);
    expect(published.body).toMatchObject({ type: 'invoice.paid', data, deliveryCount: 1 });
    expect(published.body.id).toMatch(/^evt_[0-9A-Z]{26}$/);

    const [request] = await receiver.waitForRequests(1);
    const event = published.body;
    expect(request.method).toBe('POST');
    expect(request.body).toBe(`{"id":"${event.id}","type":"invoice.paid","timestamp":"${event.createdAt}","data":${JSON.stringify(data)}}`);
    expect(request.headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': event.id,
      'x-hookline-event': 'invoice.paid',
      'x-hookline-attempt': '1',
      'x-custom': 'kept',
    });
    expect(request.headers['user-agent']).toMatch(/^Hookline\/\d+\.\d+\.\d+$/);
    expect(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(10);

    const secret = sub.body.secret as string;
    const signed = {
      'webhook-id': request.headers['webhook-id'] as string,
      'webhook-timestamp': request.headers['webhook-timestamp'] as string,
      'webhook-signature': request.headers['webhook-signature'] as string,
    };
    expect(new StandardWebhook(secret).verify(request.body, signed)).toEqual(JSON.parse(request.body));
    expect(new SvixWebhook(secret).verify(request.body, signed)).toEqual(JSON.parse(request.body));
    expect(() => new StandardWebhook(secret).verify(request.body + ' ', signed)).toThrow();

    const expectedHub = Buffer.from(`sha256=${createHmac('sha256', secret).update(request.body).digest('hex')}`);
    const hub = Buffer.from(request.headers['x-hub-signature-256'] as string);
    expect(hub.length === expectedHub.length && timingSafeEqual(hub, expectedHub)).toBe(true);

    const deliveryId = request.headers['x-hookline-delivery'] as string;
    expect(deliveryId).toMatch(/^dlv_[0-9A-Z]{26}$/);
    const delivery = await waitForStatus(stack, `${tenant}/deliveries/${deliveryId}`, 'succeeded');
    expect(delivery).toMatchObject({ id: deliveryId, eventId: event.id, subscriptionId: sub.body.id, attemptCount: 1, lastStatusCode: 200 });
    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.attempts[0]).toMatchObject({ number: 1, statusCode: 200, error: null, responseBody: 'thanks' });
    expect(delivery.attempts[0].id).toMatch(/^att_/);
    expect(delivery.attempts[0].responseHeaders['x-receiver']).toBe('yes');

    const withDeliveries = await stack.api.http.get(`${tenant}/events/${event.id}`).set(stack.api.auth()).expect(200);
    expect(withDeliveries.body.deliveries.map((d: { id: string }) => d.id)).toEqual([deliveryId]);
  });

  it('does not deliver to a subscription whose filter does not match', async () => {
    const tenant = `/v1/tenants/${stack.tenantId}`;
    const before = receiver.requests.length;
    const published = await stack.api.http.post(`${tenant}/events`).set(stack.api.auth()).send({ type: 'customer.created', data: {} }).expect(202);
    expect(published.body.deliveryCount).toBe(0);
    // No delivery row, so nothing for a worker to claim or send, now or later.
    const stored = await stack.api.http.get(`${tenant}/events/${published.body.id}`).set(stack.api.auth()).expect(200);
    expect(stored.body.deliveries).toEqual([]);
    expect(receiver.requests.length).toBe(before);
  });
});
