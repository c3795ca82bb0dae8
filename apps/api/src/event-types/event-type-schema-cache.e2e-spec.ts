import { PrismaService } from '@hookline/database';
import { EventTypeSchemaCache } from '@hookline/event-types';
import { BulkPublishService } from '@hookline/events';
import { FailOpen, RedisService } from '@hookline/queue';
import type { TestApi } from '../../../../test/support';
import { createTenant, startTestApi, waitUntil } from '../../../../test/support';

// Event types are global and test files share one database: every name here carries this file's prefix.
const run = `etcache${Date.now().toString(36)}`;
let counter = 0;
const uniqueName = () => `${run}.n${++counter}`;

const strict = { type: 'object', required: ['amount'], properties: { amount: { type: 'integer' } } };
const loose = { type: 'object' };
const badData = { amount: 'ten' };
const amountError = [{ field: 'data.amount', message: 'must be integer' }];

/**
 * Publishes keep each event type's compiled schema (or its absence) per process: a change through
 * any API process must still apply to the very next publish in this one, and to the next publish
 * in every other once the announcement has reached it.
 */
describe('event type schema cache', () => {
  let a: TestApi;
  let b: TestApi;
  let tenantId: string;
  let prisma: PrismaService;
  let cacheA: EventTypeSchemaCache;
  let cacheB: EventTypeSchemaCache;

  beforeAll(async () => {
    [a, b] = await Promise.all([startTestApi(), startTestApi()]);
    prisma = a.app.get(PrismaService);
    [cacheA, cacheB] = [a.app.get(EventTypeSchemaCache), b.app.get(EventTypeSchemaCache)];
    await waitUntil('both schema caches to subscribe', () => cacheA.live && cacheB.live);
    tenantId = (await createTenant(a)).id;
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  const publish = (api: TestApi, type: string, data: unknown) => api.http.post(`/v1/tenants/${tenantId}/events`).set(api.auth()).send({ type, data });
  const expectRejected = async (api: TestApi, type: string) => {
    const refused = await publish(api, type, badData).expect(422);
    expect(refused.body).toMatchObject({ status: 422, detail: `data does not match the schema of ${type}`, errors: amountError });
  };
  /** Behind the API's back: only a process that reads the row sees it. */
  const setSchemaInDatabaseOnly = (name: string, schema: object) => prisma.eventType.update({ where: { name }, data: { schema } });

  it('applies a schema created, tightened, loosened or deleted through the same process from its very next publish', async () => {
    const name = uniqueName();
    await publish(a, name, badData).expect(202);
    // "No such type" is cached too: creating the type must drop it.
    expect(cacheA.get(name)).toBeNull();

    await a.http.post('/v1/event-types').set(a.auth()).send({ name, schema: strict }).expect(201);
    await expectRejected(a, name);
    await publish(a, name, { amount: 10 }).expect(202);
    expect(cacheA.get(name)).toEqual(expect.any(Function));

    await a.http.patch(`/v1/event-types/${name}`).set(a.auth()).send({ schema: loose }).expect(200);
    await publish(a, name, badData).expect(202);
    await a.http.patch(`/v1/event-types/${name}`).set(a.auth()).send({ schema: strict }).expect(200);
    await expectRejected(a, name);
    await a.http.patch(`/v1/event-types/${name}`).set(a.auth()).send({ schema: null }).expect(200);
    await publish(a, name, badData).expect(202);
    expect(cacheA.get(name)).toBeNull();
    await a.http.patch(`/v1/event-types/${name}`).set(a.auth()).send({ schema: strict }).expect(200);
    await expectRejected(a, name);

    await a.http.delete(`/v1/event-types/${name}`).set(a.auth()).expect(204);
    await publish(a, name, badData).expect(202);
  });

  it('drops a changed type in its own process before answering, even when the announcement cannot go out', async () => {
    const name = uniqueName();
    await a.http.post('/v1/event-types').set(a.auth()).send({ name, schema: loose }).expect(201);
    await publish(a, name, badData).expect(202);
    // A's connection for publishing goes away while its subscription stays live: only the local drop tells A.
    const general = a.app.get(RedisService);
    general.disconnect();
    try {
      await waitUntil("A's publishing connection to close", () => general.status === 'end');
      expect(cacheA.live).toBe(true);
      await a.http.patch(`/v1/event-types/${name}`).set(a.auth()).send({ schema: strict }).expect(200);
      expect(a.app.get(FailOpen).total('event_type_cache_invalidation')).toBeGreaterThanOrEqual(1);
      await expectRejected(a, name);
    } finally {
      await general.connect();
    }
  });

  it('serves a schema from the cache, and applies a change made through another process once its announcement arrives', async () => {
    const name = uniqueName();
    await a.http.post('/v1/event-types').set(a.auth()).send({ name, schema: loose }).expect(201);
    await publish(b, name, badData).expect(202);
    await setSchemaInDatabaseOnly(name, strict);
    // Still the loose schema in B: proof that B did not read the row again.
    await publish(b, name, badData).expect(202);

    await a.http.patch(`/v1/event-types/${name}`).set(a.auth()).send({ schema: strict }).expect(200);
    await waitUntil('B to drop its copy of the schema', () => cacheB.get(name) === undefined);
    await expectRejected(b, name);

    await a.http.patch(`/v1/event-types/${name}`).set(a.auth()).send({ schema: loose }).expect(200);
    await waitUntil('B to drop the strict schema', () => cacheB.get(name) === undefined);
    await publish(b, name, badData).expect(202);
  });

  it('a type another process creates or deletes applies in this one once announced, though its absence was cached', async () => {
    const name = uniqueName();
    await publish(b, name, badData).expect(202);
    expect(cacheB.get(name)).toBeNull();

    await a.http.post('/v1/event-types').set(a.auth()).send({ name, schema: strict }).expect(201);
    await waitUntil('B to drop the cached absence', () => cacheB.get(name) === undefined);
    await expectRejected(b, name);
    expect(cacheB.get(name)).toEqual(expect.any(Function));

    await a.http.delete(`/v1/event-types/${name}`).set(a.auth()).expect(204);
    await waitUntil('B to drop the deleted schema', () => cacheB.get(name) === undefined);
    await publish(b, name, badData).expect(202);
  });

  it('in one batch, serves the types it holds and reads only the one an announcement dropped', async () => {
    const [kept, changed] = [uniqueName(), uniqueName()];
    for (const name of [kept, changed]) await a.http.post('/v1/event-types').set(a.auth()).send({ name, schema: loose }).expect(201);
    for (const name of [kept, changed]) await publish(b, name, badData).expect(202);
    await setSchemaInDatabaseOnly(kept, strict);
    await a.http.patch(`/v1/event-types/${changed}`).set(a.auth()).send({ schema: strict }).expect(200);
    await waitUntil('B to drop the changed type', () => cacheB.get(changed) === undefined);

    const { outcomes } = await b.app.get(BulkPublishService).publishMany(tenantId, [
      { type: kept, data: badData },
      { type: changed, data: badData },
    ]);
    // The type not announced is still the loose schema B held; the one announced was read again.
    expect(outcomes).toEqual([
      expect.objectContaining({ status: 'published' }),
      expect.objectContaining({ status: 'rejected', problem: expect.objectContaining({ fields: amountError }) }),
    ]);
  });
});
