import { PrismaService } from '@hookline/database';
import { newId } from '@hookline/ids';
import type { TestStack } from '../support';
import { countAttemptsOf, createTenant, createTenantKey, RecordingReceiver, startIsolatedStack, waitFor } from '../support';
import { namespace, NO_SWEEPER, publish, sleep, subscribe, tenantPath, waitForReplay, waitForStats } from './operators-test-kit';

describe('POST …/subscriptions/{id}/recover', () => {
  let stack: TestStack;
  let receiver: RecordingReceiver;
  let mode: 'ok' | 'fail' | 'hang' = 'ok';

  beforeAll(async () => {
    // Three attempts per cycle within ~250 ms; a hanging attempt times out after 2 s.
    stack = await startIsolatedStack({ ...NO_SWEEPER, RETRY_SCHEDULE: '50ms,100ms' });
    receiver = await RecordingReceiver.start(() => (mode === 'hang' ? { hang: true } : { status: mode === 'ok' ? 200 : 500 }));
  });
  afterAll(async () => {
    await receiver?.close();
    await stack?.close();
  });

  const eventIdsSince = (index: number) => receiver.requests.slice(index).map((r) => r.headers['webhook-id'] as string);

  it('re-queues failed, dead and cancelled deliveries of the window and creates the missed ones', async () => {
    const ns = namespace();
    const sub = await subscribe(stack, receiver.url, { eventTypes: [`${ns}.*`] });
    const path = `${tenantPath(stack)}/subscriptions/${sub.id}`;
    const auth = stack.api.auth();

    // Before the window: dead, and must stay so.
    mode = 'fail';
    const beforeWindow = await publish(stack, `${ns}.a`, { n: 0 });
    await waitForStats(stack, (s) => s.deliveries.dead === 1);
    await sleep(20);
    const since = new Date().toISOString();

    mode = 'ok';
    const delivered = await publish(stack, `${ns}.a`, { n: 1 });
    await waitForStats(stack, (s) => s.deliveries.succeeded === 1);
    mode = 'fail';
    const dead = await publish(stack, `${ns}.a`, { n: 2 });
    await waitForStats(stack, (s) => s.deliveries.dead === 2 && s.deliveries.succeeded === 1);

    // In flight when the subscription is disabled: cancelled, and stays so after the attempt ends.
    mode = 'hang';
    const cancelled = await publish(stack, `${ns}.a`, { n: 3 });
    await receiver.waitForRequests(receiver.requests.length + 1).catch(() => undefined);
    const disabled = await stack.api.http.post(`${path}/disable`).set(auth).expect(200);
    expect(disabled.body.status).toBe('disabled');
    // The hanging attempt times out (2 s) while disabled and is recorded; its retry is then dropped by the worker.
    const prisma = stack.api.app.get(PrismaService);
    await waitFor(
      () => countAttemptsOf(prisma, { eventId: cancelled.id }),
      (n) => n >= 1,
      { what: 'the hanging attempt recorded' },
    );

    // Published during the outage: no delivery at all for this subscription.
    const missed = [await publish(stack, `${ns}.b`, { n: 4 }), await publish(stack, `${ns}.c`, { n: 5 })];
    expect(missed.map((e) => e.deliveryCount)).toEqual([0, 0]);
    const notMatching = await publish(stack, `other${ns}.a`, { n: 6 });
    await waitForStats(stack, (s) => s.deliveries.cancelled === 1 && s.deliveries.pending + s.deliveries.failed === 0);

    // Recovering a disabled subscription would only cancel everything again.
    const refused = await stack.api.http.post(`${path}/recover`).set(auth).send({ since }).expect(409);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);

    mode = 'ok';
    await stack.api.http.post(`${path}/enable`).set(auth).expect(200);
    const before = receiver.requests.length;
    const started = await stack.api.http.post(`${path}/recover`).set(auth).send({ since }).expect(202);
    expect(started.body).toMatchObject({ status: 'queued', matched: 4, tenantId: stack.tenantId });
    expect(started.body.filter).toMatchObject({ subscriptionId: sub.id, since, createMissing: true, status: ['failed', 'dead', 'cancelled'] });

    const replay = await waitForReplay(stack, started.body.id);
    expect(replay).toMatchObject({ status: 'completed', matched: 4, queued: 4, completed: 4 });
    const resent = eventIdsSince(before);
    expect(resent.sort()).toEqual([dead.id, cancelled.id, ...missed.map((e) => e.id)].sort());
    expect(resent).not.toContain(delivered.id);
    expect(resent).not.toContain(beforeWindow.id);
    expect(resent).not.toContain(notMatching.id);

    // The created deliveries are ordinary ones: listed under the event, succeeded, one attempt.
    const event = await stack.api.http
      .get(`${tenantPath(stack)}/events/${missed[0].id}`)
      .set(auth)
      .expect(200);
    expect(event.body.deliveries).toEqual([expect.objectContaining({ subscriptionId: sub.id, status: 'succeeded', attemptCount: 1 })]);

    // A second recovery of the same window has nothing left to do and creates no duplicates.
    const again = await stack.api.http.post(`${path}/recover`).set(auth).send({ since }).expect(202);
    expect(again.body.matched).toBe(0);
    expect(await waitForReplay(stack, again.body.id)).toMatchObject({ status: 'completed', queued: 0 });
    const eventAgain = await stack.api.http
      .get(`${tenantPath(stack)}/events/${missed[1].id}`)
      .set(auth)
      .expect(200);
    expect(eventAgain.body.deliveries).toHaveLength(1);
  });

  it('is the tenant’s own: 404 for another tenant’s key, 422 for a bad window', async () => {
    const ns = namespace();
    const sub = await subscribe(stack, receiver.url, { eventTypes: [`${ns}.*`] });
    const path = `${tenantPath(stack)}/subscriptions/${sub.id}/recover`;
    const stranger = await createTenant(stack.api);
    const strangerKey = await createTenantKey(stack.api, stranger.id);
    await stack.api.http.post(path).set(stack.api.auth(strangerKey.key)).send({ since: '2026-01-01T00:00:00Z' }).expect(404);
    await stack.api.http
      .post(`${tenantPath(stack, stranger.id)}/subscriptions/${sub.id}/recover`)
      .set(stack.api.auth(strangerKey.key))
      .send({ since: '2026-01-01T00:00:00Z' })
      .expect(404);

    const ownKey = await createTenantKey(stack.api, stack.tenantId);
    const ok = await stack.api.http.post(path).set(stack.api.auth(ownKey.key)).send({ since: '2026-01-01T00:00:00Z' }).expect(202);
    expect(ok.body.id).toMatch(/^rpl_/);

    const missing = await stack.api.http.post(path).set(stack.api.auth()).send({}).expect(422);
    expect(missing.body.errors).toEqual([{ field: 'since', message: expect.any(String) }]);
    const backwards = await stack.api.http.post(path).set(stack.api.auth()).send({ since: '2026-02-01T00:00:00Z', until: '2026-01-01T00:00:00Z' }).expect(422);
    expect(backwards.body.errors).toEqual([{ field: 'until', message: 'must be after since' }]);
  });

  it('gives a delivery created for an old event that event’s time, so the log finds it in that time window', async () => {
    const ns = namespace();
    mode = 'ok';
    const sub = await subscribe(stack, receiver.url, { eventTypes: [`${ns}.*`] });
    const prisma = stack.api.app.get(PrismaService);
    const day = 86_400_000;
    const at = new Date(Date.now() - 2 * day);
    await prisma.subscription.update({ where: { id: sub.id }, data: { createdAt: new Date(Date.now() - 3 * day) } });
    const event = await prisma.event.create({ data: { id: newId('evt'), tenantId: stack.tenantId, type: `${ns}.old`, data: { n: 1 }, createdAt: at } });

    const path = `${tenantPath(stack)}/subscriptions/${sub.id}/recover`;
    const recovery = await stack.api.http
      .post(path)
      .set(stack.api.auth())
      .send({ since: new Date(Date.now() - 3 * day).toISOString() })
      .expect(202);
    expect(await waitForReplay(stack, recovery.body.id)).toMatchObject({ status: 'completed', queued: 1 });

    const window = { since: new Date(at.getTime() - 60_000).toISOString(), until: new Date(at.getTime() + 60_000).toISOString() };
    const listed = await stack.api.http
      .get(`${tenantPath(stack)}/deliveries`)
      .query({ ...window, subscriptionId: sub.id })
      .set(stack.api.auth())
      .expect(200);
    expect(listed.body.data).toEqual([expect.objectContaining({ eventId: event.id, eventType: `${ns}.old`, createdAt: at.toISOString() })]);
    const now = { since: new Date(Date.now() - 60 * 60_000).toISOString(), subscriptionId: sub.id };
    expect(
      (
        await stack.api.http
          .get(`${tenantPath(stack)}/deliveries`)
          .query(now)
          .set(stack.api.auth())
          .expect(200)
      ).body.data,
    ).toEqual([]);
  });
});
