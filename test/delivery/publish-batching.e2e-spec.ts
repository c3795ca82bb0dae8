import { PrismaService } from '@hookline/database';
import type { TestStack } from '../support';
import { createTenant, createTenantKey, RecordingReceiver, startIsolatedStack } from '../support';
import { waitUntil } from '../support/wait';

/**
 * Concurrent publishes are written together (group commit: one statement per tenant for every
 * request that arrived while the previous write ran), and each caller still gets exactly the answer
 * it would get alone: 202, 200 replayed, 409, 422, 401, 404, with nothing written for a refusal and
 * every accepted event delivered once.
 */

describe('publishes batched by group commit', () => {
  let stack: TestStack;
  let prisma: PrismaService;
  let receiver: RecordingReceiver;

  beforeAll(async () => {
    // A database of its own: no other file's sweeper can send these deliveries a second time.
    stack = await startIsolatedStack();
    prisma = stack.api.app.get(PrismaService);
    receiver = await RecordingReceiver.start();
  });
  afterAll(async () => {
    await receiver?.close();
    await stack?.close();
  });

  it('answers each of 66 concurrent publishes over two tenants as if it had been alone', async () => {
    const ns = `batch${process.pid}`;
    await stack.api.http
      .post('/v1/event-types')
      .set(stack.api.auth())
      .send({ name: `${ns}.strict`, schema: { type: 'object', required: ['amount'], properties: { amount: { type: 'integer' } } } })
      .expect(201);
    const tenants = [await createTenant(stack.api), await createTenant(stack.api)];
    const keyB = await createTenantKey(stack.api, tenants[1].id);
    const revoked = await createTenantKey(stack.api, tenants[1].id);
    await stack.api.http.delete(`/v1/tenants/${tenants[1].id}/api-keys/${revoked.id}`).set(stack.api.auth()).expect(204);
    for (const tenant of tenants) {
      await stack.api.http
        .post(`/v1/tenants/${tenant.id}/subscriptions`)
        .set(stack.api.auth())
        .send({ url: receiver.url, eventTypes: [`${ns}.*`] })
        .expect(201);
    }

    type Call = { label: string; tenant: number; auth?: string; key?: string; body: Record<string, unknown> };
    const calls: Call[] = [
      ...Array.from({ length: 40 }, (_, i): Call => ({ label: 'plain', tenant: i % 2, auth: i % 2 ? keyB.key : undefined, body: { type: `${ns}.plain`, data: { i } } })),
      ...Array.from({ length: 6 }, (): Call => ({ label: 'same key', tenant: 0, key: 'k-same', body: { type: `${ns}.plain`, data: { same: true } } })),
      { label: 'same key, other tenant', tenant: 1, auth: keyB.key, key: 'k-same', body: { type: `${ns}.plain`, data: { same: true } } },
      { label: 'key clash', tenant: 0, key: 'k-clash', body: { type: `${ns}.plain`, data: { v: 1 } } },
      { label: 'key clash', tenant: 0, key: 'k-clash', body: { type: `${ns}.plain`, data: { v: 2 } } },
      ...Array.from({ length: 5 }, (_, i): Call => ({ label: 'valid strict', tenant: 1, body: { type: `${ns}.strict`, data: { amount: i } } })),
      ...Array.from({ length: 5 }, (): Call => ({ label: 'invalid strict', tenant: 0, body: { type: `${ns}.strict`, data: { amount: 'ten' } } })),
      ...Array.from({ length: 3 }, (): Call => ({ label: 'revoked key', tenant: 1, auth: revoked.key, body: { type: `${ns}.plain`, data: {} } })),
      ...Array.from({ length: 3 }, (): Call => ({ label: 'other tenant', tenant: 0, auth: keyB.key, body: { type: `${ns}.plain`, data: {} } })),
    ];
    const responses = await Promise.all(
      calls.map((call) => {
        const request = stack.api.http.post(`/v1/tenants/${tenants[call.tenant].id}/events`).set(stack.api.auth(call.auth));
        if (call.key) request.set('Idempotency-Key', call.key);
        return request.send(call.body);
      }),
    );
    const answers = (label: string) => responses.filter((_, i) => calls[i].label === label);

    for (const response of [...answers('plain'), ...answers('valid strict'), ...answers('same key, other tenant')]) {
      expect(response.status).toBe(202);
      expect(response.body).toMatchObject({ id: expect.stringMatching(/^evt_/), deliveryCount: 1 });
    }
    answers('plain').forEach((response, i) => expect(response.body.data).toEqual({ i }));

    const same = answers('same key');
    expect(same.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 202]);
    for (const response of same) expect(response.body).toEqual(same.find((r) => r.status === 202)!.body);
    expect(answers('same key, other tenant')[0].body.id).not.toBe(same[0].body.id);

    const clash = answers('key clash');
    expect(clash.map((r) => r.status).sort()).toEqual([202, 409]);
    expect(clash.find((r) => r.status === 409)!.body.errors).toEqual([expect.objectContaining({ field: 'idempotencyKey' })]);

    for (const response of answers('invalid strict')) {
      expect(response.status).toBe(422);
      expect(response.body.errors).toEqual([{ field: 'data.amount', message: 'must be integer' }]);
    }
    for (const response of answers('revoked key')) expect(response.status).toBe(401);
    for (const response of answers('other tenant')) expect(response.status).toBe(404);

    // Exactly what was accepted was written: 20 + 1 + 1 plain and keyed, 20 + 1 + 5 in tenant B.
    const accepted = responses.filter((r) => r.status === 202).map((r) => r.body.id as string);
    expect(accepted).toHaveLength(40 + 1 + 1 + 1 + 5);
    expect(await prisma.event.count({ where: { tenantId: tenants[0].id } })).toBe(20 + 1 + 1);
    expect(await prisma.event.count({ where: { tenantId: tenants[1].id } })).toBe(20 + 1 + 5);
    expect(await prisma.delivery.count({ where: { tenantId: { in: tenants.map((t) => t.id) } } })).toBe(accepted.length);

    // Written together: events of one statement share their created_at.
    const createdAts = new Set(responses.filter((r) => r.status === 202).map((r) => r.body.createdAt as string));
    expect(createdAts.size).toBeLessThan(accepted.length);

    await waitUntil(
      'every accepted event delivered',
      async () => (await prisma.delivery.count({ where: { eventId: { in: accepted }, status: 'succeeded' } })) === accepted.length,
      15_000,
    );
    // All succeeded: none can be claimed for another POST, so what the receiver has is all it gets.
    const sent = receiver.requests.map((r) => r.headers['webhook-id']).filter((id) => accepted.includes(id as string));
    expect(sent.sort()).toEqual([...accepted].sort());
  });
});
