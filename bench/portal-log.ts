// `npm run bench -- portal-log`: the customer portal's delivery log with a million deliveries in one
// tenant. Seeds them with SQL into a database of its own (dropped at the end), then times the
// list API behind each filter, and, in Chromium, a filter change and a full page load.
//
//   BENCH_DELIVERIES    deliveries to seed (default 1000000)
//   BENCH_REQUESTS      timed requests per API case (default 30)
//   BENCH_DATABASE_URL  server to create the benchmark database on (default: DATABASE_URL or the local default)
//   BENCH_REDIS_URL     Redis (default: REDIS_URL or redis://127.0.0.1:6379)
//   CHROMIUM_PATH       the browser (default /usr/bin/chromium)
//
// No worker runs: nothing is delivered, the rows are only read. Run `node scripts/prepare.js
// --build` first (the npm script does).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { percentile } from './stats';
import { COMMON_TYPES, RARE_TYPE, seedDeliveries } from './portal-log-seed';
import { dropDatabase, freePort, stopApi, waitForHealth } from './api-child';
import { positiveInt } from './bench-config';

const ROOT = join(__dirname, '..');
const DELIVERIES = positiveInt(process.env, 'BENCH_DELIVERIES', 1_000_000);
const REQUESTS = positiveInt(process.env, 'BENCH_REQUESTS', 30);
const ENDPOINTS = 4;
/** The page size the portal asks for. */
const PAGE_SIZE = 25;
const DAY_MS = 86_400_000;

interface Row {
  case: string;
  p50: number;
  p95: number;
  note?: string;
}

/**
 * Runs `run` REQUESTS times after 3 untimed warm-ups; milliseconds, p50 and p95. A run that returns
 * a number measured the part that counts itself (a browser run that first resets a filter).
 */
async function timed(name: string, run: () => Promise<unknown>, note?: string): Promise<Row> {
  for (let i = 0; i < 3; i++) await run();
  const ms: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const start = performance.now();
    const measured = await run();
    ms.push(typeof measured === 'number' ? measured : performance.now() - start);
  }
  ms.sort((a, b) => a - b);
  const row = { case: name, p50: percentile(ms, 50)!, p95: percentile(ms, 95)!, note };
  console.log(`  ${name}: p50 ${row.p50.toFixed(1)} ms, p95 ${row.p95.toFixed(1)} ms`);
  return row;
}

