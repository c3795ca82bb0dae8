import { status as grpcStatus } from '@grpc/grpc-js';
import { connect } from 'node:net';
import { Client } from 'pg';
import request from 'supertest';
import type { IsolatedDatabase, TestStack } from './support';
import { createIsolatedDatabase, RecordingReceiver, startTestStack, tableRowCounts } from './support';
import { fieldViolations, grpcClient, grpcError, json, publish } from '../apps/api/src/grpc/grpc-test-client';
import { jobErrors, ndjson, upload, waitForJob } from '../apps/api/src/bulk-jobs/bulk-test-kit';

type Reply = request.Response;
type ExpectedError = { field: string; message: unknown };

/** The reason phrase of the status line, as the client read it. */
const reasonPhrase = (response: Reply) => (response as unknown as { res: { statusMessage: string } }).res.statusMessage;

/** What every refusal looks like: problem+json whose title is the status line's reason phrase. */
function expectProblem(response: Reply, status: number, errors?: ExpectedError[]) {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  expect(reasonPhrase(response)).toBe(response.body.title);
  if (errors) {
    expect(response.body.errors).toEqual(errors.map(({ field, message }) => ({ field, message: message instanceof RegExp ? expect.stringMatching(message) : message })));
  }
}

const NUL = 'must not contain the NUL character (U+0000)';
const SURROGATE = 'must be valid Unicode (it contains a lone surrogate)';
const DEEP = 'nests deeper than 64 levels';

/** `{"a":{"a":…1…}}` as text: JSON.stringify itself overflows the stack on a deep enough value. */
/** Sends raw bytes (what no well-behaved client would) and reads the whole answer. */
function rawRequest(url: string, bytes: string): Promise<{ statusLine: string; headers: string; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    let answer = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => (answer += chunk));
    socket.on('error', reject).on('close', () => {
      const [head, body = ''] = answer.split('\r\n\r\n');
      const [statusLine, ...headers] = head.split('\r\n');
      resolve({ statusLine, headers: headers.join('\n'), body });
    });
  });
}

