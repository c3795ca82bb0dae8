/**
 * `npm run bench -- bulk`: one bulk job of 1,000,000 NDJSON rows through the compiled API and worker,
 * on 127.0.0.1 only, against a throwaway database and Redis db. Reports the upload rate (the API
 * streaming and staging the file), the end-to-end rate (until the job has completed) and the peak
 * RSS (VmHWM) of the API and the worker.
 *
 *   BENCH_BULK_ROWS=1000000      rows in the file
 *   BENCH_BULK_ROW_BYTES=150     approximate bytes per line (padding in `data`); 1000 gives a ~1 GB file
 *   BENCH_BULK_FORMAT=ndjson     or csv
 *   BENCH_BULK_FANOUT=0          subscriptions matching every row (deliveries go to a local receiver)
 *   BENCH_BULK_TIMEOUT_S=1800    the whole run is abandoned after this long
 *   BENCH_POSTGRES_URL, BENCH_REDIS_URL  servers (defaults: local; database hookline_bench_bulk, Redis db 4)
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Redis from 'ioredis';
import { Client } from 'pg';

const ROOT = join(__dirname, '..');
const ADMIN_KEY = 'hk_bench_bulk_admin_0123456789abcdef';
const SECRETS_KEY = '0bad5eed0bad5eed0bad5eed0bad5eed0bad5eed0bad5eed0bad5eed0bad5eed';

function int(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number (got "${raw}")`);
  return value;
}

const config = {
  rows: int('BENCH_BULK_ROWS', 1_000_000),
  rowBytes: int('BENCH_BULK_ROW_BYTES', 150),
  format: (process.env.BENCH_BULK_FORMAT ?? 'ndjson') as 'ndjson' | 'csv',
  fanout: int('BENCH_BULK_FANOUT', 0),
  timeoutMs: int('BENCH_BULK_TIMEOUT_S', 1_800) * 1000,
  postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432',
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/4',
  database: 'hookline_bench_bulk',
};
if (config.format !== 'ndjson' && config.format !== 'csv') throw new Error('BENCH_BULK_FORMAT must be ndjson or csv');

const children = new Set<ChildProcess>();
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** Resident and peak resident memory of a process, from /proc (Linux). */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

function start(kind: 'api' | 'worker', port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(ROOT, `dist/apps/${kind}/src/main.js`)], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: `${config.postgresUrl}/${config.database}`,
      REDIS_URL: config.redisUrl,
      QUEUE_PREFIX: 'bench-bulk',
      ADMIN_API_KEY: ADMIN_KEY,
      SECRETS_KEY,
      ALLOW_PRIVATE_NETWORKS: 'true',
      PORT: String(port),
      GRPC_PORT: '0',
      API_RATE_LIMIT_PER_SECOND: '1000000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} not ready after 90 s:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4_000);
      if (/Hookline (API listening|worker ready)/.test(output)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${kind} exited (${code}):\n${output}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => (clearTimeout(timer), resolve()));
    child.kill('SIGTERM');
  });
}

async function resetState(): Promise<void> {
  const admin = new Client({ connectionString: `${config.postgresUrl}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${config.database}" WITH (FORCE)`).finally(() => admin.end());
  const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  await redis.flushdb().finally(() => redis.disconnect());
}

async function api<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** The upload, generated as it is sent: the bench itself never holds the file either. */
function upload(): Readable {
  const pad = 'x'.repeat(Math.max(0, config.rowBytes - 112));
  let i = 0;
  let headerSent = config.format === 'ndjson';
  return new Readable({
    read() {
      if (!headerSent) {
        headerSent = true;
        this.push('n,pad,idempotency_key\n');
      }
      const lines: string[] = [];
      for (let end = Math.min(i + 2_000, config.rows); i < end; i++) {
        lines.push(
          config.format === 'csv'
            ? `${i},${pad},bench-${i}`
            : `{"type":"bench.row","data":{"n":${i},"at":"2026-11-23T12:00:00.000Z","pad":"${pad}"},"idempotencyKey":"bench-${i}"}`,
        );
      }
      this.push(lines.length ? `${lines.join('\n')}\n` : null);
    },
  });
}

function post(url: URL, body: Readable, contentType: string): Promise<{ status: number; text: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    body.on('data', (chunk: Buffer | string) => (bytes += Buffer.byteLength(chunk)));
    const req = request(url, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': contentType } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, bytes }));
    });
    req.on('error', reject);
    body.pipe(req);
  });
}

