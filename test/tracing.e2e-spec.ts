import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Metadata } from '@grpc/grpc-js';
import { Queue } from 'bullmq';
import { DELIVERIES_QUEUE } from '@hookline/queue';
import { loadEventServiceClient } from '../apps/api/src/grpc/grpc-test-client';
import type { ApiProcess, CollectedSpan, IsolatedDatabase, WorkerProcess } from './support';
import { createIsolatedDatabase, ensureBuilt, OtlpCollector, RecordingReceiver, spawnApiProcess, spawnWorkerProcess, TEST_ADMIN_KEY, waitFor } from './support';

/**
 * Tracing as an operator sees it: the compiled API and worker as their own processes (the SDK must
 * patch node:http, pg and ioredis before they load, which an app booted inside jest cannot show),
 * exporting OTLP/HTTP JSON to a collector on loopback. One event, followed from the producer's
 * traceparent through the publish to each attempt.
 */

const SERVER = 2;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const auth = { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' };

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: { id: string } }> {
  const response = await fetch(url, { method: 'POST', headers: { ...auth, ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as { id: string } };
}

describe('tracing: one trace per published event, API to worker', () => {
  let db: IsolatedDatabase;
  let collector: OtlpCollector;
  let receiver: RecordingReceiver;
  let api: ApiProcess;
  let worker: WorkerProcess;
  let tenantPath: string;
  /** Published before the worker started, its job then removed from Redis: the sweeper queues it again from Postgres. */
  const swept = { traceId: hex(16), eventId: '' };

  beforeAll(async () => {
    ensureBuilt();
    db = await createIsolatedDatabase();
    collector = await OtlpCollector.start();
    // Each event's first attempt gets a 500, its second a 200.
    const seen = new Set<string>();
    receiver = await RecordingReceiver.start((request) => {
      const id = String(request.headers['webhook-id']);
      const first = !seen.has(id);
      seen.add(id);
      return { status: first ? 500 : 200 };
    });
    const env = {
      DATABASE_URL: db.url,
      QUEUE_PREFIX: `test-${hex(4)}`,
      SWEEP_INTERVAL_MS: '300',
      RETRY_SCHEDULE: '200ms,200ms',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    // debug: the access log line of a successful request is written at debug, with the trace ids.
    api = await spawnApiProcess({ ...env, LOG_LEVEL: 'debug' });
    await api.ready;
    const tenant = await post(`${api.url}/v1/tenants`, { name: 'traced' });
    expect(tenant.status).toBe(201);
    tenantPath = `${api.url}/v1/tenants/${tenant.body.id}`;
    expect((await post(`${tenantPath}/subscriptions`, { url: receiver.url, eventTypes: ['trace.*'] })).status).toBe(201);

    const published = await post(`${tenantPath}/events`, { type: 'trace.swept', data: {} }, { traceparent: `00-${swept.traceId}-${hex(8)}-01` });
    swept.eventId = published.body.id;
    const queue = new Queue(DELIVERIES_QUEUE, { prefix: env.QUEUE_PREFIX, connection: { url: process.env.REDIS_URL } });
    await queue.drain(true);
    await queue.close();

    worker = spawnWorkerProcess(env);
    await worker.ready;
  }, 180_000);

  afterAll(async () => {
    for (const child of [api?.child, worker?.child]) if (child && child.exitCode === null) child.kill('SIGTERM');
    await Promise.all([api?.exited, worker?.exited]);
    await receiver?.close();
    await collector?.close();
    await db?.drop();
  }, 30_000);

  /** The spans of `traceId` once both attempts of its event were exported. */
  function attemptsExported(traceId: string): Promise<CollectedSpan[]> {
    return waitFor(
      () => collector.inTrace(traceId),
      (spans) => spans.filter((s) => s.name === 'webhook.attempt').length >= 2,
      { timeoutMs: 20_000, what: `two webhook.attempt spans in trace ${traceId}` },
    );
  }

  it('continues the REST caller’s traceparent through the publish, its write and enqueue, and every attempt', async () => {
    const traceId = hex(16);
    const callerSpanId = hex(8);
    const published = await post(`${tenantPath}/events`, { type: 'trace.rest', data: { n: 1 } }, { traceparent: `00-${traceId}-${callerSpanId}-01` });
    expect(published.status).toBe(202);

    const spans = await attemptsExported(traceId);
    const api_ = spans.filter((s) => s.service === 'hookline-api');
    const publish = api_.find((s) => s.kind === SERVER);
    expect(publish).toBeDefined();
    expect(publish!.parentSpanId).toBe(callerSpanId);
    expect(publish!.name).toBe('POST /v1/tenants/:tenantId/events');
    const write = api_.find((s) => s.name === 'hookline.publish.write');
    expect(write?.attributes['hookline.event_id']).toBe(published.body.id);
    expect(api_.some((s) => s.name === 'hookline.publish.enqueue')).toBe(true);

    const attempts = spans
      .filter((s) => s.service === 'hookline-worker' && s.name === 'webhook.attempt')
      .sort((a, b) => Number(a.attributes['hookline.attempt']) - Number(b.attributes['hookline.attempt']));
    expect(attempts.map((s) => [s.attributes['hookline.attempt'], s.attributes['http.response.status_code'], s.attributes['hookline.outcome']])).toEqual([
      [1, 500, 'retry'],
      [2, 200, 'succeeded'],
    ]);
    const accessLine = await waitFor(
      () =>
        api
          .output()
          .split('\n')
          .find((line) => line.includes(`"trace_id":"${traceId}"`) && line.includes('"statusCode":202')),
      (line) => line !== undefined,
      { what: 'the access log line of the publish' },
    );
    expect(JSON.parse(accessLine!)).toMatchObject({ level: 20, trace_id: traceId, span_id: publish!.spanId });
    for (const attempt of attempts) {
      expect(attempt.attributes['hookline.event_id']).toBe(published.body.id);
      expect(attempt.parentSpanId).toBe(publish!.spanId);
      // The POST itself (undici instrumentation) is the attempt's child.
      expect(spans.some((s) => s.service === 'hookline-worker' && s.parentSpanId === attempt.spanId)).toBe(true);
    }
  }, 40_000);

  it('continues a gRPC caller’s traceparent metadata the same way', async () => {
    const traceId = hex(16);
    const callerSpanId = hex(8);
    const client = loadEventServiceClient(api.grpcAddress);
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${TEST_ADMIN_KEY}`);
    metadata.set('traceparent', `00-${traceId}-${callerSpanId}-01`);
    const tenantId = tenantPath.split('/').pop()!;
    const event = await new Promise<{ id: string }>((resolve, reject) =>
      client.publish({ tenant_id: tenantId, type: 'trace.grpc', data_json: Buffer.from('{"n":2}') }, metadata, (error, reply) => (error ? reject(error) : resolve(reply))),
    );
    client.close();

    const spans = await attemptsExported(traceId);
    const server = spans.find((s) => s.service === 'hookline-api' && s.name === 'hookline.v1.EventService/Publish');
    expect(server?.parentSpanId).toBe(callerSpanId);
    const attempts = spans.filter((s) => s.name === 'webhook.attempt');
    expect(attempts.map((s) => s.attributes['hookline.event_id'])).toEqual([event.id, event.id]);
    expect(attempts.every((s) => s.parentSpanId === server!.spanId)).toBe(true);
  }, 40_000);

  it('keeps a delivery queued again from Postgres (sweeper) in its publish trace', async () => {
    const spans = await attemptsExported(swept.traceId);
    const attempts = spans.filter((s) => s.name === 'webhook.attempt');
    expect(attempts.map((s) => s.attributes['hookline.event_id'])).toEqual([swept.eventId, swept.eventId]);
    expect(spans.some((s) => s.service === 'hookline-api' && s.kind === SERVER)).toBe(true);
  }, 30_000);

  it('exports no span for probes and scrapes', async () => {
    await fetch(`${api.url}/healthz`);
    const traceId = hex(16);
    await fetch(`${api.url}/healthz`, { headers: { traceparent: `00-${traceId}-${hex(8)}-01` } });
    await post(`${tenantPath}/events`, { type: 'other.type', data: {} }, { traceparent: `00-${traceId}-${hex(8)}-01` });
    // The publish after the probe, same trace id: once its span is in, the probe's would be too.
    const spans = await waitFor(
      () => collector.inTrace(traceId),
      (found) => found.some((s) => s.kind === SERVER),
      { what: 'the publish span' },
    );
    expect(spans.filter((s) => s.kind === SERVER).map((s) => s.attributes['url.path'] ?? s.attributes['http.target'])).toEqual([`${new URL(tenantPath).pathname}/events`]);
  }, 20_000);
});

describe('tracing off', () => {
  beforeAll(() => ensureBuilt(), 180_000);

  /** Whether startTracing started, and whether the SDK module is loaded, in a fresh node process with `env`. */
  function probe(env: Record<string, string>): { started: boolean; sdkLoaded: boolean } {
    const script = `
      const { startTracing, shutdownTracing } = require(${JSON.stringify(join(__dirname, '../dist/libs/platform/tracing/src'))});
      const started = startTracing('probe');
      const sdkLoaded = Object.keys(require.cache).some((path) => path.includes('@opentelemetry/sdk-node'));
      console.log(JSON.stringify({ started, sdkLoaded }));
      shutdownTracing();`;
    const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_')));
    return JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { ...clean, ...env }, encoding: 'utf8' }));
  }

  it('loads no SDK without an OTLP endpoint, or when disabled', () => {
    expect(probe({})).toEqual({ started: false, sdkLoaded: false });
    expect(probe({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_SDK_DISABLED: 'true' })).toEqual({ started: false, sdkLoaded: false });
    expect(probe({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/v1/traces' })).toEqual({ started: true, sdkLoaded: true });
  });
});
