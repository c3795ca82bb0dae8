import { status as grpcStatus } from '@grpc/grpc-js';
import fc from 'fast-check';
import { unescape } from 'node:querystring';
import request from 'supertest';
import type { IsolatedDatabase, RowCounter, TestApi } from './support';
import { createIsolatedDatabase, createTenant, openRowCounter, startTestApi } from './support';
import { grpcClient, publish } from '../apps/api/src/grpc/grpc-test-client';

/**
 * Property test: hostile values (NUL, lone surrogates, very long or odd Unicode text, deep
 * nesting, numbers and arrays where text or objects go) in every field and every path, query and
 * header parameter of every route the served OpenAPI document lists. Whatever comes in, the API
 * never answers 5xx; a 4xx is problem+json and writes nothing; the service stays ready.
 */

/** Runs per target (one field or parameter of one route): enough to draw each kind of value, few enough to stay quick. */
const RUNS_PER_TARGET = 6;

/** A valid body per JSON route, for the hostile value to sit in: a route with a body and no sample fails the coverage test. */
const SAMPLE_BODIES: Record<string, Record<string, unknown>> = {
  'POST /v1/tenants': { name: 'Fuzz', metadata: { plan: 'pro' } },
  'PATCH /v1/tenants/{tenantId}': { name: 'Fuzz' },
  'POST /v1/tenants/{tenantId}/api-keys': { name: 'fuzz' },
  'POST /v1/event-types': { name: 'fuzz.created', description: 'made by the property test' },
  'PATCH /v1/event-types/{name}': { description: 'd' },
  'POST /v1/tenants/{tenantId}/subscriptions': { url: 'http://127.0.0.1:9/hook', eventTypes: ['fuzz.*'] },
  'PATCH /v1/tenants/{tenantId}/subscriptions/{subscriptionId}': { description: 'd' },
  'POST /v1/tenants/{tenantId}/subscriptions/{subscriptionId}/rotate-secret': { graceSeconds: 60 },
  'POST /v1/tenants/{tenantId}/events': { type: 'fuzz.event', data: { n: 1 } },
  'POST /v1/tenants/{tenantId}/subscriptions/{subscriptionId}/test': {},
  'POST /v1/replays': { status: ['dead'] },
  'POST /v1/tenants/{tenantId}/subscriptions/{subscriptionId}/recover': { since: '2026-01-01T00:00:00Z' },
  // NDJSON: one line with these fields.
  'POST /v1/tenants/{tenantId}/bulk-jobs': { type: 'fuzz.bulk', data: { n: 1 } },
  'POST /v1/tenants/{tenantId}/portal-sessions': { expiresInSeconds: 600, readOnly: true },
};
/** Routes whose answer never ends while the client reads: the test reads the status and headers, then hangs up. */
const STREAM_ROUTES = new Set(['GET /v1/tenants/{tenantId}/deliveries/stream']);
const NDJSON_ROUTES = new Set(['POST /v1/tenants/{tenantId}/bulk-jobs']);
/** A body target naming no field: the hostile value is the whole body (an array, a string, a number…). */
const WHOLE_BODY = '';

interface Operation {
  key: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  pathParams: string[];
  queryParams: string[];
  headerParams: string[];
  /** Top-level body fields, from the request body schema (or the sample, for NDJSON). */
  bodyFields: string[];
  hasBody: boolean;
}

type Target = { operation: Operation; where: 'path' | 'query' | 'header' | 'body'; name: string };

/* eslint-disable @typescript-eslint/no-explicit-any */
function operationsOf(document: any): Operation[] {
  const resolve = (schema: any) => (schema?.$ref ? document.components.schemas[schema.$ref.split('/').pop()] : schema);
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries<any>(document.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const op = item[method];
      if (!op) continue;
      const key = `${method.toUpperCase()} ${path}`;
      const params = (op.parameters ?? []) as { in: string; name: string }[];
      const content = op.requestBody?.content ?? {};
      const schema = resolve(content['application/json']?.schema);
      const bodyFields = NDJSON_ROUTES.has(key) ? ['type', 'data', 'idempotencyKey'] : Object.keys(schema?.properties ?? {});
      operations.push({
        key,
        method,
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
        headerParams: params.filter((p) => p.in === 'header').map((p) => p.name),
        bodyFields,
        hasBody: Object.keys(content).length > 0,
      });
    }
  }
  return operations;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

