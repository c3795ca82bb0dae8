/**
 * `npm run bench`: the scenarios of bench/README.md on this machine, in one run, then a table,
 * the ratios to the ceilings, bench/results/<time>.json and (full runs) the README block.
 */
import type { BenchConfig } from './bench-config';
import { benchConfig } from './bench-config';
import { killAllChildren, stopAllChildren } from './children';
import { clock } from './clock';
import type { CpuTarget } from './cpu-usage';
import { pidsMatching } from './cpu-usage';
import { DeliveriesDb } from './deliveries-db';
import { HooklineClient } from './hookline-client';
import { freePort } from './api-child';
import { BENCH_ADMIN_KEY, databaseUrl, hooklineSettings, HooklineProcess, removeBuildSnapshot, resetState } from './hookline-processes';
import { HooklineQueue } from './hookline-queue';
import { startOtlpSink } from './otlp-sink';
import { Payloads } from './payloads';
import { ReceiverClient } from './receiver-client';
import type { Ratios, RunReport, Target } from './report';
import { busy, describeMachine, findMetric, formatValue, machine, targetsText, textTable, updateReadme, writeResults } from './report';
import { endToEnd } from './scenarios/end-to-end';
import { endToEndStream } from './scenarios/end-to-end-stream';
import { fanOut } from './scenarios/fan-out';
import { moderateLoad } from './scenarios/moderate-load';
import { noisyNeighbour } from './scenarios/noisy-neighbour';
import { noisyTenant } from './scenarios/noisy-tenant';
import { queueCeiling } from './scenarios/queue-ceiling';
import { rawCeiling } from './scenarios/raw-ceiling';
import { scale } from './scenarios/scale';
import { retentionAtRate, retentionSettings } from './scenarios/retention-at-rate';
import { soak } from './scenarios/soak';
import { PartitionProbe } from './partition-probe';
import type { BaseContext, HooklineContext, ScenarioResult } from './scenarios/scenario';

const runStartedAt = clock();
const log = (message: string) => console.log(`[bench +${((clock() - runStartedAt) / 1000).toFixed(1).padStart(5)}s] ${message}`);

