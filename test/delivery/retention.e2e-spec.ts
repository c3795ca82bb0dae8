import { PrismaService } from '@hookline/database';
import type { IsolatedDatabase, TestStack } from '../support';
import { createIsolatedDatabase, RecordingReceiver, startTestStack, waitUntil } from '../support';
import { RetentionPurger } from '../../apps/worker/src/maintenance/retention-purger';

/** docs/contract.md#delivery-semantics retention: events older than RETENTION_DAYS go with their deliveries and attempts; newer ones stay. */

describe('retention purger', () => {
  let db: IsolatedDatabase;
  let stack: TestStack;
  let prisma: PrismaService;
  let receiver: RecordingReceiver;

  beforeAll(async () => {
    // A database of its own: the purge deletes by age across all tenants, so it must not reach
    // rows other files aged for their own tests.
    db = await createIsolatedDatabase();
    stack = await startTestStack({ DATABASE_URL: db.url, RETENTION_DAYS: '7' });
    prisma = stack.api.app.get(PrismaService);
    receiver = await RecordingReceiver.start();
  });
  afterAll(async () => {
    await receiver?.close();
    await stack?.close();
    await db?.drop();
  });

  it('purges events older than RETENTION_DAYS with their deliveries and attempts, keeps newer ones', async () => {
    const path = `/v1/tenants/${stack.tenantId}`;
    for (const eventTypes of [['retention.*'], ['*']]) {
      await stack.api.http.post(`${path}/subscriptions`).set(stack.api.auth()).send({ url: receiver.url, eventTypes }).expect(201);
    }
    const publish = async (name: string, idempotencyKey?: string) =>
      (
        await stack.api.http
          .post(`${path}/events`)
          .set(stack.api.auth())
          .send({ type: `retention.${name}`, data: { name }, idempotencyKey })
          .expect(202)
      ).body.id as string;
    const ids = { old: await publish('old', 'key-old'), older: await publish('older'), edge: await publish('edge', 'key-edge'), fresh: await publish('fresh') };
    const all = Object.values(ids);

    await waitUntil('the 8 deliveries succeeded', async () => (await prisma.delivery.count({ where: { eventId: { in: all }, status: 'succeeded' } })) >= 8);
    expect(await prisma.attempt.count({ where: { delivery: { eventId: { in: all } } } })).toBe(8);

    // Age with SQL: two past the 7 days, one just inside them; key-old expired, key-edge not.
    const age = (id: string, interval: string) => prisma.$executeRaw`UPDATE events SET created_at = now() - ${interval}::interval WHERE id = ${id}`;
    expect(await age(ids.old, '7 days 1 minute')).toBe(1);
    expect(await age(ids.older, '400 days')).toBe(1);
    expect(await age(ids.edge, '6 days 23 hours')).toBe(1);
    await prisma.$executeRaw`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE tenant_id = ${stack.tenantId} AND key = 'key-old'`;
    await prisma.$executeRaw`UPDATE idempotency_keys SET created_at = now() - interval '23 hours' WHERE tenant_id = ${stack.tenantId} AND key = 'key-edge'`;

    await stack.worker.get(RetentionPurger).tick();

    const remaining = async (eventIds: string[]) => ({
      events: await prisma.event.count({ where: { id: { in: eventIds } } }),
      deliveries: await prisma.delivery.count({ where: { eventId: { in: eventIds } } }),
      attempts: await prisma.attempt.count({ where: { delivery: { eventId: { in: eventIds } } } }),
    });
    expect(await remaining([ids.old, ids.older])).toEqual({ events: 0, deliveries: 0, attempts: 0 });
    expect(await remaining([ids.edge, ids.fresh])).toEqual({ events: 2, deliveries: 4, attempts: 4 });
    const keys = await prisma.idempotencyKey.findMany({ where: { tenantId: stack.tenantId }, select: { key: true } });
    expect(keys.map((k) => k.key)).toEqual(['key-edge']);

    await stack.api.http.get(`${path}/events/${ids.old}`).set(stack.api.auth()).expect(404);
    const kept = await stack.api.http.get(`${path}/events/${ids.edge}`).set(stack.api.auth()).expect(200);
    expect(kept.body.deliveries).toHaveLength(2);
  });
});
