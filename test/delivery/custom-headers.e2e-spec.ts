import type { TestStack } from '../support';
import { RecordingReceiver, startTestStack } from '../support';
import { header, NO_SWEEPER, publish, subscribe, tenantPath, verifiesWith, waitForDelivery } from './delivery-test-kit';

/** A subscription's own headers, and PATCHes of headers or URL reaching the very next delivery. */
describe('custom headers and subscription updates', () => {
  let stack: TestStack;
  let first: RecordingReceiver;
  let second: RecordingReceiver;

  beforeAll(async () => {
    stack = await startTestStack(NO_SWEEPER);
    [first, second] = await Promise.all([RecordingReceiver.start(), RecordingReceiver.start()]);
  });
  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
    await stack.close();
  });

  it('sends the custom headers, and picks up a PATCH of headers, then of the URL, on the next delivery', async () => {
    const sub = await subscribe(stack, first.url, { headers: { 'X-Tenant-Token': 'tok 1', 'x-region': 'eu-west-1' } });
    const patch = (body: Record<string, unknown>) =>
      stack.api.http
        .patch(`${tenantPath(stack)}/subscriptions/${sub.id}`)
        .set(stack.api.auth())
        .send(body)
        .expect(200);

    await publish(stack, `${sub.ns}.one`);
    const [one] = await first.waitForRequests(1);
    expect(header(one, 'x-tenant-token')).toBe('tok 1');
    expect(header(one, 'x-region')).toBe('eu-west-1');
    // Custom headers ride along with, and never replace, the signed ones.
    expect(header(one, 'content-type')).toBe('application/json');
    expect(verifiesWith(sub.secret, one)).toBe(true);

    const patched = await patch({ headers: { 'x-tenant-token': 'tok 2' } });
    expect(patched.body.headers).toEqual({ 'x-tenant-token': 'tok 2' });
    await publish(stack, `${sub.ns}.two`);
    const [, two] = await first.waitForRequests(2);
    expect(header(two, 'x-tenant-token')).toBe('tok 2');
    expect(two.headers['x-region']).toBeUndefined();

    await patch({ url: second.url });
    const event = await publish(stack, `${sub.ns}.three`);
    const [three] = await second.waitForRequests(1);
    expect(header(three, 'webhook-id')).toBe(event.id);
    expect(header(three, 'x-tenant-token')).toBe('tok 2');
    expect(verifiesWith(sub.secret, three)).toBe(true);
    expect(first.requests).toHaveLength(2);
    await waitForDelivery(stack, header(three, 'x-hookline-delivery'), 'succeeded');
  });

  it('refuses a reserved header name on PATCH with 422, and keeps sending the old headers', async () => {
    const sub = await subscribe(stack, first.url, { headers: { 'x-kept': 'yes' } });
    const response = await stack.api.http
      .patch(`${tenantPath(stack)}/subscriptions/${sub.id}`)
      .set(stack.api.auth())
      .send({ headers: { 'webhook-signature': 'v1,forged' } });
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: expect.stringContaining('webhook-signature') })]));

    const before = first.requests.length;
    await publish(stack, `${sub.ns}.one`);
    const requests = await first.waitForRequests(before + 1);
    const last = requests[before];
    expect(header(last, 'x-kept')).toBe('yes');
    expect(verifiesWith(sub.secret, last)).toBe(true);
    await waitForDelivery(stack, header(last, 'x-hookline-delivery'), 'succeeded');
  });
});