async function main(): Promise<number> {
  const config = benchConfig();
  const startedAt = new Date();
  const host = machine();
  log(`${config.quick ? 'quick' : 'full'} run on ${describeMachine(host)}`);
  if (busy(host)) log(`note: the machine is already busy (load ${host.loadAverageAtStart} on ${host.cores} cores); figures will be noisy`);

  const postgres = await resetState(config);
  if (!postgres.autovacuum) log('note: Postgres runs with autovacuum off: dead row versions pile up, and long scenarios (soak, noisy tenant) slow down as they do');
  const receiver = await ReceiverClient.start();
  log(`receiver on 127.0.0.1:${receiver.port} and :${receiver.noisyPort} (clock offset ${receiver.offsetMs.toFixed(3)} ms)`);
  const base: BaseContext = { config, receiver, payloads: new Payloads(config.bodyBytes), log };
  const scenarios: ScenarioResult[] = [];
  const run = async (id: string, title: string, scenario: () => Promise<ScenarioResult>) => {
    if (stopping || (config.only.length > 0 && !config.only.includes(id)) || (OPT_IN.has(id) && !config.only.includes(id))) return;
    log(`scenario ${id}: ${title}`);
    try {
      const result = await scenario();
      scenarios.push(result);
      log(`  ${result.metrics.map((m) => `${m.label} ${formatValue(m)}`).join('; ')}`);
    } catch (error) {
      log(`  FAILED: ${(error as Error).stack ?? error}`);
      scenarios.push({ id, title, metrics: [], details: {}, error: (error as Error).message });
    }
  };

  await run('1', 'raw ceiling', () => rawCeiling(base));
  await run('2', 'queue ceiling', () => queueCeiling(base));

  const sink = config.tracing ? await startOtlpSink() : null;
  if (sink) {
    // Read by the SDK in the Hookline processes, which inherit this environment.
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = sink.url;
    log(`tracing on: every trace exported (http/protobuf) to a sink on ${sink.url}`);
  }
  // Retention at rate runs alone (bench/main.ts): its Hookline has 1-minute partitions and keeps minutes.
  const retention = config.only.includes('retention');
  if (retention) {
    for (const [name, value] of Object.entries(retentionSettings(config.retentionMinutes))) process.env[name] ??= value;
  }
  log('starting Hookline (compiled API and worker)');
  const ctx = await startHookline(config, base, retention ? dropMigrationPartitions : undefined);
  const bootRss = ctx.workers[0].rssMb();
  const stackAlive = () => ctx.apiProcess.child.exitCode === null && ctx.workers.every((w) => w.child.exitCode === null);
  const hooklineScenarios: [string, string, (c: HooklineContext) => Promise<ScenarioResult>][] = [
    ['3', 'Hookline end to end', endToEnd],
    ['3b', 'Hookline end to end, published over gRPC PublishStream', endToEndStream],
    ['4', 'latency at moderate load', moderateLoad],
    ['5a', 'fan-out', fanOut],
    ['5b', 'noisy neighbour', noisyNeighbour],
    ['noisy-tenant', 'noisy tenant: a quiet tenant beside a bulk backlog', noisyTenant],
    ['6', 'scale: 1 vs 2 workers', scale],
    // Last: it takes `soakSeconds` (5 minutes in a full run).
    ['7', 'soak', soak],
    // Only when named, alone: `retentionSeconds` (8 minutes) with a Hookline configured for it.
    ['retention', 'retention at rate', retentionAtRate],
  ];
  try {
    for (const [id, title, scenario] of hooklineScenarios) {
      if (!stackAlive()) {
        scenarios.push({ id, title, metrics: [], details: {}, error: 'a Hookline process exited; see bench/results/logs/' });
        continue;
      }
      await run(id, title, () => scenario(ctx));
    }
  } finally {
    const endRss = ctx.workers[0].rssMb();
    scenarios.push({
      id: 'mem',
      title: 'Worker memory over this run',
      metrics: [
        { key: 'bootRss', label: 'worker-1 RSS after boot', value: bootRss, unit: 'MiB' },
        { key: 'endRss', label: 'worker-1 RSS at the end', value: endRss, unit: 'MiB' },
      ],
      details: {},
    });
    await Promise.allSettled([ctx.api.close(), ctx.poller.close(), ctx.db.close(), ctx.queue.close()]);
    await Promise.allSettled([...ctx.workers, ctx.apiProcess].map((p) => p.stop()));
    await receiver.stop();
    removeBuildSnapshot();
    if (sink) {
      const { exports, bytes } = sink.received();
      scenarios.push({
        id: 'otlp',
        title: 'Traces exported (BENCH_TRACING=1)',
        metrics: [
          { key: 'exports', label: 'OTLP exports received', value: exports, unit: 'count' },
          { key: 'mib', label: 'exported', value: bytes / 2 ** 20, unit: 'MiB' },
        ],
        details: {},
      });
      await sink.close();
    }
  }

  if (stopping) return 130;
  const ratios = addRatios(scenarios);
  const report: RunReport = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    mode: config.quick ? 'quick' : 'full',
    machine: host,
    postgres,
    config: { ...config, hookline: hooklineSettings(config) },
    scenarios,
    ratios,
    targets: targets(scenarios, config),
  };
  console.log(`\nHookline bench, ${report.mode} run, ${describeMachine(host)}\n`);
  console.log(textTable(scenarios));
  console.log(`\nratios: 3÷1 (end to end ÷ raw ceiling) ${ratioText(ratios.endToEndOverRaw)}; 3÷2 (end to end ÷ queue ceiling) ${ratioText(ratios.endToEndOverQueue)}`);
  console.log(`        3b÷1 (end to end over gRPC ÷ raw ceiling) ${ratioText(ratios.streamOverRaw)}; 3b÷2 (÷ queue ceiling) ${ratioText(ratios.streamOverQueue)}`);
  console.log(`\ntargets (for tuning, not asserted):\n${targetsText(report.targets)}\n`);
  const file = writeResults(report);
  log(`results: ${file}`);
  if (config.updateReadme) log(updateReadme(report, file) ? 'bench/README.md updated' : 'bench/README.md has no results block; not updated');
  else log('bench/README.md left as is (quick run; BENCH_UPDATE_README=1 to update it anyway)');
  return scenarios.some((s) => s.error) ? 1 : 0;
}

/** Scenarios run only when named. */
const OPT_IN = new Set(['retention']);

