import { PrismaService } from '@hookline/database';
import { matchesEventType } from '@hookline/subscriptions';
import type { TestStack } from '../support';
import { createTenant, RecordingReceiver, startIsolatedStack, waitFor } from '../support';

/** docs/contract.md#the-rest-api and docs/contract.md#delivery-semantics: which subscriptions an event fans out to, and what a publish refuses before writing anything. */

const MAX_PAYLOAD_BYTES = 4096;

describe('fan-out and publish validation', () => {
  let stack: TestStack;
  let prisma: PrismaService;
  let receiver: RecordingReceiver;

  beforeAll(async () => {
    // A database of its own: no other file's sweeper can send these deliveries a second time.
    stack = await startIsolatedStack({ MAX_PAYLOAD_BYTES: String(MAX_PAYLOAD_BYTES) });
    prisma = stack.api.app.get(PrismaService);
    receiver = await RecordingReceiver.start();
  });
  afterAll(async () => {
    await receiver?.close();
    await stack?.close();
  });

  const tenantPath = (tenantId: string) => `/v1/tenants/${tenantId}`;

  async function subscribe(tenantId: string, name: string, eventTypes?: string[]): Promise<string> {
    const body = { url: `${receiver.url}?sub=${name}`, ...(eventTypes ? { eventTypes } : {}) };
    const response = await stack.api.http
      .post(`${tenantPath(tenantId)}/subscriptions`)
      .set(stack.api.auth())
      .send(body)
      .expect(201);
    return response.body.id;
  }

  /** Names of the subscriptions (`?sub=`) that received this event. */
  const receivedBy = (eventId: string) =>
    receiver.requests
      .filter((r) => r.headers['webhook-id'] === eventId)
      .map((r) => new URL(r.path, 'http://x').searchParams.get('sub'))
      .sort();

  async function publishAndCollect(tenantId: string, type: string, expected: string[], subscriptionIds: Record<string, string>) {
    const published = await stack.api.http
      .post(`${tenantPath(tenantId)}/events`)
      .set(stack.api.auth())
      .send({ type, data: { type } })
      .expect(202);
    const eventId = published.body.id as string;
    expect(published.body.deliveryCount).toBe(expected.length);

    const rows = await prisma.delivery.findMany({ where: { eventId }, select: { subscriptionId: true } });
    expect(rows.map((r) => r.subscriptionId).sort()).toEqual(expected.map((name) => subscriptionIds[name]).sort());

    await waitFor(
      () => receivedBy(eventId).length,
      (n) => n >= expected.length,
      { what: `${expected.length} requests for ${eventId}` },
    );
    // Nothing extra can come: every delivery of the event has recorded its one attempt, and a
    // succeeded delivery is never claimed for another POST.
    await waitFor(
      () => prisma.delivery.findMany({ where: { eventId }, select: { status: true, attemptCount: true } }),
      (all) => all.length === expected.length && all.every((d) => d.status === 'succeeded' && d.attemptCount === 1),
      { what: `every delivery of ${eventId} recorded` },
    );
    expect(receivedBy(eventId)).toEqual([...expected].sort());
  }

  it('creates deliveries exactly for the active subscriptions whose filter matches', async () => {
    const { id: tenantId } = await createTenant(stack.api);
    const ids: Record<string, string> = {};
    ids.exact = await subscribe(tenantId, 'exact', ['invoice.paid']);
    ids.wildcard = await subscribe(tenantId, 'wildcard', ['invoice.*']);
    ids.star = await subscribe(tenantId, 'star', ['*']);
    ids.empty = await subscribe(tenantId, 'empty', []);
    ids.absent = await subscribe(tenantId, 'absent');
    ids.several = await subscribe(tenantId, 'several', ['customer.created', 'invoice.paid']);
    ids.other = await subscribe(tenantId, 'other', ['customer.*']);
    ids.deeper = await subscribe(tenantId, 'deeper', ['invoice.paid.*']);
    ids.disabled = await subscribe(tenantId, 'disabled', ['invoice.paid']);
    ids.deleted = await subscribe(tenantId, 'deleted', ['invoice.*']);
    await stack.api.http
      .post(`${tenantPath(tenantId)}/subscriptions/${ids.disabled}/disable`)
      .set(stack.api.auth())
      .expect(200);
    await stack.api.http
      .delete(`${tenantPath(tenantId)}/subscriptions/${ids.deleted}`)
      .set(stack.api.auth())
      .expect(204);

    const all = ['star', 'empty', 'absent'];
    await publishAndCollect(tenantId, 'invoice.paid', [...all, 'exact', 'wildcard', 'several'], ids);
    await publishAndCollect(tenantId, 'invoice.paid.late', [...all, 'wildcard', 'deeper'], ids);
    await publishAndCollect(tenantId, 'invoicex.paid', all, ids);
    await publishAndCollect(tenantId, 'invoice', all, ids);
    await publishAndCollect(tenantId, 'customer.created', [...all, 'several', 'other'], ids);

    // Re-enabled, the subscription gets new events again (and nothing from while it was off).
    await stack.api.http
      .post(`${tenantPath(tenantId)}/subscriptions/${ids.disabled}/enable`)
      .set(stack.api.auth())
      .expect(200);
    await publishAndCollect(tenantId, 'invoice.paid', [...all, 'exact', 'wildcard', 'several', 'disabled'], ids);
    expect(await prisma.delivery.count({ where: { subscriptionId: { in: [ids.deleted] } } })).toBe(0);
    expect(await prisma.delivery.count({ where: { subscriptionId: ids.disabled } })).toBe(1);
  });

  // [filters, type, expected]: matchesEventType (Node) and hookline_type_matches (SQL, used at publish) must agree.
  const cases: [string[], string, boolean][] = [
    [[], 'invoice.paid', true],
    [['*'], 'invoice.paid', true],
    [['*'], 'a', true],
    [['invoice.paid'], 'invoice.paid', true],
    [['invoice.paid'], 'invoice.paid.late', false],
    [['invoice.paid'], 'invoice', false],
    [['invoice'], 'invoice.paid', false],
    [['invoice.*'], 'invoice.paid', true],
    [['invoice.*'], 'invoice.paid.late', true],
    [['invoice.*'], 'invoice', false],
    [['invoice.*'], 'invoicex.paid', false],
    [['invoice.*'], 'xinvoice.paid', false],
    [['invoice.paid.*'], 'invoice.paid', false],
    [['invoice.paid.*'], 'invoice.paid.late', true],
    [['i.*'], 'invoice.paid', false],
    [['Invoice.*'], 'invoice.paid', false],
    [['invoice.PAID'], 'invoice.paid', false],
    [['a_b.*'], 'axb.c', false],
    [['a_b.*'], 'a_b.c', true],
    [['a-b.c_d'], 'a-b.c_d', true],
    [['customer.*', 'invoice.paid'], 'invoice.paid', true],
    [['customer.*', 'invoice.created'], 'invoice.paid', false],
    [['customer.*', '*'], 'invoice.paid', true],
  ];

  it.each(cases)('filters %j and type %p: Node and SQL both say %p', async (filters, type, expected) => {
    const [{ matches }] = await prisma.$queryRaw<{ matches: boolean }[]>`SELECT hookline_type_matches(${filters}::text[], ${type}) AS matches`;
    expect({ node: matchesEventType(filters, type), sql: matches }).toEqual({ node: expected, sql: expected });
  });

  it('sends a test event to its one subscription, whatever its filter, even in a batch with ordinary publishes', async () => {
    const { id: tenantId } = await createTenant(stack.api);
    const narrow = await subscribe(tenantId, 'narrow', ['customer.*']);
    const wide = await subscribe(tenantId, 'wide', ['*']);
    const auth = stack.api.auth();
    // Sent together, so they share group commits: the test send's target must not leak into the others' rows.
    const [test, ...ordinary] = await Promise.all([
      stack.api.http
        .post(`${tenantPath(tenantId)}/subscriptions/${narrow}/test`)
        .set(auth)
        .send({ type: 'invoice.paid' })
        .expect(202),
      ...Array.from({ length: 6 }, (_, i) =>
        stack.api.http
          .post(`${tenantPath(tenantId)}/events`)
          .set(auth)
          .send({ type: 'invoice.paid', data: { i } })
          .expect(202),
      ),
    ]);
    expect(test.body.deliveryCount).toBe(1);
    const targets = async (eventId: string) => (await prisma.delivery.findMany({ where: { eventId }, select: { subscriptionId: true } })).map((d) => d.subscriptionId);
    expect(await targets(test.body.id)).toEqual([narrow]);
    for (const published of ordinary) expect(await targets(published.body.id)).toEqual([wide]);
    await waitFor(
      () => receivedBy(test.body.id),
      (names) => names.length === 1,
      { what: `the test event at narrow` },
    );
    expect(receivedBy(test.body.id)).toEqual(['narrow']);
  });

  it('treats a NULL filter list in SQL like an empty one (all types)', async () => {
    const [{ matches }] = await prisma.$queryRaw<{ matches: boolean }[]>`SELECT hookline_type_matches(NULL::text[], 'invoice.paid') AS matches`;
    expect(matches).toBe(true);
  });

  describe('refused publishes write nothing', () => {
    let tenantId: string;
    let path: string;
    const typeName = `fanout${process.pid}.order.placed`;

    beforeAll(async () => {
      tenantId = (await createTenant(stack.api)).id;
      path = `${tenantPath(tenantId)}/events`;
      await subscribe(tenantId, 'refusals');
      await stack.api.http
        .post('/v1/event-types')
        .set(stack.api.auth())
        .send({
          name: typeName,
          schema: {
            type: 'object',
            properties: {
              amount: { type: 'integer', minimum: 0 },
              currency: { type: 'string', minLength: 3, maxLength: 3 },
              customer: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
            },
            required: ['amount', 'currency'],
          },
        })
        .expect(201);
    });

    async function expectRefused(body: unknown, status: number, fields: string[], contentType = 'application/json') {
      const before = await counts();
      const response = await stack.api.http
        .post(path)
        .set(stack.api.auth())
        .set('content-type', contentType)
        .send(body as object);
      expect({ status: response.status, fields: (response.body.errors ?? []).map((e: { field: string }) => e.field).sort() }).toEqual({ status, fields: [...fields].sort() });
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.status).toBe(status);
      expect(await counts()).toEqual(before);
      return response;
    }

    const counts = async () => ({
      events: await prisma.event.count({ where: { tenantId } }),
      deliveries: await prisma.delivery.count({ where: { tenantId } }),
      keys: await prisma.idempotencyKey.count({ where: { tenantId } }),
    });

    it('validates data against the event type schema: 422 naming data.<field>', async () => {
      await expectRefused({ type: typeName, data: { amount: 'ten', currency: 'EUR' }, idempotencyKey: 'schema-1' }, 422, ['data.amount']);
      await expectRefused({ type: typeName, data: { amount: -1, currency: 'EUR' } }, 422, ['data.amount']);
      await expectRefused({ type: typeName, data: { amount: 5 } }, 422, ['data.currency']);
      await expectRefused({ type: typeName, data: { amount: 5, currency: 'EUR', customer: { id: 7 } } }, 422, ['data.customer.id']);
      await expectRefused({ type: typeName, data: [] }, 422, ['data']);

      // The refused idempotency key was not claimed: it still creates an event for valid data.
      const ok = await stack.api.http
        .post(path)
        .set(stack.api.auth())
        .send({ type: typeName, data: { amount: 5, currency: 'EUR', customer: { id: 'c1' } }, idempotencyKey: 'schema-1' })
        .expect(202);
      expect(ok.body.deliveryCount).toBe(1);
    });

    it('refuses a body over MAX_PAYLOAD_BYTES with 413 and accepts one just under', async () => {
      const envelope = JSON.stringify({ type: 'invoice.paid', data: { blob: '' } }).length;
      await expectRefused({ type: 'invoice.paid', data: { blob: 'x'.repeat(MAX_PAYLOAD_BYTES - envelope + 1) } }, 413, ['body']);
      const fits = { type: 'invoice.paid', data: { blob: 'x'.repeat(MAX_PAYLOAD_BYTES - envelope) } };
      expect(Buffer.byteLength(JSON.stringify(fits))).toBe(MAX_PAYLOAD_BYTES);
      await stack.api.http.post(path).set(stack.api.auth()).send(fits).expect(202);
    });

    it('refuses a missing data, a bad type name, unknown fields and malformed JSON', async () => {
      await expectRefused({ type: 'invoice.paid' }, 422, ['data']);
      await expectRefused({ type: 'invoice..paid', data: {} }, 422, ['type']);
      await expectRefused({ type: 'invoice paid', data: {} }, 422, ['type']);
      await expectRefused({ type: 'invoice.*', data: {} }, 422, ['type']);
      await expectRefused({ type: '', data: {} }, 422, ['type']);
      await expectRefused({ data: {} }, 422, ['type']);
      await expectRefused({ type: 'invoice.paid', data: {}, extra: 1 }, 422, ['extra']);
      await expectRefused({ type: 'invoice.paid', data: {}, idempotencyKey: 42 }, 422, ['idempotencyKey']);
      await expectRefused('{"type":"invoice.paid","data":', 400, ['body']);
    });
  });
});
