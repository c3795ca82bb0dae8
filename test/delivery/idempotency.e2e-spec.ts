import { PrismaService } from '@hookline/database';
import type { TestStack } from '../support';
import { countAttemptsOf, createTenant, RecordingReceiver, startIsolatedStack } from '../support';
import { waitUntil } from '../support/wait';

/** docs/contract.md#the-rest-api: idempotent publishing, through the real API and worker, checked in Postgres and at the receiver. */

describe('idempotent publish', () => {
  let stack: TestStack;
  let prisma: PrismaService;
  let receiverA: RecordingReceiver;
  let receiverB: RecordingReceiver;

  beforeAll(async () => {
    // A database of its own: no other file's sweeper can send these deliveries a second time.
    stack = await startIsolatedStack();
    prisma = stack.api.app.get(PrismaService);
    receiverA = await RecordingReceiver.start();
    receiverB = await RecordingReceiver.start();
  });
  afterAll(async () => {
    await receiverA?.close();
    await receiverB?.close();
    await stack?.close();
  });

  /** A fresh tenant: `invoice.*` to receiver A, `invoice.paid` to receiver B, and `customer.*` (never matched here). */
  async function tenantWithSubscriptions() {
    const tenant = await createTenant(stack.api);
    const path = `/v1/tenants/${tenant.id}`;
    for (const [url, eventTypes] of [
      [receiverA.url, ['invoice.*']],
      [receiverB.url, ['invoice.paid']],
      [receiverA.url, ['customer.*']],
    ] as const) {
      await stack.api.http.post(`${path}/subscriptions`).set(stack.api.auth()).send({ url, eventTypes }).expect(201);
    }
    return { tenantId: tenant.id, path };
  }

  function publish(path: string, body: Record<string, unknown>, headerKey?: string) {
    const request = stack.api.http.post(`${path}/events`).set(stack.api.auth());
    if (headerKey !== undefined) request.set('Idempotency-Key', headerKey);
    return request.send(body);
  }

  /** Rows this tenant owns in the three tables a publish writes to. */
  async function rowCounts(tenantId: string) {
    const [events, deliveries, keys] = await Promise.all([
      prisma.event.count({ where: { tenantId } }),
      prisma.delivery.count({ where: { tenantId } }),
      prisma.idempotencyKey.count({ where: { tenantId } }),
    ]);
    return { events, deliveries, keys };
  }

  function requestsFor(receiver: RecordingReceiver, eventId: string) {
    return receiver.requests.filter((r) => r.headers['webhook-id'] === eventId);
  }

  it('replays the same key and body: 200, Idempotent-Replayed, the same event, nothing new written or sent', async () => {
    const { tenantId, path } = await tenantWithSubscriptions();
    const body = { type: 'invoice.paid', data: { invoice: 'in_1', amount: 100 } };

    const first = await publish(path, body, 'key-replay').expect(202);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(first.body).toMatchObject({ type: 'invoice.paid', data: body.data, deliveryCount: 2 });

    const second = await publish(path, body, 'key-replay').expect(200);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);

    // A third time through the body field instead of the header: the same key space.
    const third = await publish(path, { ...body, idempotencyKey: 'key-replay' }).expect(200);
    expect(third.headers['idempotent-replayed']).toBe('true');
    expect(third.body.id).toBe(first.body.id);

    expect(await rowCounts(tenantId)).toEqual({ events: 1, deliveries: 2, keys: 1 });
    expect(await prisma.delivery.count({ where: { eventId: first.body.id } })).toBe(2);

    await waitUntil('both receivers got the event', () => requestsFor(receiverA, first.body.id).length >= 1 && requestsFor(receiverB, first.body.id).length >= 1);
    // Both deliveries recorded as succeeded: neither can be claimed for another POST.
    await waitUntil('both deliveries succeeded', async () => (await prisma.delivery.count({ where: { eventId: first.body.id, status: 'succeeded' } })) === 2);
    expect(requestsFor(receiverA, first.body.id)).toHaveLength(1);
    expect(requestsFor(receiverB, first.body.id)).toHaveLength(1);
  });

  it('refuses the same key with different data or type: 409 problem+json naming idempotencyKey, nothing written', async () => {
    const { tenantId, path } = await tenantWithSubscriptions();
    const first = await publish(path, { type: 'invoice.paid', data: { amount: 100 } }, 'key-conflict').expect(202);
    const keyRow = await prisma.idempotencyKey.findUniqueOrThrow({ where: { tenantId_key: { tenantId, key: 'key-conflict' } } });
    const before = await rowCounts(tenantId);

    for (const body of [
      { type: 'invoice.paid', data: { amount: 101 } },
      { type: 'invoice.created', data: { amount: 100 } },
      { type: 'invoice.paid', data: { amount: 100, extra: true } },
      { type: 'invoice.paid', data: [{ amount: 100 }] },
    ]) {
      const response = await publish(path, body, 'key-conflict').expect(409);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.headers['idempotent-replayed']).toBeUndefined();
      expect(response.body).toMatchObject({ status: 409, title: 'Conflict' });
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'idempotencyKey' })]);
    }

    expect(await rowCounts(tenantId)).toEqual(before);
    // The claim still points at the first event, unchanged.
    expect(await prisma.idempotencyKey.findUniqueOrThrow({ where: { tenantId_key: { tenantId, key: 'key-conflict' } } })).toEqual(keyRow);
    expect((await publish(path, { type: 'invoice.paid', data: { amount: 100 } }, 'key-conflict').expect(200)).body.id).toBe(first.body.id);
  });

  it('ignores key order inside data, but not array order', async () => {
    const { tenantId, path } = await tenantWithSubscriptions();
    const first = await publish(path, { type: 'invoice.paid', data: { a: 1, b: { c: 2, d: [1, { x: 1, y: 2 }] } } }, 'key-order').expect(202);
    const reordered = await publish(path, { data: { b: { d: [1, { y: 2, x: 1 }], c: 2 }, a: 1 }, type: 'invoice.paid' }, 'key-order').expect(200);
    expect(reordered.body.id).toBe(first.body.id);
    // The stored (and replayed) data keeps the first publisher's key order.
    expect(JSON.stringify(reordered.body.data)).toBe('{"a":1,"b":{"c":2,"d":[1,{"x":1,"y":2}]}}');

    await publish(path, { type: 'invoice.paid', data: { a: 1, b: { c: 2, d: [{ x: 1, y: 2 }, 1] } } }, 'key-order').expect(409);
    expect(await rowCounts(tenantId)).toEqual({ events: 1, deliveries: 2, keys: 1 });
  });

  it('accepts the key as header or body field; both with different values is 422, nothing written', async () => {
    const { tenantId, path } = await tenantWithSubscriptions();
    const body = { type: 'invoice.paid', data: { n: 1 } };

    const viaBody = await publish(path, { ...body, idempotencyKey: 'key-body' }).expect(202);
    expect(viaBody.body.idempotencyKey).toBe('key-body');
    expect((await publish(path, body, 'key-body').expect(200)).body.id).toBe(viaBody.body.id);

    const viaHeader = await publish(path, body, 'key-header').expect(202);
    expect(viaHeader.body.id).not.toBe(viaBody.body.id);
    expect((await publish(path, { ...body, idempotencyKey: 'key-header' }).expect(200)).body.id).toBe(viaHeader.body.id);
    // The same value in both places is fine.
    expect((await publish(path, { ...body, idempotencyKey: 'key-header' }, 'key-header').expect(200)).body.id).toBe(viaHeader.body.id);

    const before = await rowCounts(tenantId);
    const conflicting = await publish(path, { ...body, idempotencyKey: 'key-one' }, 'key-two').expect(422);
    expect(conflicting.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(conflicting.body.errors).toEqual([expect.objectContaining({ field: 'idempotencyKey' })]);
    const empty = await publish(path, body, '').expect(422);
    expect(empty.body.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    const tooLong = await publish(path, { ...body, idempotencyKey: 'k'.repeat(256) }).expect(422);
    expect(tooLong.body.errors).toEqual([expect.objectContaining({ field: 'idempotencyKey' })]);
    expect(await rowCounts(tenantId)).toEqual(before);
    expect(before).toEqual({ events: 2, deliveries: 4, keys: 2 });
  });

  it('20 concurrent identical publishes: one 202, nineteen 200, one event, one delivery per subscription, one POST each', async () => {
    const { tenantId, path } = await tenantWithSubscriptions();
    const body = { type: 'invoice.paid', data: { invoice: 'in_concurrent', lines: [1, 2, 3] } };

    const responses = await Promise.all(Array.from({ length: 20 }, () => publish(path, body, 'key-concurrent')));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(19).fill(200), 202]);
    const created = responses.find((r) => r.status === 202)!;
    for (const response of responses) {
      expect(response.body).toEqual(created.body);
      expect(response.headers['idempotent-replayed']).toBe(response.status === 200 ? 'true' : undefined);
    }
    expect(created.body.deliveryCount).toBe(2);
    expect(await rowCounts(tenantId)).toEqual({ events: 1, deliveries: 2, keys: 1 });

    const eventId = created.body.id as string;
    // Both deliveries recorded as succeeded: neither can be claimed for another POST.
    await waitUntil('both deliveries succeeded', async () => (await prisma.delivery.count({ where: { eventId, status: 'succeeded' } })) === 2);
    expect(requestsFor(receiverA, eventId)).toHaveLength(1);
    expect(requestsFor(receiverB, eventId)).toHaveLength(1);
    expect(await countAttemptsOf(prisma, { eventId })).toBe(2);
  });

  it('lets a key older than 24 h be used again for a new event', async () => {
    const { tenantId, path } = await tenantWithSubscriptions();
    const age = (interval: string) => prisma.$executeRaw`UPDATE idempotency_keys SET created_at = now() - ${interval}::interval WHERE tenant_id = ${tenantId} AND key = 'key-aged'`;

    const first = await publish(path, { type: 'invoice.paid', data: { v: 1 } }, 'key-aged').expect(202);

    // Just inside the window: still the first event, still a conflict for other data.
    expect(await age('23 hours 59 minutes')).toBe(1);
    expect((await publish(path, { type: 'invoice.paid', data: { v: 1 } }, 'key-aged').expect(200)).body.id).toBe(first.body.id);
    await publish(path, { type: 'invoice.paid', data: { v: 2 } }, 'key-aged').expect(409);

    expect(await age('24 hours 1 minute')).toBe(1);
    const second = await publish(path, { type: 'invoice.paid', data: { v: 2 } }, 'key-aged').expect(202);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.body.id).not.toBe(first.body.id);
    expect(second.body).toMatchObject({ data: { v: 2 }, deliveryCount: 2 });

    // The key now belongs to the new event, for a fresh 24 h.
    expect((await publish(path, { type: 'invoice.paid', data: { v: 2 } }, 'key-aged').expect(200)).body.id).toBe(second.body.id);
    await publish(path, { type: 'invoice.paid', data: { v: 1 } }, 'key-aged').expect(409);
    const claim = await prisma.idempotencyKey.findUniqueOrThrow({ where: { tenantId_key: { tenantId, key: 'key-aged' } } });
    expect(claim.eventId).toBe(second.body.id);
    expect(Date.now() - claim.createdAt.getTime()).toBeLessThan(60_000);

    // The same body after expiry is a new event too.
    expect(await age('25 hours')).toBe(1);
    const third = await publish(path, { type: 'invoice.paid', data: { v: 2 } }, 'key-aged').expect(202);
    expect(new Set([first.body.id, second.body.id, third.body.id]).size).toBe(3);
    expect(await rowCounts(tenantId)).toEqual({ events: 3, deliveries: 6, keys: 1 });
  });

  it('replays the first event even when its data no longer passes the type schema (a retry must not report failure)', async () => {
    const { tenantId, path } = await tenantWithSubscriptions();
    const type = `invoice.idem${process.pid}`;
    await stack.api.http
      .post('/v1/event-types')
      .set(stack.api.auth())
      .send({ name: type, schema: { type: 'object' } })
      .expect(201);
    const body = { type, data: { amount: 5 } };
    const first = await publish(path, body, 'key-schema').expect(202);

    // The producer's retry arrives after an operator tightened the schema.
    await stack.api.http
      .patch(`/v1/event-types/${type}`)
      .set(stack.api.auth())
      .send({ schema: { type: 'object', required: ['currency'] } })
      .expect(200);
    await publish(path, body, 'other-key').expect(422);

    const retry = await publish(path, body, 'key-schema').expect(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body.id).toBe(first.body.id);
    // A different request under the same key is still a conflict, whatever its validity.
    await publish(path, { type, data: { amount: 6 } }, 'key-schema').expect(409);
    // One delivery: only the `invoice.*` subscription matches this type.
    expect(await rowCounts(tenantId)).toEqual({ events: 1, deliveries: 1, keys: 1 });
  });

  it('scopes keys to the tenant: the same key in another tenant creates its own event', async () => {
    const one = await tenantWithSubscriptions();
    const two = await tenantWithSubscriptions();

    const inOne = await publish(one.path, { type: 'invoice.paid', data: { t: 1 } }, 'key-shared').expect(202);
    const inTwo = await publish(two.path, { type: 'invoice.paid', data: { t: 2 } }, 'key-shared').expect(202);
    expect(inTwo.body.id).not.toBe(inOne.body.id);
    expect(inTwo.body.data).toEqual({ t: 2 });

    expect((await publish(one.path, { type: 'invoice.paid', data: { t: 1 } }, 'key-shared').expect(200)).body.id).toBe(inOne.body.id);
    expect((await publish(two.path, { type: 'invoice.paid', data: { t: 2 } }, 'key-shared').expect(200)).body.id).toBe(inTwo.body.id);
    await publish(two.path, { type: 'invoice.paid', data: { t: 1 } }, 'key-shared').expect(409);

    expect(await rowCounts(one.tenantId)).toEqual({ events: 1, deliveries: 2, keys: 1 });
    expect(await rowCounts(two.tenantId)).toEqual({ events: 1, deliveries: 2, keys: 1 });
    // Another tenant's event is not reachable through this tenant.
    await stack.api.http.get(`${one.path}/events/${inTwo.body.id}`).set(stack.api.auth()).expect(404);
  });
});
