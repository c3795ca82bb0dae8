import { PrismaService } from '@hookline/database';
import type { TestApi } from '../../../../test/support';
import { createTenant, startTestApi } from '../../../../test/support';
import { createSubscription, RECEIVER_URL, rowCounts, subscriptionsOf } from './subscription-test-helpers';

type Case = [string, Record<string, unknown>, { field: string; message: string | ReturnType<typeof expect.any> }[]];

const anyMessage = expect.any(String);
const headersOf = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`x-h${i}`, 'v']));

/** Invalid values of the fields shared by create and update; each must be refused naming the field. */
const invalidFields: Case[] = [
  ['relative url', { url: '/hook' }, [{ field: 'url', message: 'must be an absolute http or https URL' }]],
  ['ftp url', { url: 'ftp://files.example/' }, [{ field: 'url', message: 'must be an absolute http or https URL' }]],
  ['url with credentials', { url: 'https://user:pw@hooks.example/' }, [{ field: 'url', message: 'must not contain credentials' }]],
  ['url with a newline', { url: 'https://hooks.example/a\nb' }, [{ field: 'url', message: 'must not contain whitespace or control characters' }]],
  ['url too long', { url: `https://hooks.example/${'a'.repeat(2030)}` }, [{ field: 'url', message: 'must be at most 2048 characters' }]],
  ['url not a string', { url: 42 }, [{ field: 'url', message: anyMessage }]],
  ['eventTypes not an array', { eventTypes: 'invoice.paid' }, [{ field: 'eventTypes', message: anyMessage }]],
  [
    'bad event type names',
    { eventTypes: ['invoice.paid', 'invoice paid', 'inv*', 'invoice.*.x'] },
    [1, 2, 3].map((i) => ({ field: `eventTypes[${i}]`, message: 'must be an event type name like invoice.paid or a prefix wildcard like invoice.*' })),
  ],
  ['too many event types', { eventTypes: Array.from({ length: 101 }, (_, i) => `type.t${i}`) }, [{ field: 'eventTypes', message: 'must have at most 100 entries' }]],
  ['headers not an object', { headers: 'x-a: 1' }, [{ field: 'headers', message: anyMessage }]],
  ['too many headers', { headers: headersOf(21) }, [{ field: 'headers', message: 'must have at most 20 entries' }]],
  ['bad header name', { headers: { 'bad name': 'v' } }, [{ field: 'headers.bad name', message: 'is not a valid HTTP header name' }]],
  ['header value not a string', { headers: { 'x-n': 5 } }, [{ field: 'headers.x-n', message: 'must be a string' }]],
  ['header injection', { headers: { 'x-a': 'v\r\nx-b: 1' } }, [{ field: 'headers.x-a', message: 'must be printable ASCII without line breaks or leading/trailing spaces' }]],
  ['hop-by-hop header', { headers: { 'Transfer-Encoding': 'chunked' } }, [{ field: 'headers.Transfer-Encoding', message: 'is a connection header the HTTP client manages' }]],
  ['rate limit 0', { rateLimitPerSecond: 0 }, [{ field: 'rateLimitPerSecond', message: 'must be 1..10000' }]],
  ['rate limit 10001', { rateLimitPerSecond: 10_001 }, [{ field: 'rateLimitPerSecond', message: 'must be 1..10000' }]],
  ['rate limit fraction', { rateLimitPerSecond: 1.5 }, [{ field: 'rateLimitPerSecond', message: 'must be a whole number' }]],
  ['rate limit string', { rateLimitPerSecond: '5' }, [{ field: 'rateLimitPerSecond', message: anyMessage }]],
  ['description too long', { description: 'd'.repeat(501) }, [{ field: 'description', message: 'must be at most 500 characters' }]],
  ['description not a string', { description: 5 }, [{ field: 'description', message: anyMessage }]],
  ['metadata not an object', { metadata: 'x' }, [{ field: 'metadata', message: anyMessage }]],
  ['unknown field', { colour: 'blue' }, [{ field: 'colour', message: 'unknown field' }]],
];

const reservedHeaders = [
  'webhook-id',
  'Webhook-Signature',
  'webhook-timestamp',
  'webhook-custom',
  'X-Hookline-Event',
  'x-hookline-anything',
  'X-Hub-Signature-256',
  'content-type',
  'Content-Length',
  'user-agent',
  'Host',
];

