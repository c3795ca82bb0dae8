import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { TestStack } from '../../../../test/support';
import { createTenant, createTenantKey, RecordingReceiver, startTestStack } from '../../../../test/support';
import type { BulkJob } from './bulk-test-kit';
import { count, jobErrors, jobsPath, ndjson, NO_SWEEPER, sleep, upload, waitForJob } from './bulk-test-kit';

let namespace = 0;
/** A type prefix no other test uses, so each test's receiver and counts see only its own events. */
const newNamespace = () => `bulk${process.pid}n${++namespace}`;

describe('bulk jobs (docs/contract.md#bulk-ingestion)', () => {
  let stack: TestStack;
  let receiver: RecordingReceiver;

  beforeAll(async () => {
    stack = await startTestStack(NO_SWEEPER);
    receiver = await RecordingReceiver.start();
  });
  afterAll(async () => {
    await receiver.close();
    await stack.close();
  });

  const tenant = () => `/v1/tenants/${stack.tenantId}`;
  const subscribe = (ns: string) =>
    stack.api.http
      .post(`${tenant()}/subscriptions`)
      .set(stack.api.auth())
      .send({ url: receiver.url, eventTypes: [`${ns}.*`] })
      .expect(201);
  const eventsOfType = async (type: string) =>
    (await stack.api.http.get(`${tenant()}/events?type=${type}&limit=100`).set(stack.api.auth()).expect(200)).body.data as {
      id: string;
      type: string;
      data: unknown;
      idempotencyKey: string | null;
      createdAt: string;
      deliveryCount: number;
    }[];

  it('publishes every good NDJSON row exactly as POST /events would, and streams the bad ones as errors', async () => {
    const ns = newNamespace();
    await stack.api.http
      .post('/v1/event-types')
      .set(stack.api.auth())
      .send({ name: `${ns}.order`, schema: { type: 'object', required: ['amount'], properties: { amount: { type: 'number' } } } })
      .expect(201);
    await subscribe(ns);
    // A key already used through the REST API: the same request replays, another one conflicts.
    const earlier = await stack.api.http
      .post(`${tenant()}/events`)
      .set(stack.api.auth())
      .send({ type: `${ns}.other`, data: { n: 2 }, idempotencyKey: `${ns}-rest` })
      .expect(202);

    const body = ndjson([
      { type: `${ns}.order`, data: { zeta: 1, amount: 1, alpha: [true, null] }, idempotencyKey: `${ns}-a` }, // 1 ok
      '   ', // 2 blank: not a row
      'not json', // 3
      { type: 'bad type!', data: {} }, // 4
      { type: `${ns}.order`, data: { amount: 'x' } }, // 5 schema
      { type: `${ns}.other`, data: { n: 1 }, extra: 1 }, // 6 unknown field
      { type: `${ns}.order`, data: { zeta: 1, amount: 2 }, idempotencyKey: `${ns}-a` }, // 7 key reused for another request
      { type: `${ns}.order`, data: { alpha: [true, null], amount: 1, zeta: 1 }, idempotencyKey: `${ns}-a` }, // 8 same request (key order ignored)
      { type: `${ns}.other`, data: { n: 2 }, idempotencyKey: `${ns}-rest` }, // 9 replay of the REST publish
      { type: `${ns}.other`, data: { n: 3 }, idempotencyKey: `${ns}-rest` }, // 10 conflict with it
      { type: `${ns}.other`, data: { n: 4 } }, // 11 ok
      { type: `${ns}.other` }, // 12 no data
      { type: `${ns}.other`, data: { blob: 'x'.repeat(300_000) } }, // 13 over MAX_PAYLOAD_BYTES
      '[1,2]', // 14 not an object
    ]);
    const response = await stack.api.http.post(jobsPath(stack)).set(stack.api.auth()).set('content-type', 'application/x-ndjson').send(body).expect(202);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^job_[0-9A-Z]{26}$/),
      status: 'queued',
      totalRows: 13,
      acceptedRows: 0,
      failedRows: 0,
      createdAt: expect.any(String),
      completedAt: null,
    });
    expect(response.headers.location).toBe(`${jobsPath(stack)}/${response.body.id}`);

    const job = await waitForJob(stack, response.body.id);
    expect(job).toMatchObject({ status: 'completed_with_errors', totalRows: 13, acceptedRows: 4, failedRows: 9 });
    expect(Date.parse(job.completedAt!)).toBeGreaterThanOrEqual(Date.parse(job.createdAt));

    const errors = await jobErrors(stack, job.id);
    expect(errors.map((e) => e.line)).toEqual([3, 4, 5, 6, 7, 10, 12, 13, 14]);
    const byLine = Object.fromEntries(errors.map((e) => [e.line, e.error]));
    expect(byLine[3]).toMatch(/^not valid JSON/);
    expect(byLine[4]).toBe('type: must be dot-separated letters, digits, _ or -');
    expect(byLine[5]).toMatch(new RegExp(`^data does not match the schema of ${ns}\\.order: data\\.amount must be number`));
    expect(byLine[6]).toBe('extra: unknown field');
    expect(byLine[7]).toBe(`idempotencyKey: "${ns}-a" was already used with a different type or data`);
    expect(byLine[10]).toBe(`idempotencyKey: "${ns}-rest" was already used with a different type or data`);
    // Word for word what POST /events answers for the same body.
    const rest = await stack.api.http
      .post(`${tenant()}/events`)
      .set(stack.api.auth())
      .send({ type: `${ns}.other` })
      .expect(422);
    expect(byLine[12]).toBe(`data: ${rest.body.errors[0].message}`);
    expect(byLine[13]).toBe('data: larger than 262144 bytes');
    expect(byLine[14]).toMatch(/must be a JSON object/);

    const orders = await eventsOfType(`${ns}.order`);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ data: { zeta: 1, amount: 1, alpha: [true, null] }, idempotencyKey: `${ns}-a`, deliveryCount: 1 });
    const others = await eventsOfType(`${ns}.other`);
    expect(others.map((e) => e.data)).toEqual([{ n: 4 }, { n: 2 }]);
    expect(others[1].id).toBe(earlier.body.id);

    // Delivered like any event: the same body, byte for byte, and the event id as webhook-id.
    const bulkEvents = [orders[0], others[0]];
    await receiver.waitForRequests(3);
    for (const event of bulkEvents) {
      const request = receiver.requests.find((r) => r.headers['webhook-id'] === event.id);
      expect(request?.body).toBe(`{"id":"${event.id}","type":"${event.type}","timestamp":"${event.createdAt}","data":${JSON.stringify(event.data)}}`);
    }
  });

  it('settles a key used twice in one chunk against its first use, across publish statements', async () => {
    const ns = newNamespace();
    // 2,500 rows: one chunk, published in slices of 2,000, so the reuses below meet a key that an
    // earlier statement of the same transaction claimed.
    const rows: unknown[] = Array.from({ length: 2_500 }, (_, i) => ({ type: `${ns}.row`, data: { i }, idempotencyKey: `${ns}-${i}` }));
    rows[2_399] = { type: `${ns}.row`, data: { i: 0 }, idempotencyKey: `${ns}-0` }; // same request as line 1
    rows[2_449] = { type: `${ns}.row`, data: { i: 'other' }, idempotencyKey: `${ns}-1` }; // conflicts with line 2
    const accepted = await upload(stack, ndjson(rows), 'application/x-ndjson');
    const job = await waitForJob(stack, accepted.id);
    expect(job).toMatchObject({ status: 'completed_with_errors', totalRows: 2_500, acceptedRows: 2_499, failedRows: 1 });
    expect(await jobErrors(stack, job.id)).toEqual([{ line: 2_450, error: `idempotencyKey: "${ns}-1" was already used with a different type or data` }]);
    expect(await count(stack, `SELECT count(*) AS n FROM events WHERE tenant_id = $1 AND type = $2`, stack.tenantId, `${ns}.row`)).toBe(2_498);
  });

  it('reads CSV with a header, quoted commas and newlines, a BOM and CRLF, and an idempotency_key column', async () => {
    const ns = newNamespace();
    const csv =
      '\ufeffname, amount ,idempotency_key\r\n' + // 1 (header names are trimmed)
      '"Smith, J",10,c1\r\n' + // 2
      '"multi\r\nline ""quoted""",20,c2\r\n' + // 3-4
      'short,row\r\n' + // 5: two fields
      '\r\n' + // 6: blank
      'ok,30,\r\n' + // 7: empty key = none
      `long,40,${'k'.repeat(256)}\r\n` + // 8: key too long
      'dup,50,c1'; // 9: c1 again with other data; no final newline
    const accepted = await upload(stack, csv, 'text/csv; charset=utf-8', `?type=${ns}.row`);
    expect(accepted).toMatchObject({ status: 'queued', totalRows: 6 });
    const job = await waitForJob(stack, accepted.id);
    expect(job).toMatchObject({ status: 'completed_with_errors', totalRows: 6, acceptedRows: 3, failedRows: 3 });
    expect(await jobErrors(stack, job.id)).toEqual([
      { line: 5, error: 'has 2 fields, the header has 3' },
      { line: 8, error: 'idempotencyKey: must be at most 255 characters' },
      { line: 9, error: 'idempotencyKey: "c1" was already used with a different type or data' },
    ]);
    // Line 2 claimed c1 first, in file order; events come newest first from GET /events.
    const events = await eventsOfType(`${ns}.row`);
    expect(events.map((e) => [e.data, e.idempotencyKey]).reverse()).toEqual([
      [{ name: 'Smith, J', amount: '10' }, 'c1'],
      [{ name: 'multi\r\nline "quoted"', amount: '20' }, 'c2'],
      [{ name: 'ok', amount: '30' }, null],
    ]);
  });

  it('accepts a gzip-encoded upload, turns away what cannot be an upload, and leaves nothing of a failed one', async () => {
    const { id: tenantId } = await createTenant(stack.api);
    const path = jobsPath(stack, tenantId);
    const post = (contentType: string, body: string | Buffer, query = '') =>
      stack.api.http.post(`${path}${query}`).set(stack.api.auth()).set('content-type', contentType).send(body);

    const gz = await post('application/x-ndjson', gzipSync(ndjson([{ type: 'gz.row', data: { ok: true } }])))
      .set('content-encoding', 'gzip')
      .expect(202);
    expect((await waitForJob(stack, gz.body.id, { tenantId })).acceptedRows).toBe(1);

    const cases: [number, string, () => ReturnType<typeof post>][] = [
      [415, 'content-type', () => post('text/plain', 'hello')],
      [415, 'content-type', () => post('application/json', '{"type":"a","data":{}}')],
      [422, 'type', () => post('text/csv', 'a,b\n1,2\n')],
      [422, 'type', () => post('text/csv', 'a,b\n1,2\n', '?type=not%20a%20type')],
      [422, 'type', () => post('application/x-ndjson', '{"type":"a.b","data":{}}\n', '?type=a.b')],
      [422, 'body', () => post('application/x-ndjson', '\n  \n')],
      [422, 'body', () => post('text/csv', 'a,b\n', '?type=a.b')],
      [422, 'header', () => post('text/csv', 'a,a\n1,2\n', '?type=a.b')],
      [422, 'header', () => post('text/csv', 'a,,c\n1,2,3\n', '?type=a.b')],
      [400, 'body', () => post('application/x-ndjson', Buffer.from('not gzip at all')).set('content-encoding', 'gzip')],
      [415, 'content-encoding', () => post('application/x-ndjson', 'x').set('content-encoding', 'br')],
    ];
    for (const [status, field, send] of cases) {
      const response = await send();
      expect({ status: response.status, type: response.headers['content-type'] }).toEqual({ status, type: expect.stringMatching(/^application\/problem\+json/) });
      expect(response.body.errors?.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect(await count(stack, 'SELECT count(*) AS n FROM bulk_jobs WHERE tenant_id = $1', tenantId)).toBe(1);

    // A client that goes away mid-upload: the job it started and the parts it staged are removed.
    const aborted = request(`${stack.api.url}${path}`, { method: 'POST', headers: { ...stack.api.auth(), 'content-type': 'application/x-ndjson' } });
    aborted.on('error', () => undefined);
    aborted.write(ndjson(Array.from({ length: 20_000 }, (_, i) => ({ type: 'gone.row', data: { i, pad: 'x'.repeat(100) } }))));
    const staged = async () => count(stack, `SELECT count(*) AS n FROM bulk_job_chunks c JOIN bulk_jobs j ON j.id = c.job_id WHERE j.tenant_id = $1`, tenantId);
    for (let i = 0; i < 100 && (await staged()) === 0; i++) await sleep(50);
    expect(await staged()).toBeGreaterThan(0);
    aborted.destroy();
    for (let i = 0; i < 100 && (await count(stack, 'SELECT count(*) AS n FROM bulk_jobs WHERE tenant_id = $1', tenantId)) > 1; i++) await sleep(50);
    expect(await count(stack, 'SELECT count(*) AS n FROM bulk_jobs WHERE tenant_id = $1', tenantId)).toBe(1);
    expect(await staged()).toBe(0);
    expect(await count(stack, `SELECT count(*) AS n FROM events WHERE tenant_id = $1 AND type = 'gone.row'`, tenantId)).toBe(0);
  });

  it("hides a tenant's jobs from another tenant's key (404), on every route", async () => {
    const job = await upload(stack, ndjson([{ type: 'iso.row', data: {} }, 'bad']), 'application/x-ndjson');
    await waitForJob(stack, job.id);
    const other = await createTenant(stack.api);
    const { key } = await createTenantKey(stack.api, other.id);
    const own = await createTenantKey(stack.api, stack.tenantId);

    await stack.api.http
      .get(`${jobsPath(stack)}/${job.id}`)
      .set(stack.api.auth(key))
      .expect(404);
    await stack.api.http
      .get(`${jobsPath(stack)}/${job.id}/errors`)
      .set(stack.api.auth(key))
      .expect(404);
    await stack.api.http.post(jobsPath(stack)).set(stack.api.auth(key)).set('content-type', 'application/x-ndjson').send('{}\n').expect(404);
    // Through its own tenant's path, the other tenant's job id is still not found.
    await stack.api.http
      .get(`${jobsPath(stack, other.id)}/${job.id}`)
      .set(stack.api.auth(key))
      .expect(404);
    await stack.api.http
      .get(`${jobsPath(stack, other.id)}/${job.id}/errors`)
      .set(stack.api.auth(key))
      .expect(404);
    // The owner's tenant key sees it.
    const mine: BulkJob = (
      await stack.api.http
        .get(`${jobsPath(stack)}/${job.id}`)
        .set(stack.api.auth(own.key))
        .expect(200)
    ).body;
    expect(mine).toMatchObject({ id: job.id, totalRows: 2, acceptedRows: 1, failedRows: 1 });
    await stack.api.http
      .get(`${jobsPath(stack)}/job_00000000000000000000000000`)
      .set(stack.api.auth(own.key))
      .expect(404);
  });
});