// ---- hostile values ------------------------------------------------------------------------

const LONE_SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff', '\ud83d'];

/** Text a client can put in a JSON string. */
const hostileText = (maxLong: number) =>
  fc.oneof(
    fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })).map(([a, b]) => `${a}\u0000${b}`),
    fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...LONE_SURROGATES), fc.string({ maxLength: 8 })).map((parts) => parts.join('')),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom('', ' ', '\u202e\u2066', '\ufeff', '👩‍👩‍👧‍👦', 'ﷺ', '\u0085\u2028', 'e\u0301\u0301\u0301', '__proto__', "' OR 1=1 --", 'x'.repeat(maxLong)),
  );

/** Raw JSON text for a body field: text, numbers, the wrong shapes, and nesting far past the limit. */
const hostileJson = fc.oneof(
  hostileText(100_000).map((text) => JSON.stringify(text)),
  fc.constantFrom('1e308', '-1e308', '1e400', '123456789012345678901234567890', '-0', '-1', '0.5', '4294967296', '9007199254740993'),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.constantFrom('null', 'true', 'false', '[]', '{}', '[1,"a",null]', '[{}]', '{"a":[]}'),
  fc.integer({ min: 65, max: 5000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.integer({ min: 65, max: 5000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  hostileText(10).map((text) => JSON.stringify({ [text]: [text, { deeper: text }] })),
);

/** Percent-encodes as a hostile client would: a lone surrogate as its (invalid) three UTF-8-style bytes. */
function percentEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(text.slice(i, i + 2));
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else out += encodeURIComponent(text[i]);
  }
  return out;
}

/** Already percent-encoded text for a path segment or query value (kept short enough for a request line). */
const hostileUrlText = fc.oneof(
  hostileText(4000).map(percentEncode),
  fc.constantFrom('%00', '%ED%A0%80', '%FF', '%C0%80', '%E2%82', '%', '%zz', '%2e%2e', '1e308', '-1', '99999999999999999999', 'NaN'),
);

/** Header values Node lets a client send (no NUL or line breaks can pass its parser). */
const hostileHeader = fc.oneof(
  fc.string({
    unit: fc
      .integer({ min: 0x21, max: 0xff })
      .filter((c) => c !== 0x7f)
      .map((c) => String.fromCharCode(c)),
    maxLength: 40,
  }),
  fc.constantFrom('x'.repeat(300), '\u00ff\u00fe', '1e308'),
);

/** `?wait=` that holds the feed open: skipped so the run stays short (its range is tested by the feed's own tests). */
const holdsTheFeed = (target: Target, encoded: string) => {
  const seconds = Number(unescape(encoded));
  return target.name === 'wait' && seconds > 0.01 && seconds <= 30;
};

describe('hostile input on every route', () => {
  let db: IsolatedDatabase;
  let api: TestApi;
  let counter: RowCounter;
  let operations: Operation[];
  const fixtures: Record<string, string> = {};

  beforeAll(async () => {
    db = await createIsolatedDatabase();
    api = await startTestApi({ DATABASE_URL: db.url });
    counter = await openRowCounter(db.url);
    const auth = api.auth();
    fixtures.tenantId = (await createTenant(api)).id;
    const tenant = `/v1/tenants/${fixtures.tenantId}`;
    fixtures.keyId = (await api.http.post(`${tenant}/api-keys`).set(auth).send({ name: 'k' }).expect(201)).body.id;
    fixtures.name = (
      await api.http
        .post('/v1/event-types')
        .set(auth)
        .send({ name: 'fuzz.typed', schema: { type: 'object' } })
        .expect(201)
    ).body.name;
    fixtures.subscriptionId = (await api.http.post(`${tenant}/subscriptions`).set(auth).send({ url: 'http://127.0.0.1:9/hook' }).expect(201)).body.id;
    fixtures.eventId = (
      await api.http
        .post(`${tenant}/events`)
        .set(auth)
        .send({ type: 'fuzz.event', data: { n: 1 } })
        .expect(202)
    ).body.id;
    fixtures.deliveryId = (await api.http.get(`${tenant}/events/${fixtures.eventId}`).set(auth).expect(200)).body.deliveries[0].id;
    fixtures.replayId = (await api.http.post('/v1/replays').set(auth).send({ tenantId: fixtures.tenantId }).expect(202)).body.id;
    fixtures.sessionId = (await api.http.post(`${tenant}/portal-sessions`).set(auth).send({}).expect(201)).body.id;
    fixtures.jobId = (await api.http.post(`${tenant}/bulk-jobs`).set(auth).set('content-type', 'application/x-ndjson').send('{"type":"fuzz.bulk","data":1}\n').expect(202)).body.id;
    operations = operationsOf((await api.http.get('/openapi.json').expect(200)).body);
  });
  afterAll(async () => {
    await counter?.close();
    await api?.close();
    await db?.drop();
  });

  it('knows how to reach every route the API documents (a new route cannot slip past this test)', () => {
    const gaps: string[] = [];
    for (const op of operations) {
      for (const name of op.pathParams) if (!(name in fixtures)) gaps.push(`${op.key}: no fixture value for path parameter ${name}`);
      if (op.hasBody && !(op.key in SAMPLE_BODIES)) gaps.push(`${op.key}: no sample body in SAMPLE_BODIES`);
      if (op.hasBody && op.bodyFields.length === 0) gaps.push(`${op.key}: its body schema lists no fields to fill with hostile values`);
    }
    expect(gaps).toEqual([]);
    expect(operations.length).toBeGreaterThanOrEqual(39);
  });

  function urlOf(op: Operation, target: Target | null, hostile: string): string {
    let path = op.path;
    for (const name of op.pathParams) path = path.replace(`{${name}}`, target?.where === 'path' && target.name === name ? hostile : encodeURIComponent(fixtures[name]));
    return target?.where === 'query' ? `${path}?${target.name}=${hostile}` : path;
  }

  /** The sample body with `field` replaced by raw JSON text (which may be too deep for JSON.stringify). */
  function bodyWith(op: Operation, field: string | null, rawJson: string): string {
    if (field === WHOLE_BODY) return NDJSON_ROUTES.has(op.key) ? `${rawJson}\n` : rawJson;
    const sample: Record<string, unknown> = { ...SAMPLE_BODIES[op.key], ...(field ? { [field]: '\u0001HOSTILE\u0001' } : {}) };
    const text = JSON.stringify(sample).replace(JSON.stringify('\u0001HOSTILE\u0001'), () => rawJson);
    return NDJSON_ROUTES.has(op.key) ? `${text}\n` : text;
  }

  async function send(op: Operation, target: Target, hostile: string): Promise<request.Response> {
    if (STREAM_ROUTES.has(op.key)) return openStream(op, target, hostile);
    const call = request(api.url)
      [op.method](urlOf(op, target, hostile))
      .set(api.auth());
    if (target.where === 'header') call.set(target.name, hostile);
    if (!op.hasBody) return call;
    const body = bodyWith(op, target.where === 'body' ? target.name : null, hostile);
    return call.set('content-type', NDJSON_ROUTES.has(op.key) ? 'application/x-ndjson' : 'application/json').send(body);
  }

  /** The stream's status and, for a refusal, its problem body; an accepted stream is closed at once. */
  async function openStream(op: Operation, target: Target, hostile: string): Promise<request.Response> {
    const headers: Record<string, string> = { ...api.auth() };
    if (target.where === 'header') headers[target.name] = hostile;
    const abort = new AbortController();
    const response = await fetch(`${api.url}${urlOf(op, target, hostile)}`, { headers, signal: abort.signal });
    const text = response.ok ? '' : await response.text();
    abort.abort();
    return {
      status: response.status,
      text,
      body: text ? JSON.parse(text) : {},
      headers: { 'content-type': response.headers.get('content-type') ?? '' },
      res: { statusMessage: response.statusText },
    } as unknown as request.Response;
  }

  function targetsOf(op: Operation): Target[] {
    return [
      ...op.pathParams.map((name) => ({ operation: op, where: 'path' as const, name })),
      ...op.queryParams.map((name) => ({ operation: op, where: 'query' as const, name })),
      ...op.headerParams.map((name) => ({ operation: op, where: 'header' as const, name })),
      ...(op.hasBody ? [WHOLE_BODY, ...op.bodyFields] : []).map((name) => ({ operation: op, where: 'body' as const, name })),
    ];
  }

  const valuesFor = (target: Target) =>
    target.where === 'body' ? hostileJson : target.where === 'header' ? hostileHeader : hostileUrlText.filter((encoded) => !holdsTheFeed(target, encoded));

  it('never answers 5xx; refuses with problem+json and writes nothing', async () => {
    let requests = 0;
    const statuses = new Map<number, number>();
    for (const op of operations) {
      for (const target of targetsOf(op)) {
        await fc.assert(
          fc.asyncProperty(valuesFor(target), async (hostile) => {
            const before = await counter.count();
            const response = await send(op, target, hostile);
            requests++;
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
            const where = `${op.key}, ${target.where} ${target.name}: ${response.status} ${response.text?.slice(0, 300)}`;
            expect({ where, serverError: response.status >= 500 }).toEqual({ where, serverError: false });
            if (response.status < 400) return;
            expect({ where, type: response.headers['content-type'] }).toEqual({ where, type: expect.stringMatching(/^application\/problem\+json/) });
            expect({ where, status: response.body.status, title: response.body.title }).toEqual({
              where,
              status: response.status,
              title: (response as unknown as { res: { statusMessage: string } }).res.statusMessage,
            });
            expect({ where, rows: await counter.count() }).toEqual({ where, rows: before });
          }),
          { numRuns: RUNS_PER_TARGET },
        );
      }
    }
    // Most hostile values are refused; what is accepted is fine text or numbers in a free-form field.
    expect(requests).toBeGreaterThan(operations.length * RUNS_PER_TARGET);
    expect([...statuses.keys()].every((status) => status < 500)).toBe(true);
  }, 240_000);

  it('refuses hostile Publish messages over gRPC without an internal error', async () => {
    const client = grpcClient(api.app);
    try {
      const field = fc.constantFrom('tenant_id', 'type', 'idempotency_key', 'data_json');
      await fc.assert(
        fc.asyncProperty(field, hostileText(10_000), hostileJson, async (name, text, rawJson) => {
          const message = { tenant_id: fixtures.tenantId, type: 'fuzz.grpc', data_json: Buffer.from('{"n":1}'), idempotency_key: '' };
          if (name === 'data_json') message.data_json = Buffer.from(rawJson);
          else message[name] = text;
          const before = await counter.count();
          const outcome = await publish(client, message, api.adminKey).then(
            () => grpcStatus.OK,
            (error: { code: grpcStatus }) => error.code,
          );
          expect({ name, code: grpcStatus[outcome] }).not.toEqual({ name, code: expect.stringMatching(/^(INTERNAL|UNKNOWN)$/) });
          if (outcome !== grpcStatus.OK) expect(await counter.count()).toEqual(before);
        }),
        { numRuns: 60 },
      );
    } finally {
      client.close();
    }
  });

  it('is still ready afterwards', async () => {
    await api.http.get('/readyz').expect(200);
  });
});
