import { PrismaService } from '@hookline/database';
import type { IsolatedDatabase, TestApi } from '../../../../test/support';
import { createIsolatedDatabase, createTenant, startTestApi } from '../../../../test/support';

describe('tenants', () => {
  // A database of its own: these tests count every tenant, and other files create tenants meanwhile.
  let db: IsolatedDatabase;
  let api: TestApi;
  beforeAll(async () => {
    db = await createIsolatedDatabase();
    api = await startTestApi({ DATABASE_URL: db.url });
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it('creates, reads, updates and deletes a tenant', async () => {
    const created = await api.http
      .post('/v1/tenants')
      .set(api.auth())
      .send({ name: 'Acme', metadata: { plan: 'pro' } })
      .expect(201);
    expect(created.body).toMatchObject({ name: 'Acme', metadata: { plan: 'pro' } });
    expect(created.body.id).toMatch(/^ten_[0-9A-Z]{26}$/);
    const id = created.body.id;

    await api.http.get(`/v1/tenants/${id}`).set(api.auth()).expect(200, created.body);
    const updated = await api.http.patch(`/v1/tenants/${id}`).set(api.auth()).send({ name: 'Acme Corp' }).expect(200);
    expect(updated.body).toMatchObject({ id, name: 'Acme Corp', metadata: { plan: 'pro' } });

    await api.http.delete(`/v1/tenants/${id}`).set(api.auth()).expect(204);
    await api.http.get(`/v1/tenants/${id}`).set(api.auth()).expect(404);
  });

  it('refuses bad input with problem+json naming each field, and writes nothing', async () => {
    const before = await api.app.get(PrismaService).tenant.count();
    const response = await api.http.post('/v1/tenants').set(api.auth()).send({ name: '', extra: 1 }).expect(422);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 422, title: expect.any(String), type: expect.any(String), detail: expect.any(String) });
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'name', message: expect.any(String) },
        { field: 'extra', message: 'unknown field' },
      ]),
    );
    await api.http.post('/v1/tenants').set(api.auth()).send({ name: 42 }).expect(422);
    const malformed = await api.http.post('/v1/tenants').set(api.auth()).set('content-type', 'application/json').send('{"name":').expect(400);
    expect(malformed.body.errors).toEqual([{ field: 'body', message: 'malformed JSON' }]);
    expect(await api.app.get(PrismaService).tenant.count()).toBe(before);
  });

  it('walks every tenant exactly once through cursor pagination', async () => {
    const made = new Set<string>();
    for (let i = 0; i < 7; i++) made.add((await createTenant(api)).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: { id: string }[]; nextCursor: string | null } } = await api.http
        .get('/v1/tenants')
        .query({ limit: 3, ...(cursor ? { cursor } : {}) })
        .set(api.auth())
        .expect(200);
      expect(page.body.data.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.data.map((t) => t.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of made) expect(seen).toContain(id);
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it('searches by name (any case, anywhere in it) or exact id, paged like the full list', async () => {
    const names = ['Globex Search North', 'globex search south', 'Initech Search', 'GLOBEX SEARCH WEST', '100% Search_Co'];
    const made: Record<string, string> = {};
    for (const name of names) made[name] = (await api.http.post('/v1/tenants').set(api.auth()).send({ name }).expect(201)).body.id;
    const search = async (q: string, extra: Record<string, unknown> = {}) =>
      (
        await api.http
          .get('/v1/tenants')
          .query({ q, ...extra })
          .set(api.auth())
          .expect(200)
      ).body as { data: { id: string; name: string }[]; nextCursor: string | null };

    const globex = (await search('gLoBeX sEaRcH')).data.map((t) => t.name);
    expect(globex).toEqual(['GLOBEX SEARCH WEST', 'globex search south', 'Globex Search North']);
    expect((await search(made['Initech Search'])).data.map((t) => t.name)).toEqual(['Initech Search']);
    // LIKE's wildcards are matched as plain characters.
    expect((await search('%')).data.map((t) => t.name)).toEqual(['100% Search_Co']);
    expect((await search('h_c')).data.map((t) => t.name)).toEqual(['100% Search_Co']);
    expect((await search('no such tenant')).data).toEqual([]);

    const first = await search('globex', { limit: 2 });
    expect(first.data.map((t) => t.name)).toEqual(['GLOBEX SEARCH WEST', 'globex search south']);
    const second = await search('globex', { limit: 2, cursor: first.nextCursor });
    expect(second).toEqual({ data: [expect.objectContaining({ name: 'Globex Search North' })], nextCursor: null });
  });

  it('refuses an empty or overlong search as problem+json naming q', async () => {
    for (const q of ['', '   ', 'x'.repeat(201)]) {
      const response = await api.http.get('/v1/tenants').query({ q }).set(api.auth()).expect(422);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.errors).toEqual([{ field: 'q', message: expect.any(String) }]);
    }
  });

  it('rejects limit outside 1..100', async () => {
    const response = await api.http.get('/v1/tenants?limit=101').set(api.auth()).expect(422);
    expect(response.body.errors).toEqual([{ field: 'limit', message: expect.any(String) }]);
  });
});