function printTable(rows: Row[]): void {
  const cells = rows.map((r) => [r.case, r.p50.toFixed(1), r.p95.toFixed(1), r.p95 < 200 ? 'yes' : 'NO', r.note ?? '']);
  const header = ['case', 'p50 ms', 'p95 ms', '< 200 ms', 'rows'];
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c].length)));
  const line = (row: string[]) => `| ${row.map((cell, c) => (c === 0 || c === 4 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, c) => (c === 0 || c === 4 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of cells) console.log(line(row));
}

async function main() {
  const entry = join(ROOT, 'dist/apps/api/src/main.js');
  if (!existsSync(entry)) throw new Error('dist/ is missing: run `node scripts/prepare.js --build` (npm run bench does)');
  const databaseUrl = new URL(process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/hookline');
  databaseUrl.pathname = `/hookline_bench_portal_${Date.now().toString(36)}`;
  const adminKey = `hk_admin_bench_${randomBytes(16).toString('hex')}`;
  const [port, grpcPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;

  console.log(`Hookline delivery log benchmark: ${DELIVERIES.toLocaleString('en-US')} deliveries in one tenant, ${REQUESTS} requests per case, Node ${process.version}`);
  const api = spawn(process.execPath, [entry], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl.toString(),
      REDIS_URL: process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
      PORT: String(port),
      GRPC_PORT: String(grpcPort),
      ADMIN_API_KEY: adminKey,
      SECRETS_KEY: randomBytes(32).toString('hex'),
      ALLOW_PRIVATE_NETWORKS: 'true',
      API_RATE_LIMIT_PER_SECOND: '1000000',
    },
  });
  try {
    await waitForHealth(url, api);
    const call = async (method: string, path: string, key: string, body?: unknown) => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok && response.status !== 409) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return response.json() as Promise<Record<string, unknown>>;
    };
    const { id: tenantId } = (await call('POST', '/v1/tenants', adminKey, { name: 'Delivery log bench' })) as { id: string };
    const { key } = (await call('POST', `/v1/tenants/${tenantId}/api-keys`, adminKey, { name: 'bench' })) as { key: string };
    const subscriptionIds: string[] = [];
    for (let i = 0; i < ENDPOINTS; i++) {
      const created = await call('POST', `/v1/tenants/${tenantId}/subscriptions`, key, { url: `http://127.0.0.1:9/endpoint-${i}`, eventTypes: ['bench.*'] });
      subscriptionIds.push(created.id as string);
    }
    for (const name of [...COMMON_TYPES, RARE_TYPE]) await call('POST', '/v1/event-types', adminKey, { name, description: 'Seeded by the delivery log bench.' });

    const started = performance.now();
    await seedDeliveries(databaseUrl.toString(), tenantId, subscriptionIds, DELIVERIES);
    console.log(`seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const list = async (query: Record<string, string>) => {
      const page = (await call('GET', `/v1/tenants/${tenantId}/deliveries?${new URLSearchParams({ limit: String(PAGE_SIZE), ...query })}`, key)) as {
        data: { eventId: string }[];
        nextCursor: string | null;
      };
      return page;
    };
    let cursor: string | null = null;
    for (let i = 1; i < 51; i++) cursor = (await list(cursor ? { cursor } : {})).nextCursor;
    const { data: someRows } = await list({ status: 'dead' });
    const since = new Date(Date.now() - 20 * DAY_MS).toISOString();
    const until = new Date(Date.now() - 19 * DAY_MS).toISOString();
    const rowsOf = async (query: Record<string, string>) => `${(await list(query)).data.length} on the page`;

    console.log('API, GET /v1/tenants/{t}/deliveries:');
    const rows: Row[] = [];
    const cases: [string, Record<string, string>][] = [
      ['first page', {}],
      ['status=dead', { status: 'dead' }],
      [`rare event type (0.1 %)`, { eventType: RARE_TYPE }],
      ['one endpoint', { subscriptionId: subscriptionIds[1] }],
      ['page 51 by cursor', { cursor: cursor! }],
      ['search by event id', { eventId: someRows[0].eventId }],
      ['one day, 20 days ago', { since, until }],
    ];
    for (const [name, query] of cases) rows.push(await timed(name, () => list(query), await rowsOf(query)));

    console.log("Chromium, the portal's Deliveries page:");
    const { url: link } = (await call('POST', `/v1/tenants/${tenantId}/portal-sessions`, adminKey, {})) as { url: string };
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
      await page.goto(link.replace(/^https?:\/\/[^/]+/, url));
      await page.getByRole('heading', { name: 'Endpoints', exact: true }).waitFor();
      // Functions, not strings: the page's CSP forbids eval. No DOM types in this project, hence the casts.
      /** Every row of the log shows this event type (or, with null, one of the common types). */
      const rowsShow = (type: string | null) =>
        page.waitForFunction(
          ({ wanted, common }) => {
            const doc = (globalThis as unknown as { document: { querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }> } }).document;
            const cells = Array.from(doc.querySelectorAll('table[aria-label="Deliveries"] tbody tr td:nth-child(2)'), (td) => (td.textContent ?? '').trim());
            return cells.length > 0 && (wanted ? cells.every((c) => c === wanted) : cells.some((c) => common.includes(c)));
          },
          { wanted: type, common: COMMON_TYPES },
          { polling: 'raf' },
        );
      // Timed inside the page, from the navigation's start (performance.now()) to the first frame
      // with the rows: what the user waits for, without the test driver's own round trips.
      const shownAt = () =>
        page
          .waitForFunction(
            () => {
              const web = globalThis as unknown as { document: { querySelector(selector: string): unknown }; performance: { now(): number } };
              return web.document.querySelector('table[aria-label="Deliveries"] tbody tr') ? web.performance.now() : false;
            },
            undefined,
            { polling: 'raf' },
          )
          .then((handle) => handle.jsonValue() as Promise<number>);
      rows.push(
        await timed(
          'page load, Deliveries (browser)',
          async () => {
            await page.goto(`${url}/portal/deliveries`, { waitUntil: 'commit' });
            return shownAt();
          },
          `${PAGE_SIZE} rows`,
        ),
      );
      // Where a page load's time goes: when each request of the page started and ended, ms after navigation.
      const requests = JSON.parse(
        (await page.evaluate(
          `JSON.stringify(performance.getEntriesByType('resource').map((e) => [new URL(e.name).pathname, Math.round(e.startTime), Math.round(e.responseEnd)]))`,
        )) as string,
      ) as [string, number, number][];
      console.log(`  last page load, each request [start, end] ms: ${requests.map(([path, start, end]) => `${path} [${start}, ${end}]`).join('; ')}`);
      const typeSelect = page.getByLabel('Event type');
      rows.push(
        await timed(
          'filter change to rare type (browser)',
          async () => {
            await typeSelect.selectOption('');
            await rowsShow(null);
            const start = performance.now();
            await typeSelect.selectOption(RARE_TYPE);
            await rowsShow(RARE_TYPE);
            return performance.now() - start;
          },
          `${PAGE_SIZE} rows`,
        ),
      );
    } finally {
      await browser.close();
    }
    console.log('');
    printTable(rows);
  } finally {
    await stopApi(api);
    await dropDatabase(databaseUrl);
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