/** Before the worker of a retention run starts: without the migration's partitions, 1-minute ones are made from now on. */
async function dropMigrationPartitions(config: BenchConfig): Promise<void> {
  const probe = await PartitionProbe.connect(databaseUrl(config));
  try {
    log(`  dropped the migration's ${await probe.dropMigrationPartitions()} (empty) partitions, so the worker makes 1-minute ones`);
  } finally {
    await probe.close();
  }
}

/** `beforeWorker`: runs once the API has migrated the database, before the first worker starts. */
async function startHookline(config: BenchConfig, base: BaseContext, beforeWorker?: (config: BenchConfig) => Promise<void>): Promise<HooklineContext> {
  const port = await freePort();
  const grpcPort = await freePort();
  // One after the other: the first one creates and migrates the database.
  const apiProcess = await HooklineProcess.start('api', 'api', config, port, grpcPort);
  await beforeWorker?.(config);
  const workers = [await HooklineProcess.start('worker', 'worker-1', config)];
  const url = `http://127.0.0.1:${port}`;
  const cpuTargets = (): CpuTarget[] => [
    { label: 'api', pids: () => [apiProcess.pid] },
    { label: 'worker(s)', pids: () => workers.map((w) => w.pid) },
    // Backend process titles read `postgres: [cluster: ]user database host(port) state`.
    { label: 'postgres (bench db backends)', pids: () => pidsMatching(new RegExp(`^postgres: (\\S+: )?\\S+ ${config.databaseName} `)) },
    { label: 'redis-server (shared)', pids: () => pidsMatching(/^\S*redis-server /) },
    { label: 'receiver', pids: () => [base.receiver.pid] },
    { label: 'bench', pids: () => [process.pid] },
  ];
  return {
    ...base,
    api: new HooklineClient(url, BENCH_ADMIN_KEY, Math.max(64, config.publishConcurrency)),
    poller: new HooklineClient(url, BENCH_ADMIN_KEY, 8),
    db: new DeliveriesDb(databaseUrl(config)),
    queue: new HooklineQueue(config.redisUrl),
    apiProcess,
    grpcPort,
    workers,
    startWorker: async (name) => {
      const worker = await HooklineProcess.start('worker', name, config);
      workers.push(worker);
      return worker;
    },
    cpuTargets,
  };
}

function addRatios(scenarios: ScenarioResult[]): Ratios {
  const raw = findMetric(scenarios, '1', 'deliveriesPerSecond');
  const queue = findMetric(scenarios, '2', 'deliveriesPerSecond');
  const e2e = findMetric(scenarios, '3', 'deliveriesPerSecond');
  const stream = findMetric(scenarios, '3b', 'deliveriesPerSecond');
  const divide = (a?: number | null, b?: number | null) => (a && b ? a / b : null);
  const ratios = {
    endToEndOverRaw: divide(e2e?.value, raw?.value),
    endToEndOverQueue: divide(e2e?.value, queue?.value),
    streamOverRaw: divide(stream?.value, raw?.value),
    streamOverQueue: divide(stream?.value, queue?.value),
  };
  if (queue) queue.ratio = `2÷1 ${ratioText(divide(queue.value, raw?.value))}`;
  if (e2e) e2e.ratio = `3÷1 ${ratioText(ratios.endToEndOverRaw)} · 3÷2 ${ratioText(ratios.endToEndOverQueue)}`;
  if (stream) stream.ratio = `3b÷1 ${ratioText(ratios.streamOverRaw)} · 3b÷2 ${ratioText(ratios.streamOverQueue)}`;
  return ratios;
}

function ratioText(ratio: number | null): string {
  return ratio === null ? '—' : ratio.toFixed(2);
}

/**
 * The throughput targets, checked against this run (nothing fails on them). Throughput is judged as a
 * ratio to the queue ceiling measured in the same run, so a slower or busier machine does not move it.
 */
