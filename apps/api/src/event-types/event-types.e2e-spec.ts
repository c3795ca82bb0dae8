import { PrismaService } from '@hookline/database';
import { EventTypesService } from '@hookline/event-types';
import type { TestApi } from '../../../../test/support';
import { createTenant, createTenantKey, startTestApi } from '../../../../test/support';

type TypePage = { data: { name: string }[]; nextCursor: string | null };

// Test files share one database: every name here carries this file's own prefix.
const run = `et${Date.now().toString(36)}`;
let counter = 0;
const uniqueName = (suffix = 'created') => `${run}.n${++counter}.${suffix}`;

const invoiceSchema = {
  type: 'object',
  required: ['amount', 'currency'],
  properties: { amount: { type: 'integer', minimum: 0 }, currency: { type: 'string', pattern: '^[A-Z]{3}$' } },
};

describe('event types', () => {
  let api: TestApi;
  let prisma: PrismaService;
  beforeAll(async () => {
    api = await startTestApi();
    prisma = api.app.get(PrismaService);
  });
  afterAll(() => api.close());

  const create = (body: object) => api.http.post('/v1/event-types').set(api.auth()).send(body);

  it('creates, reads (admin and tenant keys), updates and deletes an event type', async () => {
    const name = uniqueName('invoice.paid');
    const created = await create({ name, description: 'An invoice was paid', schema: invoiceSchema }).expect(201);
    expect(Object.keys(created.body).sort()).toEqual(['createdAt', 'description', 'name', 'schema', 'updatedAt']);
    expect(created.body).toMatchObject({ name, description: 'An invoice was paid', schema: invoiceSchema });

    const path = `/v1/event-types/${name}`;
    await api.http.get(path).set(api.auth()).expect(200, created.body);
    const tenantKey = await createTenantKey(api, (await createTenant(api)).id);
    await api.http.get(path).set(api.auth(tenantKey.key)).expect(200, created.body);

    const described = await api.http.patch(path).set(api.auth()).send({ description: 'Paid in full' }).expect(200);
    expect(described.body).toMatchObject({ name, description: 'Paid in full', schema: invoiceSchema, createdAt: created.body.createdAt });
    const cleared = await api.http.patch(path).set(api.auth()).send({ description: null, schema: null }).expect(200);
    expect(cleared.body).toMatchObject({ name, description: null, schema: null });

    await api.http.delete(path).set(api.auth()).expect(204, '');
    const gone = await api.http.get(path).set(api.auth()).expect(404);
    expect(gone.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(gone.body).toMatchObject({ status: 404, detail: 'Event type not found' });
    await api.http.delete(path).set(api.auth()).expect(404);
    await api.http.patch(path).set(api.auth()).send({ description: 'x' }).expect(404);
  });

  it('creates a type with only a name, and accepts the longest allowed name', async () => {
    const bare = await create({ name: uniqueName() }).expect(201);
    expect(bare.body).toMatchObject({ description: null, schema: null });
    const longest = `${run}.${'a'.repeat(128 - run.length - 1)}`;
    await create({ name: longest }).expect(201);
    await api.http.get(`/v1/event-types/${longest}`).set(api.auth()).expect(200);
  });

  it('refuses a duplicate name with 409 and keeps the original', async () => {
    const name = uniqueName();
    await create({ name, description: 'first' }).expect(201);
    const duplicate = await create({ name, description: 'second' }).expect(409);
    expect(duplicate.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(duplicate.body).toMatchObject({ status: 409, errors: [{ field: 'name', message: 'already exists' }] });
    expect((await api.http.get(`/v1/event-types/${name}`).set(api.auth()).expect(200)).body.description).toBe('first');
  });

  it('refuses bad input on create with problem+json naming each field, and writes nothing', async () => {
    const name = uniqueName();
    const cases: [object, { field: string; message: string }[]][] = [
      [{}, [{ field: 'name', message: expect.any(String) }]],
      [{ name: 42 }, [{ field: 'name', message: expect.any(String) }]],
      [{ name: `${name}..paid` }, [{ field: 'name', message: expect.stringContaining('dot-separated') }]],
      [{ name: `${name}.*` }, [{ field: 'name', message: expect.stringContaining('dot-separated') }]],
      [{ name: `.${name}` }, [{ field: 'name', message: expect.stringContaining('dot-separated') }]],
      [{ name: `${name} paid` }, [{ field: 'name', message: expect.stringContaining('dot-separated') }]],
      [{ name: `${name}.${'a'.repeat(128)}` }, [{ field: 'name', message: 'must be at most 128 characters' }]],
      [{ name, description: 'd'.repeat(1001) }, [{ field: 'description', message: 'must be at most 1000 characters' }]],
      [{ name, schema: 'object' }, [{ field: 'schema', message: 'must be a JSON Schema object' }]],
      [{ name, schema: [] }, [{ field: 'schema', message: 'must be a JSON Schema object' }]],
      [{ name, schema: { type: 'nope' } }, [{ field: 'schema', message: expect.stringMatching(/^not a valid JSON Schema: .*schema\/type/) }]],
      [{ name, schema: { properties: { a: { $ref: '#/definitions/missing' } } } }, [{ field: 'schema', message: expect.stringContaining("can't resolve reference") }]],
      [{ name, version: 2 }, [{ field: 'version', message: 'unknown field' }]],
    ];
    for (const [body, errors] of cases) {
      const response = await create(body).expect(422);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 422, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
      expect(response.body.errors).toEqual(errors);
    }
    expect(await prisma.eventType.count({ where: { name: { startsWith: name } } })).toBe(0);
  });

  it('refuses bad input on update and leaves the type as it was', async () => {
    const name = uniqueName();
    const created = await create({ name, description: 'kept', schema: invoiceSchema }).expect(201);
    const path = `/v1/event-types/${name}`;
    const cases: [object, { field: string; message: string }[]][] = [
      [{ name: 'renamed' }, [{ field: 'name', message: 'unknown field' }]],
      [{ schema: { type: 'object', required: 'amount' } }, [{ field: 'schema', message: expect.stringContaining('schema/required must be array') }]],
      [{ description: 7 }, [{ field: 'description', message: expect.any(String) }]],
    ];
    for (const [body, errors] of cases) {
      const response = await api.http.patch(path).set(api.auth()).send(body).expect(422);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.errors).toEqual(errors);
    }
    await api.http.get(path).set(api.auth()).expect(200, created.body);
  });

  it('walks every event type exactly once, in name order', async () => {
    const made = Array.from({ length: 7 }, (_, i) => `${run}.page.${String.fromCharCode(103 - i)}`);
    for (const name of made) await create({ name }).expect(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: TypePage } = await api.http
        .get('/v1/event-types')
        .query({ limit: 3, ...(cursor ? { cursor } : {}) })
        .set(api.auth())
        .expect(200);
      expect(page.body.data.length).toBeLessThanOrEqual(3);
      if (page.body.nextCursor) expect(page.body.nextCursor).toBe(page.body.data[page.body.data.length - 1].name);
      seen.push(...page.body.data.map((t) => t.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((name) => name.startsWith(`${run}.page.`))).toEqual([...made].sort());
    expect([...seen].sort()).toEqual(seen);
  });

  describe('validateData', () => {
    let eventTypes: EventTypesService;
    beforeAll(() => (eventTypes = api.app.get(EventTypesService)));

    it('accepts anything for an unknown type or a type without a schema', async () => {
      expect(await eventTypes.validateData(uniqueName('unknown'), { anything: true })).toEqual([]);
      const name = uniqueName();
      await create({ name }).expect(201);
      expect(await eventTypes.validateData(name, 'any data')).toEqual([]);
    });

    it('names each field of data that breaks the schema, and follows schema edits', async () => {
      const name = uniqueName();
      await create({ name, schema: invoiceSchema }).expect(201);
      expect(await eventTypes.validateData(name, { amount: 100, currency: 'EUR' })).toEqual([]);
      expect(await eventTypes.validateData(name, { amount: -1, currency: 'euro' })).toEqual([
        { field: 'data.amount', message: 'must be >= 0' },
        { field: 'data.currency', message: 'must match pattern "^[A-Z]{3}$"' },
      ]);
      expect(await eventTypes.validateData(name, {})).toEqual([
        { field: 'data.amount', message: "must have required property 'amount'" },
        { field: 'data.currency', message: "must have required property 'currency'" },
      ]);

      await api.http
        .patch(`/v1/event-types/${name}`)
        .set(api.auth())
        .send({ schema: { type: 'object', required: ['id'] } })
        .expect(200);
      expect(await eventTypes.validateData(name, { amount: -1 })).toEqual([{ field: 'data.id', message: "must have required property 'id'" }]);
      await api.http.patch(`/v1/event-types/${name}`).set(api.auth()).send({ schema: null }).expect(200);
      expect(await eventTypes.validateData(name, { amount: -1 })).toEqual([]);
    });
  });
});