function nestedJson(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

describe('what the API accepts at the edge', () => {
  let db: IsolatedDatabase;
  let stack: TestStack;
  let receiver: RecordingReceiver;
  let tenantId: string;
  let subscriptionId: string;
  let http: ReturnType<typeof request>;
  let auth: { authorization: string };

  beforeAll(async () => {
    db = await createIsolatedDatabase();
    stack = await startTestStack({ DATABASE_URL: db.url, MAX_PAYLOAD_BYTES: '262144' });
    receiver = await RecordingReceiver.start();
    ({ tenantId } = stack);
    http = stack.api.http;
    auth = stack.api.auth();
    subscriptionId = (await http.post(`/v1/tenants/${tenantId}/subscriptions`).set(auth).send({ url: receiver.url }).expect(201)).body.id;
  });
  afterAll(async () => {
    await receiver?.close();
    await stack?.close();
    await db?.drop();
  });

  /** Waits until the worker has delivered what earlier tests published, so its writes are not counted as ours. */
  async function deliveriesSettled(timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      for (;;) {
        const { rows } = await client.query<{ open: number }>(`SELECT count(*)::int AS open FROM deliveries WHERE status IN ('pending', 'failed')`);
        if (rows[0].open === 0) return;
        if (Date.now() > deadline) throw new Error(`${rows[0].open} deliveries still open after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await client.end();
    }
  }

  /** Runs `send`, expects the refusal, and checks no table gained or lost a row. */
  async function refusedWritingNothing(send: () => PromiseLike<Reply>, status: number, errors?: ExpectedError[]) {
    await deliveriesSettled();
    const before = await tableRowCounts(db.url);
    const response = await send();
    expectProblem(response, status, errors);
    expect(await tableRowCounts(db.url)).toEqual(before);
    return response;
  }

  const events = () => `/v1/tenants/${tenantId}/events`;
  const subscriptions = () => `/v1/tenants/${tenantId}/subscriptions`;

  it('sends a test event with no body at all, as with {} or { type }', async () => {
    await http.post(`${subscriptions()}/${subscriptionId}/test`).set(auth).expect(202);
    await http.post(`${subscriptions()}/${subscriptionId}/test`).set(auth).send({}).expect(202);
    const typed = await http.post(`${subscriptions()}/${subscriptionId}/test`).set(auth).send({ type: 'webhook.custom-test' }).expect(202);
    expect(typed.body.type).toBe('webhook.custom-test');
  });

  it('answers 415 for a body without a JSON content type, and still takes NDJSON and CSV uploads', async () => {
    const body = JSON.stringify({ type: 'order.created', data: { n: 1 } });
    await refusedWritingNothing(() => request(stack.api.url).post(events()).set(auth).unset('content-type').send(Buffer.from(body)), 415, [
      { field: 'content-type', message: 'is required with a body; use application/json' },
    ]);
    await refusedWritingNothing(() => http.post(events()).set(auth).set('content-type', 'text/plain').send(body), 415, [
      { field: 'content-type', message: 'text/plain is not supported; use application/json' },
    ]);
    await refusedWritingNothing(() => http.post('/v1/tenants').set(auth).type('form').send({ name: 'x' }), 415);
    await http.post(events()).set(auth).set('content-type', 'application/json; charset=utf-8').send(body).expect(202);

    const ndjsonJob = await upload(stack, ndjson([{ type: 'order.created', data: { n: 1 } }]), 'application/x-ndjson');
    expect((await waitForJob(stack, ndjsonJob.id)).status).toBe('completed');
    const csvJob = await upload(stack, 'n\n1\n', 'text/csv', '?type=order.created');
    expect((await waitForJob(stack, csvJob.id)).status).toBe('completed');
  });

  it('answers 400 naming cursor for a cursor no list gave out, on every list', async () => {
    const event = (await http.post(events()).set(auth).send({ type: 'order.created', data: {} }).expect(202)).body;
    const lists = [
      '/v1/tenants',
      `/v1/tenants/${tenantId}/api-keys`,
      '/v1/event-types',
      subscriptions(),
      events(),
      `/v1/tenants/${tenantId}/deliveries`,
      '/v1/dead-letters',
      '/v1/replays',
    ];
    for (const list of lists) {
      for (const cursor of ['garbage!', `${event.id}~`, '%00']) {
        const response = await http.get(`${list}?cursor=${cursor}`).set(auth);
        expectProblem(response, 400, [{ field: 'cursor', message: expect.any(String) }]);
      }
    }
    // Well formed, but another list's: an event id is no tenant cursor.
    expectProblem(await http.get(`/v1/tenants?cursor=${event.id}`).set(auth), 400, [{ field: 'cursor', message: /is not a cursor this list gave out/ }]);
    await http.get(`${events()}?cursor=${event.id}`).set(auth).expect(200);
    await http.get('/v1/event-types?cursor=order.created').set(auth).expect(200);
  });

  it('puts the same reason phrase on the status line as in the title, for every status it sends', async () => {
    const replies: Reply[] = [
      await http.post(events()).set(auth).set('content-type', 'application/json').send('{"type":'), // 400
      await http.get(events()), // 401
      await http.get('/v1/tenants/ten_01ARZ3NDEKTSV4RRFFQ69G5FAV').set(auth), // 404
      await http.get('/v1/no-such-route').set(auth), // 404 from the router
      await http
        .post(events())
        .set(auth)
        .send({ type: 'x', data: 'y'.repeat(300_000) }), // 413
      await http.post(events()).set(auth).set('content-type', 'text/plain').send('x'), // 415
      await http.post(events()).set(auth).send({ type: 'x' }), // 422
    ];
    const key = (await http.post(`/v1/tenants/${tenantId}/api-keys`).set(auth).send({}).expect(201)).body.key;
    replies.push(await http.get('/v1/tenants').set(stack.api.auth(key))); // 403
    await http.post(events()).set(auth).send({ type: 'x', data: 1, idempotencyKey: 'title-check' }).expect(202);
    replies.push(await http.post(events()).set(auth).send({ type: 'x', data: 2, idempotencyKey: 'title-check' })); // 409
    expect(replies.map((r) => r.status)).toEqual([400, 401, 404, 404, 413, 415, 422, 403, 409]);
    for (const reply of replies) expectProblem(reply, reply.status);
    expect(reasonPhrase(replies.find((r) => r.status === 422)!)).toBe('Unprocessable Content');
    expect(reasonPhrase(replies.find((r) => r.status === 413)!)).toBe('Content Too Large');
  });

  it('words validation errors its own way, never as the validation library does', async () => {
    const cases: [string, object, { field: string; message: string }[]][] = [
      [events(), { type: 'order.created' }, [{ field: 'data', message: 'is required' }]],
      [events(), { type: 'order.created', data: null }, [{ field: 'data', message: 'is required' }]],
      [events(), { data: 1 }, [{ field: 'type', message: 'is required' }]],
      [events(), { type: 7, data: 1 }, [{ field: 'type', message: 'must be a string' }]],
      ['/v1/tenants', { name: 42 }, [{ field: 'name', message: 'must be a string' }]],
      ['/v1/tenants', {}, [{ field: 'name', message: 'is required' }]],
      ['/v1/tenants', { name: 'x', metadata: [] }, [{ field: 'metadata', message: 'must be an object' }]],
      ['/v1/replays', { status: ['dead', 5] }, [{ field: 'status[1]', message: 'must be a string' }]],
    ];
    for (const [path, body, errors] of cases) {
      const response = await refusedWritingNothing(() => http.post(path).set(auth).send(body), 422, errors);
      expect(response.body.detail).not.toMatch(/Invalid input|expected|received/);
    }
  });

  it('refuses a NUL, a lone surrogate or deep nesting in every body field, naming it, and writes nothing', async () => {
    const cases: [string, string, object | string, string, string][] = [
      ['POST', events(), { type: 'order.created', data: { items: [{ name: 'a' }, { name: 'b\u0000' }] } }, 'data.items[1].name', NUL],
      ['POST', events(), { type: 'order.created', data: { ['k\ud800']: 1 } }, 'data["k\\ud800"]', `has a key that ${SURROGATE}`],
      ['POST', events(), `{"type":"order.created","data":${nestedJson(5000)}}`, `data${'.a'.repeat(64)}`, DEEP],
      ['POST', events(), '{"type":"order.created","data":1e400}', 'data', 'is a number too large to store'],
      ['POST', events(), '{"type":"order.created","data":{"amount":-1e999}}', 'data.amount', 'is a number too large to store'],
      ['POST', events(), { type: 'order.created', data: 1, idempotencyKey: 'k\u0000' }, 'idempotencyKey', NUL],
      ['POST', events(), { type: 'order.created', data: 1, idempotencyKey: 'k\udc00' }, 'idempotencyKey', SURROGATE],
      ['POST', '/v1/tenants', { name: 'Acme\u0000' }, 'name', NUL],
      ['POST', '/v1/tenants', { name: 'Acme', metadata: { plan: '\ud800' } }, 'metadata.plan', SURROGATE],
      ['POST', '/v1/tenants', `{"name":"Acme","metadata":${nestedJson(100)}}`, `metadata${'.a'.repeat(64)}`, DEEP],
      ['PATCH', `/v1/tenants/${tenantId}`, { metadata: { ['a\u0000']: 1 } }, 'metadata["a\\u0000"]', `has a key that ${NUL}`],
      ['POST', subscriptions(), { url: receiver.url, description: 'x\u0000' }, 'description', NUL],
      ['POST', subscriptions(), { url: receiver.url, metadata: { a: ['\udfff'] } }, 'metadata.a[0]', SURROGATE],
      ['POST', subscriptions(), { url: receiver.url, headers: { 'x-a': 'v\u0000' } }, 'headers["x-a"]', NUL],
      ['PATCH', `${subscriptions()}/${subscriptionId}`, { description: '\ud83d' }, 'description', SURROGATE],
      ['POST', '/v1/replays', { tenantId: 'ten_\u0000' }, 'tenantId', NUL],
      ['POST', '/v1/event-types', { name: 'a.b', description: 'x\u0000' }, 'description', NUL],
      ['POST', `/v1/tenants/${tenantId}/api-keys`, { name: 'k\u0000' }, 'name', NUL],
    ];
    for (const [method, path, body, field, message] of cases) {
      await refusedWritingNothing(() => http[method === 'POST' ? 'post' : 'patch'](path).set(auth).type('json').send(body), 422, [{ field, message }]);
    }
    // In the header instead of the body: a surrogate pair as UTF-8 bytes arrives as Latin-1 text (no NUL can pass Node's parser).
    await http.post(events()).set(auth).set('Idempotency-Key', 'ok-key').send({ type: 'order.created', data: 1 }).expect(202);
  });

  it('answers 400 naming a query parameter, and 404 for a path id, that holds a NUL or is not UTF-8', async () => {
    const queries: [string, string][] = [
      [`${events()}?type=%00`, 'type'],
      [`/v1/tenants/${tenantId}/deliveries?eventId=%00`, 'eventId'],
      [`/v1/tenants/${tenantId}/deliveries?subscriptionId=a%00b`, 'subscriptionId'],
      ['/v1/dead-letters?tenantId=%00', 'tenantId'],
      ['/v1/stats?tenantId=%00', 'tenantId'],
      [`/v1/tenants/${tenantId}/feed?after=%00`, 'after'],
    ];
    for (const [path, field] of queries) {
      await refusedWritingNothing(() => http.get(path).set(auth), 400, [{ field, message: NUL }]);
    }
    await refusedWritingNothing(() => http.post(`/v1/tenants/${tenantId}/bulk-jobs?type=a%00`).set(auth).set('content-type', 'text/csv').send('a\n1\n'), 400, [
      { field: 'type', message: NUL },
    ]);

    const paths: [string, string][] = [
      ['GET', '/v1/replays/%00'],
      ['GET', '/v1/tenants/%00'],
      ['GET', '/v1/tenants/%ED%A0%80'],
      ['GET', `/v1/tenants/%00/events`],
      ['GET', `${events()}/evt_%00`],
      ['GET', `${events()}/%ED%A0%80`],
      ['GET', `/v1/tenants/${tenantId}/deliveries/%00`],
      ['POST', `/v1/tenants/${tenantId}/deliveries/%00/replay`],
      ['DELETE', `${subscriptions()}/%00`],
      ['GET', `/v1/event-types/a%00`],
      ['GET', `/v1/tenants/${tenantId}/bulk-jobs/%00`],
    ];
    for (const [method, path] of paths) {
      await refusedWritingNothing(() => (method === 'GET' ? http.get(path) : method === 'POST' ? http.post(path) : http.delete(path)).set(auth), 404);
    }
  });

  it('answers problem+json to requests the HTTP parser refuses (a NUL in a header, headers too large)', async () => {
    const before = await tableRowCounts(db.url);
    const nulHeader = await rawRequest(stack.api.url, `POST ${events()} HTTP/1.1\r\nHost: x\r\nIdempotency-Key: a\u0000b\r\nContent-Length: 2\r\n\r\n{}`);
    expect(nulHeader.statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(nulHeader.headers).toMatch(/^content-type: application\/problem\+json$/im);
    expect(JSON.parse(nulHeader.body)).toMatchObject({ status: 400, title: 'Bad Request' });
    const huge = await rawRequest(stack.api.url, `GET /v1/tenants HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`);
    expect(huge.statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(JSON.parse(huge.body)).toMatchObject({ status: 431, title: 'Request Header Fields Too Large' });
    expect(await tableRowCounts(db.url)).toEqual(before);
  });

  it('refuses the same text over gRPC as INVALID_ARGUMENT naming the field', async () => {
    const client = grpcClient(stack.api.app);
    try {
      const before = await tableRowCounts(db.url);
      const nul = await grpcError(publish(client, { tenant_id: tenantId, type: 'grpc.x', data_json: json({ note: 'a\u0000' }) }, stack.api.adminKey), grpcStatus.INVALID_ARGUMENT);
      expect(fieldViolations(nul)).toEqual([{ field: 'data_json.note', description: NUL }]);
      const deep = await grpcError(
        publish(client, { tenant_id: tenantId, type: 'grpc.x', data_json: Buffer.from(nestedJson(5000)) }, stack.api.adminKey),
        grpcStatus.INVALID_ARGUMENT,
      );
      expect(fieldViolations(deep)).toEqual([{ field: `data_json${'.a'.repeat(64)}`, description: DEEP }]);
      const key = await grpcError(
        publish(client, { tenant_id: tenantId, type: 'grpc.x', data_json: json({}), idempotency_key: 'k\u0000' }, stack.api.adminKey),
        grpcStatus.INVALID_ARGUMENT,
      );
      expect(fieldViolations(key)).toEqual([{ field: 'idempotency_key', description: NUL }]);
      const huge = await grpcError(publish(client, { tenant_id: tenantId, type: 'grpc.x', data_json: Buffer.from('1e400') }, stack.api.adminKey), grpcStatus.INVALID_ARGUMENT);
      expect(fieldViolations(huge)).toEqual([{ field: 'data_json', description: 'is a number too large to store' }]);
      const tenant = await grpcError(publish(client, { tenant_id: 'ten_\u0000', type: 'grpc.x', data_json: json({}) }, stack.api.adminKey), grpcStatus.INVALID_ARGUMENT);
      expect(fieldViolations(tenant)).toEqual([{ field: 'tenant_id', description: NUL }]);
      expect(await tableRowCounts(db.url)).toEqual(before);
    } finally {
      client.close();
    }
  });

  it('makes a bulk row holding a NUL, a lone surrogate, deep nesting or an overflowing number a row error, and takes the other rows', async () => {
    const rows = [
      { type: 'bulk.ok', data: { n: 1 } },
      { type: 'bulk.ok', data: { note: 'a\u0000b' } },
      { type: 'bulk.ok', data: { n: 3 } },
      { type: 'bulk.ok', data: { ['\ud800']: 1 } },
      `{"type":"bulk.ok","data":${nestedJson(70)}}`,
      { type: 'bulk.ok', data: null },
      { type: 'bulk.ok', data: { n: 7 } },
      '{"type":"bulk.ok","data":{"n":1e400}}',
    ];
    const job = await upload(stack, ndjson(rows), 'application/x-ndjson');
    expect(await waitForJob(stack, job.id)).toMatchObject({ status: 'completed_with_errors', totalRows: 8, acceptedRows: 3, failedRows: 5 });
    expect(await jobErrors(stack, job.id)).toEqual([
      { line: 2, error: `data.note: ${NUL}` },
      { line: 4, error: `data["\\ud800"]: has a key that ${SURROGATE}` },
      { line: 5, error: `data${'.a'.repeat(64)}: ${DEEP}` },
      { line: 6, error: 'data: is required' },
      { line: 8, error: 'data.n: is a number too large to store' },
    ]);

    const csv = await upload(stack, 'n,note,idempotency_key\n1,ok,k1\n2,a\u0000b,k2\n3,ok,k\u00003\n4,ok,k4\n', 'text/csv', '?type=bulk.csv');
    expect(await waitForJob(stack, csv.id)).toMatchObject({ status: 'completed_with_errors', totalRows: 4, acceptedRows: 2, failedRows: 2 });
    expect(await jobErrors(stack, csv.id)).toEqual([
      { line: 3, error: `data.note: ${NUL}` },
      { line: 4, error: `idempotencyKey: ${NUL}` },
    ]);
  });
});