function targets(scenarios: ScenarioResult[], config: BenchConfig): Target[] {
  const value = (id: string, key: string) => findMetric(scenarios, id, key)?.value ?? null;
  const queue = value('2', 'deliveriesPerSecond');
  const p99 = value('4', 'firstAttemptP99');
  const speedup = value('6', 'speedup');
  return [
    ceilingShareTarget('end to end (REST)', value('3', 'deliveriesPerSecond'), queue, 0.3),
    ceilingShareTarget('end to end (gRPC PublishStream)', value('3b', 'deliveriesPerSecond'), queue, 0.6),
    {
      what: 'noisy neighbour: healthy p99 beside a hanging subscription ÷ alone',
      target: '≤ 1.5×',
      measured: formatValue({ value: value('5b', 'p99Ratio'), unit: 'x' }),
      met: atMost(value('5b', 'p99Ratio'), 1.5),
    },
    {
      what: `publish → first attempt p99 at ${config.moderateRate} events/s`,
      target: '< 50 ms at 500 events/s',
      measured: formatValue({ value: p99, unit: 'ms' }),
      met: p99 === null || config.moderateRate !== 500 ? null : p99 < 50,
    },
    soakTarget(scenarios, config),
    {
      what: "noisy tenant: quiet tenant p99 beside another's backlog ÷ alone",
      target: '≤ 2×',
      measured: formatValue({ value: value('noisy-tenant', 'p99Ratio'), unit: 'x' }),
      met: atMost(value('noisy-tenant', 'p99Ratio'), 2),
    },
    { what: '2 workers vs 1', target: '≥ 1.6×', measured: formatValue({ value: speedup, unit: 'x' }), met: speedup === null ? null : speedup >= 1.6 },
  ];
}

/** Deliveries/s end to end as a share of the queue ceiling (BullMQ + POST, no database) of the same run. */
function ceilingShareTarget(what: string, deliveriesPerSecond: number | null, queueCeiling: number | null, share: number): Target {
  const target = `≥ ${share.toFixed(2)} × the queue ceiling`;
  if (deliveriesPerSecond === null || queueCeiling === null) {
    return { what, target, measured: formatValue({ value: deliveriesPerSecond, unit: 'deliveries/s' }), met: null };
  }
  const ratio = deliveriesPerSecond / queueCeiling;
  const measured = `${ratio.toFixed(2)} × (${formatValue({ value: deliveriesPerSecond, unit: 'deliveries/s' })} ÷ ${formatValue({ value: queueCeiling, unit: 'deliveries/s' })})`;
  return { what, target, measured, met: ratio >= share };
}

function atMost(value: number | null, limit: number): boolean | null {
  return value === null ? null : value <= limit;
}

/**
 * From scenario 7: met when the deliveries/s during the soak held ≥ 95 % of the asked rate and the
 * worker's RSS grew < 10 % from the end of the warm-up to the end of the feed. Judged only for a
 * soak of at least 5 minutes at 2,000 events/s or more; a shorter one prints its figures unjudged.
 */
function soakTarget(scenarios: ScenarioResult[], config: BenchConfig): Target {
  const value = (key: string) => findMetric(scenarios, '7', key)?.value ?? null;
  const what = 'worker RSS flat over a 5-minute soak at 2,000 deliveries/s';
  const target = 'deliveries/s ≥ 95 % of the asked rate and RSS growth after warm-up < 10 %';
  const [delivered, start, warm, end, growth, perMinute] = ['deliveriesPerSecond', 'rssStart', 'rssAfterWarmUp', 'rssEnd', 'rssGrowth', 'rssSlope'].map(value);
  if (delivered === null || warm === null || growth === null) return { what, target, measured: 'not measured (scenario 7 did not run or failed)', met: null };
  const held = delivered / config.soakRate;
  const grew = growth / warm;
  const mib = (v: number | null) => formatValue({ value: v, unit: 'MiB' });
  const measured =
    `${config.soakSeconds} s at ${config.soakRate.toLocaleString('en-US')} events/s: ${formatValue({ value: delivered, unit: 'deliveries/s' })} delivered (${(held * 100).toFixed(1)} % held); ` +
    `worker RSS ${mib(start)} → ${mib(end)} (start → end), ${growth >= 0 ? '+' : ''}${(grew * 100).toFixed(1)} % after warm-up, ${formatValue({ value: perMinute, unit: 'MiB/min' })}`;
  const atTarget = config.soakRate >= 2_000 && config.soakSeconds >= 300;
  return { what, target, measured, met: atTarget ? held >= 0.95 && grew < 0.1 : null };
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping the processes the bench started`);
    void stopAllChildren().finally(() => process.exit(130));
  });
}
// Also on an uncaught error or process.exit: nothing the bench started outlives it.
process.on('exit', () => {
  killAllChildren();
  removeBuildSnapshot();
});

main().then(
  (code) => process.exit(code),
  async (error) => {
    console.error(error);
    await stopAllChildren();
    process.exit(1);
  },
);
