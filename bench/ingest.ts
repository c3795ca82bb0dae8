// `npm run bench -- ingest`: the same events published over REST (one request per event), REST bulk
// and gRPC, against a compiled API of this checkout that the benchmark starts on 127.0.0.1 with a
// database and a queue prefix of its own (both removed at the end). Prints events/s, ratios and the
// API process's CPU time per event (the cost a faster API lever shows even on a busy machine).
//
//   BENCH_EVENTS       events per mode (default 100000)
//   BENCH_CONCURRENCY  requests in flight for REST and gRPC unary (default 64)
//   BENCH_DATABASE_URL server to create the benchmark database on (default: DATABASE_URL or the local default)
//   BENCH_REDIS_URL    Redis (default: REDIS_URL or redis://127.0.0.1:6379)
//
// No worker runs: each event still creates one delivery and one queued job (one subscription), as in
// production, but nothing is sent. Run `node scripts/prepare.js --build` first (the npm script does).
import type { Metadata } from '@grpc/grpc-js';
import Redis from 'ioredis';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'undici';
import type { EventServiceClient, PublishRequest } from '@hookline/grpc-contract';
import { redisOptions } from '@hookline/queue';
import { PUBLISH_STREAM_LIMITS } from '../apps/api/src/grpc/publish-stream';
import { cpuBetween, sampleCpu } from './cpu-usage';
import { bearer, eventServiceClient, openPublishStream, waitForReady } from './grpc-publish';
import { dropDatabase, freePort, stopApi, waitForHealth } from './api-child';
import { positiveInt } from './bench-config';

const ROOT = join(__dirname, '..');
const EVENTS = positiveInt(process.env, 'BENCH_EVENTS', 100_000);
const CONCURRENCY = positiveInt(process.env, 'BENCH_CONCURRENCY', 64);
const PHASE_TIMEOUT_MS = 15 * 60_000;
const TYPE = 'bench.order.created';

interface Result {
  mode: string;
  events: number;
  seconds: number;
  rejected: number;
  note?: string;
  /** The API process's CPU time (user + system) per event over the phase, in milliseconds. */
  apiCpuMsPerEvent?: number;
}

/** The same events for every mode: a typical order payload of ~300 bytes, no idempotency key. */
function eventData(i: number): Record<string, unknown> {
  return {
    orderId: `ord_${i.toString().padStart(8, '0')}`,
    amount: (i % 9_973) * 100 + 99,
    currency: 'EUR',
    customer: { id: `cus_${i % 5_000}`, email: `customer${i % 5_000}@example.com`, tier: i % 3 === 0 ? 'gold' : 'standard' },
    items: [
      { sku: `SKU-${i % 97}`, quantity: 1 + (i % 4), price: 1999 },
      { sku: `SKU-${i % 89}`, quantity: 1, price: 499 },
    ],
    createdAt: new Date(1_700_000_000_000 + i * 1000).toISOString(),
  };
}

const PAYLOADS = Array.from({ length: EVENTS }, (_, i) => JSON.stringify(eventData(i)));

