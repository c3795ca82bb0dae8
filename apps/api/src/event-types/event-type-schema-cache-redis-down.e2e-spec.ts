import { PrismaService } from '@hookline/database';
import { EventTypeSchemaCache } from '@hookline/event-types';
import { FailOpen } from '@hookline/queue';
import type { TestApi } from '../../../../test/support';
import { createTenant, DisposableRedis, startTestApi, waitUntil } from '../../../../test/support';

const strict = { type: 'object', required: ['amount'], properties: { amount: { type: 'integer' } } };
const loose = { type: 'object' };
const badData = { amount: 'ten' };

/** Without its Redis subscription a process cannot hear of schema changes: it must not use its schema cache at all. */
describe('event type schema cache while Redis is away', () => {
  let redis: DisposableRedis;
  let a: TestApi;
  let b: TestApi;
  let prisma: PrismaService;
  let cacheB: EventTypeSchemaCache;

  beforeAll(async () => {
    redis = await DisposableRedis.start();
    [a, b] = await Promise.all([startTestApi({ REDIS_URL: redis.url }), startTestApi({ REDIS_URL: redis.url })]);
    prisma = a.app.get(PrismaService);
    cacheB = b.app.get(EventTypeSchemaCache);
    await waitUntil('both schema caches to subscribe', () => a.app.get(EventTypeSchemaCache).live && cacheB.live);
  });
  afterAll(() => redis?.closeWith(a, b), 60_000);

  it('validates every publish against Postgres while unsubscribed, and caches again, from empty, once subscribed', async () => {
    const tenantId = (await createTenant(a)).id;
    const name = `etdown${Date.now().toString(36)}.paid`;
    const publish = (data: unknown) => b.http.post(`/v1/tenants/${tenantId}/events`).set(b.auth()).send({ type: name, data });
    const setSchemaInDatabaseOnly = (schema: object) => prisma.eventType.update({ where: { name }, data: { schema } });

    await a.http.post('/v1/event-types').set(a.auth()).send({ name, schema: loose }).expect(201);
    await publish(badData).expect(202);
    expect(cacheB.get(name)).toEqual(expect.any(Function));

    await redis.down();
    await waitUntil('B to notice its subscription is gone', () => !cacheB.live, 15_000);
    expect(cacheB.size).toBe(0);

    // Tightened through A, whose announcement cannot go out: B applies it anyway, since it reads the row.
    await a.http.patch(`/v1/event-types/${name}`).set(a.auth()).send({ schema: strict }).expect(200);
    expect(a.app.get(FailOpen).total('event_type_cache_invalidation')).toBeGreaterThanOrEqual(1);
    const refused = await publish(badData).expect(422);
    expect(refused.body.errors).toEqual([{ field: 'data.amount', message: 'must be integer' }]);
    // Even changes no one announces apply at once: nothing is served from the cache, nor kept in it.
    await setSchemaInDatabaseOnly(loose);
    await publish(badData).expect(202);
    await setSchemaInDatabaseOnly(strict);
    await publish(badData).expect(422);
    expect(cacheB.size).toBe(0);

    await redis.up();
    await waitUntil('B to subscribe again', () => cacheB.live, 15_000);
    // Subscribed again, B starts from an empty cache and fills it.
    expect(cacheB.size).toBe(0);
    await publish(badData).expect(422);
    expect(cacheB.size).toBe(1);
    await setSchemaInDatabaseOnly(loose);
    await publish(badData).expect(422);
  }, 60_000);
});