async function main() {
  const deadline = setTimeout(() => {
    console.error(`bench:bulk gave up after ${config.timeoutMs / 1000} s`);
    process.exit(1);
  }, config.timeoutMs);
  deadline.unref();

  console.log(`bench:bulk — ${config.rows.toLocaleString('en')} ${config.format} rows of ~${config.rowBytes} bytes, ${config.fanout} subscription(s)`);
  await resetState();
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));

  // The API migrates the fresh database before it listens; the worker starts after it.
  const apiProcess = await start('api', port);
  const workerProcess = await start('worker', 0);
  const base = `http://127.0.0.1:${port}`;

  let receiver: Server | undefined;
  let received = 0;
  const tenant = await api<{ id: string }>(base, 'POST', '/v1/tenants', { name: 'bench-bulk' });
  if (config.fanout > 0) {
    receiver = createServer((req, res) => req.resume().on('end', () => (received++, res.end())));
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    for (let s = 0; s < config.fanout; s++) await api(base, 'POST', `/v1/tenants/${tenant.id}/subscriptions`, { url });
  }

  const baseline = { api: memory(apiProcess.pid!).rss, worker: memory(workerProcess.pid!).rss };
  const samples = { api: 0, worker: 0 };
  /** API RSS every second while the upload streams: flat means it does not grow with the file. */
  const uploadTimeline: number[] = [];
  let uploading = true;
  let ticks = 0;
  const sampler = setInterval(() => {
    const apiRss = memory(apiProcess.pid!).rss;
    samples.api = Math.max(samples.api, apiRss);
    samples.worker = Math.max(samples.worker, memory(workerProcess.pid!).rss);
    if (uploading && ++ticks % 10 === 0) uploadTimeline.push(apiRss);
  }, 100);

  const started = Date.now();
  const query = config.format === 'csv' ? '?type=bench.row' : '';
  const response = await post(new URL(`${base}/v1/tenants/${tenant.id}/bulk-jobs${query}`), upload(), config.format === 'csv' ? 'text/csv' : 'application/x-ndjson');
  const uploaded = Date.now();
  uploading = false;
  if (response.status !== 202) throw new Error(`upload answered ${response.status}: ${response.text}`);
  const jobId = (JSON.parse(response.text) as { id: string }).id;

  let job: { status: string; totalRows: number; acceptedRows: number; failedRows: number };
  for (;;) {
    job = await api(base, 'GET', `/v1/tenants/${tenant.id}/bulk-jobs/${jobId}`);
    if (!['queued', 'processing'].includes(job.status)) break;
    await sleep(250);
  }
  const finished = Date.now();
  clearInterval(sampler);

  const peak = { api: memory(apiProcess.pid!).peak, worker: memory(workerProcess.pid!).peak };
  const seconds = (ms: number) => ms / 1000;
  const result = {
    at: new Date().toISOString(),
    rows: config.rows,
    format: config.format,
    uploadBytes: response.bytes,
    fanout: config.fanout,
    job,
    uploadSeconds: seconds(uploaded - started),
    uploadRowsPerSecond: Math.round(config.rows / seconds(uploaded - started)),
    uploadMBPerSecond: Number((response.bytes / 1024 / 1024 / seconds(uploaded - started)).toFixed(1)),
    totalSeconds: seconds(finished - started),
    endToEndRowsPerSecond: Math.round(config.rows / seconds(finished - started)),
    rss: {
      api: { beforeUpload: baseline.api, maxSampled: samples.api, peak: peak.api, duringUploadEverySecond: uploadTimeline },
      worker: { beforeUpload: baseline.worker, maxSampled: samples.worker, peak: peak.worker },
    },
    deliveriesReceivedMeanwhile: received,
  };

  console.log(`job ${jobId}: ${job.status}, ${job.acceptedRows.toLocaleString('en')} accepted, ${job.failedRows} failed of ${job.totalRows.toLocaleString('en')}`);
  console.log(
    `upload   ${mb(response.bytes)} in ${result.uploadSeconds.toFixed(1)} s: ${result.uploadRowsPerSecond.toLocaleString('en')} rows/s, ${result.uploadMBPerSecond} MB/s (API streaming + staging)`,
  );
  console.log(`complete ${result.totalSeconds.toFixed(1)} s after the upload began: ${result.endToEndRowsPerSecond.toLocaleString('en')} rows/s end to end`);
  console.log(`RSS api    before ${mb(baseline.api)}, max during ${mb(samples.api)}, peak (VmHWM) ${mb(peak.api)}`);
  console.log(`RSS api    each second of the upload (MB): ${uploadTimeline.map((rss) => Math.round(rss / 1024 / 1024)).join(' ')}`);
  console.log(`RSS worker before ${mb(baseline.worker)}, max during ${mb(samples.worker)}, peak (VmHWM) ${mb(peak.worker)}`);
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', `bulk-${config.format}-${config.rows}x${config.rowBytes}.json`), `${JSON.stringify(result, null, 2)}\n`);

  await Promise.all([stop(apiProcess), stop(workerProcess)]);
  receiver?.close();
  await resetState();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