describe('subscription validation', () => {
  let api: TestApi;
  let prisma: PrismaService;
  beforeAll(async () => {
    api = await startTestApi();
    prisma = api.app.get(PrismaService);
  });
  afterAll(() => api.close());

  const expectRefused = async (request: PromiseLike<{ status: number; body: { errors?: unknown }; headers: Record<string, string> }>, errors: Case[2]) => {
    const response = await request;
    expect({ status: response.status, errors: response.body.errors }).toEqual({ status: 422, errors });
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  };

  it.each(invalidFields)('refuses on create: %s', async (_, body, errors) => {
    const tenant = await createTenant(api);
    await expectRefused(
      api.http
        .post(subscriptionsOf(tenant.id))
        .set(api.auth())
        .send({ url: RECEIVER_URL, ...body }),
      errors,
    );
    expect(await rowCounts(prisma, tenant.id)).toEqual({ subscriptions: 0, secrets: 0 });
  });

  it.each(invalidFields)('refuses on update: %s', async (_, body, errors) => {
    const tenant = await createTenant(api);
    const sub = await createSubscription(api, tenant.id, { description: 'kept' });
    const path = `${subscriptionsOf(tenant.id)}/${sub.id}`;
    const before = await api.http.get(path).set(api.auth()).expect(200);
    await expectRefused(api.http.patch(path).set(api.auth()).send(body), errors);
    await api.http.get(path).set(api.auth()).expect(200, before.body);
  });

  it.each([
    ['missing url', {}, [{ field: 'url', message: anyMessage }]],
    ['secret without whsec_', { secret: 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }, [{ field: 'secret', message: 'must be whsec_ followed by base64' }]],
    ['secret of 23 bytes', { secret: `whsec_${Buffer.alloc(23, 7).toString('base64')}` }, [{ field: 'secret', message: 'must encode 24 to 64 bytes' }]],
    ['secret of 65 bytes', { secret: `whsec_${Buffer.alloc(65, 7).toString('base64')}` }, [{ field: 'secret', message: 'must encode 24 to 64 bytes' }]],
    ['unknown signature scheme', { signatureScheme: 'v2' }, [{ field: 'signatureScheme', message: 'must be v1 or v1a' }]],
    [
      'secret given for v1a',
      { signatureScheme: 'v1a', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
      [{ field: 'secret', message: 'cannot be given for a v1a subscription: its Ed25519 key pair is generated' }],
    ],
  ] as Case[])('refuses on create only: %s', async (_, body, errors) => {
    const tenant = await createTenant(api);
    const sent = 'url' in body || Object.keys(body).length === 0 ? body : { url: RECEIVER_URL, ...body };
    await expectRefused(api.http.post(subscriptionsOf(tenant.id)).set(api.auth()).send(sent), errors);
    expect(await rowCounts(prisma, tenant.id)).toEqual({ subscriptions: 0, secrets: 0 });
  });

  it('accepts the boundaries', async () => {
    const tenant = await createTenant(api);
    const body = {
      url: `https://hooks.example/${'a'.repeat(2048 - 'https://hooks.example/'.length)}`,
      eventTypes: Array.from({ length: 100 }, (_, i) => `type.t${i}`),
      headers: headersOf(20),
      rateLimitPerSecond: 10_000,
      description: 'd'.repeat(500),
      secret: `whsec_${Buffer.alloc(64, 9).toString('base64')}`,
    };
    const created = await createSubscription(api, tenant.id, body);
    expect(created).toMatchObject(body);
    await api.http
      .patch(`${subscriptionsOf(tenant.id)}/${created.id}`)
      .set(api.auth())
      .send({ rateLimitPerSecond: 1, eventTypes: ['*'] })
      .expect(200);
  });

  it('refuses secret and signatureScheme on update', async () => {
    const tenant = await createTenant(api);
    const sub = await createSubscription(api, tenant.id);
    await expectRefused(
      api.http
        .patch(`${subscriptionsOf(tenant.id)}/${sub.id}`)
        .set(api.auth())
        .send({ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', signatureScheme: 'v1a' }),
      [
        { field: 'secret', message: 'unknown field' },
        { field: 'signatureScheme', message: 'unknown field' },
      ],
    );
  });

  it.each(reservedHeaders)('refuses the reserved header %s on create and update', async (name) => {
    const tenant = await createTenant(api);
    const errors = [{ field: `headers.${name}`, message: 'is reserved: Hookline sets this header itself' }];
    await expectRefused(
      api.http
        .post(subscriptionsOf(tenant.id))
        .set(api.auth())
        .send({ url: RECEIVER_URL, headers: { 'x-ok': '1', [name]: 'v' } }),
      errors,
    );
    expect(await rowCounts(prisma, tenant.id)).toEqual({ subscriptions: 0, secrets: 0 });
    const sub = await createSubscription(api, tenant.id);
    await expectRefused(
      api.http
        .patch(`${subscriptionsOf(tenant.id)}/${sub.id}`)
        .set(api.auth())
        .send({ headers: { [name]: 'v' } }),
      errors,
    );
  });

  it('names every invalid field of one request at once', async () => {
    const tenant = await createTenant(api);
    const response = await api.http
      .post(subscriptionsOf(tenant.id))
      .set(api.auth())
      .send({
        url: 'ftp://files.example/',
        eventTypes: ['ok.type', 'bad type'],
        headers: { 'Content-Type': 'text/plain', 'webhook-id': 'x', 'x-n': 1, 'x-ok': 'fine' },
        rateLimitPerSecond: 0,
        description: 'd'.repeat(501),
        extra: true,
      })
      .expect(422);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'url', message: 'must be an absolute http or https URL' },
        { field: 'eventTypes[1]', message: expect.any(String) },
        { field: 'headers.Content-Type', message: 'is reserved: Hookline sets this header itself' },
        { field: 'headers.webhook-id', message: 'is reserved: Hookline sets this header itself' },
        { field: 'headers.x-n', message: 'must be a string' },
        { field: 'rateLimitPerSecond', message: 'must be 1..10000' },
        { field: 'description', message: 'must be at most 500 characters' },
        { field: 'extra', message: 'unknown field' },
      ]),
    );
    expect(response.body.errors).toHaveLength(8);
    expect(await rowCounts(prisma, tenant.id)).toEqual({ subscriptions: 0, secrets: 0 });
  });

  it('answers malformed JSON with 400', async () => {
    const tenant = await createTenant(api);
    const response = await api.http.post(subscriptionsOf(tenant.id)).set(api.auth()).set('content-type', 'application/json').send('{"url":').expect(400);
    expect(response.body.errors).toEqual([{ field: 'body', message: 'malformed JSON' }]);
  });

  it.each([
    ['negative grace', { graceSeconds: -1 }, [{ field: 'graceSeconds', message: 'must be 0..604800 (7 days)' }]],
    ['grace over 7 days', { graceSeconds: 604_801 }, [{ field: 'graceSeconds', message: 'must be 0..604800 (7 days)' }]],
    ['fractional grace', { graceSeconds: 1.5 }, [{ field: 'graceSeconds', message: 'must be a whole number' }]],
    ['grace as a string', { graceSeconds: '60' }, [{ field: 'graceSeconds', message: anyMessage }]],
    ['secret too short', { secret: 'whsec_c2hvcnQ=' }, [{ field: 'secret', message: 'must encode 24 to 64 bytes' }]],
    ['unknown field', { expiresAt: 'now' }, [{ field: 'expiresAt', message: 'unknown field' }]],
  ] as Case[])('refuses rotate-secret with %s and keeps the secrets', async (_, body, errors) => {
    const tenant = await createTenant(api);
    const sub = await createSubscription(api, tenant.id);
    await expectRefused(
      api.http
        .post(`${subscriptionsOf(tenant.id)}/${sub.id}/rotate-secret`)
        .set(api.auth())
        .send(body),
      errors,
    );
    expect(await prisma.subscriptionSecret.findMany({ where: { subscriptionId: sub.id }, select: { expiresAt: true } })).toEqual([{ expiresAt: null }]);
    await api.http
      .get(`${subscriptionsOf(tenant.id)}/${sub.id}/secret`)
      .set(api.auth())
      .expect(200, { secret: sub.secret });
  });

  it.each([
    ['status', { status: 'paused' }, [{ field: 'status', message: 'must be active or disabled' }]],
    ['limit', { limit: 0 }, [{ field: 'limit', message: 'must be 1..100' }]],
    ['unknown parameter', { colour: 'blue' }, [{ field: 'colour', message: 'unknown field' }]],
  ] as Case[])('refuses a list query with a bad %s', async (_, query, errors) => {
    const tenant = await createTenant(api);
    await expectRefused(api.http.get(subscriptionsOf(tenant.id)).query(query).set(api.auth()), errors);
  });
});
