import { Metadata, status } from '@grpc/grpc-js';
import Redis from 'ioredis';
import type { RedisClient } from '@hookline/queue';
import { isCluster, RedisService } from '@hookline/queue';
import type { TestStack } from '../../../../test/support';
import { ANNOUNCED_DELIVERY_ID, attemptAnnouncer, createTenant, createTenantKey, RecordingReceiver, startTestStack, waitFor } from '../../../../test/support';
import { DeliveryWatchHub } from './delivery-watch.hub';
import type { DeliveryUpdateMessage } from './grpc-test-client';
import { bearer, grpcClient, json, publish } from './grpc-test-client';

interface Watch {
  updates: DeliveryUpdateMessage[];
  /** Resolves with the updates once `count` arrived. */
  next(count: number, timeoutMs?: number): Promise<DeliveryUpdateMessage[]>;
  ended: Promise<{ code: number; details: string }>;
  cancel(): void;
}

describe('gRPC EventService.WatchDeliveries', () => {
  let stack: TestStack;
  let ok: RecordingReceiver;
  let failing: RecordingReceiver;
  let client: ReturnType<typeof grpcClient>;
  let tenantKey: string;
  let okSub: string;
  let failingSub: string;
  /** Every watch a test opened, cancelled after it whether it passed or not (so a failure cannot leak into the next). */
  const opened: Watch[] = [];

  beforeAll(async () => {
    stack = await startTestStack({ RETRY_SCHEDULE: '50ms,50ms' });
    ok = await RecordingReceiver.start(() => ({ status: 200 }));
    failing = await RecordingReceiver.start(() => ({ status: 503, body: 'down' }));
    client = grpcClient(stack.api.app);
    tenantKey = (await createTenantKey(stack.api, stack.tenantId)).key;
    const subscribe = async (url: string) =>
      (await stack.api.http.post(`/v1/tenants/${stack.tenantId}/subscriptions`).set(stack.api.auth()).send({ url }).expect(201)).body.id as string;
    okSub = await subscribe(ok.url);
    failingSub = await subscribe(failing.url);
  });
  afterEach(async () => {
    const open = opened.splice(0);
    for (const w of open) w.cancel();
    await Promise.all(open.map((w) => w.ended));
  });
  afterAll(async () => {
    client?.close();
    await ok?.close();
    await failing?.close();
    await stack?.close();
  });

  /** Starts a watch and resolves once the server says it is in place (its response headers). */
  function watch(request: object, metadata: Metadata = bearer(tenantKey)): Promise<Watch> {
    return new Promise((resolve, reject) => {
      const call = client.watchDeliveries(request, metadata);
      const updates: DeliveryUpdateMessage[] = [];
      const waiters: (() => void)[] = [];
      const ended = new Promise<{ code: number; details: string }>((settle) => {
        call.on('error', (error: { code: number; details: string }) => settle(error));
        call.on('status', (s: { code: number; details: string }) => settle(s));
      });
      call.on('data', (update: DeliveryUpdateMessage) => {
        updates.push(update);
        waiters.splice(0).forEach((wake) => wake());
      });
      const next = async (count: number, timeoutMs = 8_000) => {
        const deadline = Date.now() + timeoutMs;
        while (updates.length < count) {
          if (Date.now() > deadline) throw new Error(`expected ${count} updates, got ${updates.length}: ${JSON.stringify(updates)}`);
          await new Promise<void>((wake) => {
            waiters.push(wake);
            setTimeout(wake, 100);
          });
        }
        return updates.slice();
      };
      call.on('metadata', (_headers: Metadata) => {
        const w = { updates, next, ended, cancel: () => call.cancel() };
        opened.push(w);
        resolve(w);
      });
      void ended.then((s) => reject(Object.assign(new Error(s.details), s)));
    });
  }

  it('streams each attempt of the tenant’s deliveries as the worker records it', async () => {
    const all = await watch({ tenant_id: stack.tenantId });
    const { event } = await publish(client, { tenant_id: stack.tenantId, type: 'watch.one', data_json: json({}) }, tenantKey);

    // 1 success; 3 attempts (2 retries) at the failing receiver, the last one dead.
    const updates = await all.next(4);
    const toOk = updates.filter((u) => u.subscription_id === okSub);
    const toFailing = updates.filter((u) => u.subscription_id === failingSub);
    expect(toOk).toEqual([expect.objectContaining({ event_id: event.id, event_type: 'watch.one', status: 'DELIVERY_STATUS_SUCCEEDED', attempt: 1, status_code: 200 })]);
    expect(toOk[0].delivery_id).toMatch(/^dlv_/);
    expect(new Date(toOk[0].at).toISOString()).toBe(toOk[0].at);
    expect(toFailing.map((u) => [u.attempt, u.status, u.status_code])).toEqual([
      [1, 'DELIVERY_STATUS_FAILED', 503],
      [2, 'DELIVERY_STATUS_FAILED', 503],
      [3, 'DELIVERY_STATUS_DEAD', 503],
    ]);
    expect(toFailing[0].next_attempt_at).toBeDefined();
    expect(toFailing[2].next_attempt_at).toBeUndefined();
  });

  it('narrows to one subscription and to event types', async () => {
    const onlyOk = await watch({ tenant_id: stack.tenantId, subscription_id: okSub });
    const onlyOrders = await watch({ tenant_id: stack.tenantId, subscription_id: okSub, types: ['order.*'] });
    const before = ok.requests.length;
    await publish(client, { tenant_id: stack.tenantId, type: 'invoice.paid', data_json: json({}) }, tenantKey);
    const { event: order } = await publish(client, { tenant_id: stack.tenantId, type: 'order.created', data_json: json({}) }, tenantKey);
    await ok.waitForRequests(before + 2);
    // Everything for the failing subscription (3 attempts each) is recorded too, and must not show up.
    const updates = await onlyOk.next(2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(onlyOk.updates).toHaveLength(2);
    expect(updates.every((u) => u.subscription_id === okSub)).toBe(true);
    expect(onlyOrders.updates.map((u) => [u.event_id, u.event_type])).toEqual([[order.id, 'order.created']]);
  });

  it('sees nothing of another tenant', async () => {
    const other = await createTenant(stack.api);
    const theirs = await stack.api.http.post(`/v1/tenants/${other.id}/subscriptions`).set(stack.api.auth()).send({ url: ok.url }).expect(201);
    const mine = await watch({ tenant_id: stack.tenantId });
    const before = ok.requests.length;
    await publish(client, { tenant_id: other.id, type: 'other.thing', data_json: json({}) }, stack.api.adminKey);
    await ok.waitForRequests(before + 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mine.updates.filter((u) => u.subscription_id === theirs.body.id)).toEqual([]);
  });

  it('refuses bad keys, other tenants, unknown subscriptions and bad type filters', async () => {
    const other = await createTenant(stack.api);
    await expect(watch({ tenant_id: stack.tenantId }, bearer('hk_wrong_0123456789abcdef'))).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    await expect(watch({ tenant_id: stack.tenantId }, new Metadata())).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    await expect(watch({ tenant_id: other.id })).rejects.toMatchObject({ code: status.NOT_FOUND });
    await expect(watch({ tenant_id: stack.tenantId, subscription_id: 'sub_00000000000000000000000000' })).rejects.toMatchObject({ code: status.NOT_FOUND });
    await expect(watch({ tenant_id: stack.tenantId, types: ['bad type'] })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    // Nothing refused was left subscribed.
    expect(stack.api.app.get(DeliveryWatchHub).watcherCount).toBe(0);
  });

  it('keeps a tenant’s updates in the order they were published while Redis nodes stall', async () => {
    const w = await watch({ tenant_id: stack.tenantId });
    // Every master of a cluster (or the one Redis), each paused in turn for writes (PUBLISH included)
    // while updates go out one at a time: an update entering at a stalled node must not be overtaken.
    const shared = stack.worker.get(RedisService) as RedisClient;
    const masters = isCluster(shared) ? shared.nodes('master').map((node) => node.options) : [shared.options];
    const pausers = masters.map((options) => new Redis({ host: options.host, port: options.port, password: options.password, lazyConnect: true }));
    const announce = attemptAnnouncer(stack, okSub);
    const COUNT = 60;
    let publishing = true;
    try {
      const stalls = (async () => {
        for (let round = 0; publishing; round++) {
          await pausers[round % pausers.length].client('PAUSE', 40, 'WRITE');
          await new Promise((resolve) => setTimeout(resolve, 15));
        }
      })();
      for (let sent = 0; sent < COUNT; sent++) {
        announce();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      publishing = false;
      await stalls;
      // Only the announced delivery's: a retry of an earlier test's delivery may still be recorded meanwhile.
      const announced = () => w.updates.filter((u) => u.delivery_id === ANNOUNCED_DELIVERY_ID).map((u) => u.attempt);
      await waitFor(announced, (attempts) => attempts.length >= COUNT, { what: `${COUNT} announced updates`, timeoutMs: 15_000 });
      expect(announced()).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1));
    } finally {
      publishing = false;
      pausers.forEach((pauser) => pauser.disconnect());
    }
  });

  it('stops listening when the client cancels', async () => {
    const hub = stack.api.app.get(DeliveryWatchHub);
    const w = await watch({ tenant_id: stack.tenantId });
    expect(hub.watcherCount).toBe(1);
    w.cancel();
    await w.ended;
    for (let i = 0; i < 50 && hub.watcherCount > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hub.watcherCount).toBe(0);
  });
});