async function withTimeout<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${PHASE_TIMEOUT_MS / 60_000} min`)), PHASE_TIMEOUT_MS)));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function restSingle(pool: Pool, tenantId: string, key: string, count = EVENTS): Promise<Result> {
  let next = 0;
  let rejected = 0;
  const path = `/v1/tenants/${tenantId}/events`;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < count; i = next++) {
        const response = await pool.request({ method: 'POST', path, headers, body: `{"type":"${TYPE}","data":${PAYLOADS[i]}}` });
        await response.body.dump();
        if (response.statusCode !== 202) rejected++;
      }
    }),
  );
  return { mode: `REST, 1 request per event (${CONCURRENCY} in flight, keep-alive)`, events: count, seconds: (performance.now() - started) / 1000, rejected };
}

function grpcRequest(tenantId: string, i: number): PublishRequest {
  return { tenantId, type: TYPE, dataJson: Buffer.from(PAYLOADS[i]), idempotencyKey: '' };
}

async function grpcUnary(client: EventServiceClient, tenantId: string, metadata: Metadata, count = EVENTS): Promise<Result> {
  let next = 0;
  let rejected = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < count; i = next++) {
        await new Promise<void>((resolve) =>
          client.publish(grpcRequest(tenantId, i), metadata, (error) => {
            if (error) rejected++;
            resolve();
          }),
        );
      }
    }),
  );
  return { mode: `gRPC Publish, unary (${CONCURRENCY} in flight, 1 HTTP/2 connection)`, events: count, seconds: (performance.now() - started) / 1000, rejected };
}

async function grpcStream(client: EventServiceClient, tenantId: string, metadata: Metadata): Promise<Result> {
  const started = performance.now();
  const { call, summary: answered } = openPublishStream(client, metadata);
  let i = 0;
  const pump = () => {
    while (i < EVENTS) if (!call.write(grpcRequest(tenantId, i++))) return void call.once('drain', pump);
    call.end();
  };
  pump();
  const summary = await answered;
  if (summary.accepted + summary.rejected !== EVENTS) throw new Error(`PublishStream summarised ${summary.accepted + summary.rejected} of ${EVENTS} events`);
  const { batchSize, batchesInFlight } = PUBLISH_STREAM_LIMITS;
  return {
    mode: `gRPC PublishStream, 1 stream (batches of ${batchSize}, ${batchesInFlight} in flight)`,
    events: EVENTS,
    seconds: (performance.now() - started) / 1000,
    rejected: summary.rejected,
  };
}

function printTable(results: Result[]) {
  const rest = results[0];
  const restRate = rest.events / rest.seconds;
  const rows = results.map((r) => {
    if (r.note) return [r.mode, '-', '-', r.note, '-', '-'];
    const rate = r.events / r.seconds;
    const cpu = r.apiCpuMsPerEvent === undefined ? '-' : r.apiCpuMsPerEvent.toFixed(3);
    return [r.mode, r.events.toLocaleString('en-US'), r.seconds.toFixed(1), Math.round(rate).toLocaleString('en-US'), `${(rate / restRate).toFixed(2)}x`, cpu];
  });
  const header = ['mode', 'events', 'seconds', 'events/s', 'vs REST', 'API CPU ms/event'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, c) => (c === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of rows) console.log(line(row));
  const rejected = results.reduce((sum, r) => sum + r.rejected, 0);
  if (rejected) console.log(`\nWARNING: ${rejected} events were rejected; the figures are not comparable.`);
}

async function main() {
  const entry = join(ROOT, 'dist/apps/api/src/main.js');
  if (!existsSync(entry)) throw new Error('dist/ is missing: run `node scripts/prepare.js --build` (npm run bench does)');
  const databaseUrl = new URL(process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/hookline');
  databaseUrl.pathname = `/hookline_bench_${Date.now().toString(36)}`;
  const redisUrl = process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const queuePrefix = `bench-${randomBytes(4).toString('hex')}`;
  const adminKey = `hk_admin_bench_${randomBytes(16).toString('hex')}`;
  const [port, grpcPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;

  console.log(`Hookline ingest benchmark: ${EVENTS.toLocaleString('en-US')} events per mode, concurrency ${CONCURRENCY}, Node ${process.version}, one API process`);
  const api = spawn(process.execPath, [entry], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl.toString(),
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: queuePrefix,
      PORT: String(port),
      GRPC_PORT: String(grpcPort),
      ADMIN_API_KEY: adminKey,
      SECRETS_KEY: randomBytes(32).toString('hex'),
      ALLOW_PRIVATE_NETWORKS: 'true',
      API_RATE_LIMIT_PER_SECOND: '1000000',
    },
  });
  const pool = new Pool(url, { connections: CONCURRENCY, pipelining: 1 });
  const client = eventServiceClient(grpcPort);
  try {
    await waitForHealth(url, api);
    const admin = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
    const post = async (path: string, body: unknown, headers = admin) => {
      const response = await fetch(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
      return response.json() as Promise<Record<string, string>>;
    };
    /** A tenant per mode, so each one writes into tables of the same size. */
    const tenant = async (name: string) => {
      const { id } = await post('/v1/tenants', { name });
      const { key } = await post(`/v1/tenants/${id}/api-keys`, { name: 'bench' });
      await post(`/v1/tenants/${id}/subscriptions`, { url: 'http://127.0.0.1:9/never-called', eventTypes: ['bench.*'] });
      return { id, key, metadata: bearer(key) };
    };

    // Warm-up outside the timings: connections, JIT, the event-type lookup.
    const warm = await tenant('warm-up');
    await waitForReady(client, 10_000);
    await restSingle(pool, warm.id, warm.key, Math.min(1_000, EVENTS));
    await grpcUnary(client, warm.id, warm.metadata, Math.min(1_000, EVENTS));

    const results: Result[] = [];
    const run = async (name: string, phase: (t: Awaited<ReturnType<typeof tenant>>) => Promise<Result>) => {
      const t = await tenant(name);
      console.log(`running: ${name} ...`);
      const apiCpu = [{ label: 'api', pids: () => (api.pid === undefined ? [] : [api.pid]) }];
      const before = sampleCpu(apiCpu, Date.now());
      const result = await withTimeout(name, phase(t));
      result.apiCpuMsPerEvent = (cpuBetween(before, sampleCpu(apiCpu, Date.now())).shares[0].cpuSeconds * 1000) / result.events;
      console.log(
        `  ${Math.round(result.events / result.seconds).toLocaleString('en-US')} events/s in ${result.seconds.toFixed(1)} s, API CPU ${result.apiCpuMsPerEvent.toFixed(3)} ms/event`,
      );
      results.push(result);
    };
    await run('REST single', (t) => restSingle(pool, t.id, t.key));
    results.push({ mode: 'REST bulk (POST .../bulk-jobs)', events: 0, seconds: 0, rejected: 0, note: 'measured by npm run bench -- bulk' });
    await run('gRPC stream', (t) => grpcStream(client, t.id, t.metadata));
    await run('gRPC unary', (t) => grpcUnary(client, t.id, t.metadata));

    console.log('');
    printTable(results);
  } finally {
    client.close();
    await pool.destroy();
    await stopApi(api);
    await cleanUp(databaseUrl, redisUrl, queuePrefix);
  }
}

/** Drops the benchmark's database and every Redis key under its queue prefix. */
async function cleanUp(databaseUrl: URL, redisUrl: string, queuePrefix: string) {
  const redis = new Redis({ ...redisOptions(redisUrl), maxRetriesPerRequest: 1 });
  try {
    for await (const keys of redis.scanStream({ match: `${queuePrefix}:*`, count: 1_000 }) as AsyncIterable<string[]>) {
      if (keys.length) await redis.unlink(...keys);
    }
  } catch (error) {
    console.error(`could not remove the keys of ${queuePrefix}: ${(error as Error).message}`);
  } finally {
    redis.disconnect();
  }
  await dropDatabase(databaseUrl);
}

main().catch((error) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
