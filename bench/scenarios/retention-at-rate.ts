import { idTime } from '@hookline/ids';
import { clock, sleep } from '../clock';
import { bearer, eventServiceClient, publishStreamOpenLoop, waitForReady } from '../grpc-publish';
import { BENCH_ADMIN_KEY, databaseUrl } from '../hookline-processes';
import type { TableSize } from '../partition-probe';
import { dropEvents, DropWatcher, PARTITIONED_TABLES, PartitionProbe } from '../partition-probe';
import { perSecond, slope, summarize } from '../stats';
import type { HooklineContext, ScenarioResult } from './scenario';
import { metric } from './scenario';
import { warmUp } from './warm-up';

const PATH = '/retention';
const TYPE = 'bench.retention';
const WARMUP = 200;
const POLL_EVERY_MS = 1_000;
const SAMPLE_EVERY_MS = 5_000;
/** Latencies this close to a partition drop (before its first, after its last table) count as "around a drop". */
const AROUND_DROP_MS = 5_000;
/** Drops of one purge run: the three tables' partitions of a span, detached and dropped one after another. */
const SAME_RUN_MS = 3_000;

/** What a retention-at-rate run sets on the Hookline processes, unless the caller's environment already does. */
export function retentionSettings(retentionMinutes: number): Record<string, string> {
  return { PARTITION_SPAN: '1m', RETENTION_DAYS: String(retentionMinutes / 1_440), RETENTION_INTERVAL_MS: '5000' };
}

interface Sample {
  atS: number;
  tables: Record<string, TableSize>;
  rows: number;
  mib: number;
}

/**
 * Retention at rate: events fed open loop over gRPC PublishStream at `retentionRate` for
 * `retentionSeconds`, with 1-minute partitions and a retention of `retentionMinutes`, so partitions
 * expire and drop during the feed. Every 5 s the rows and total size of events, deliveries and
 * attempts; every second the partition list (to see when each one went). Reports whether rows and
 * sizes plateau (their slope over the second half of the feed against the first) and the publish →
 * first attempt latency around each drop against the rest.
 */
export async function retentionAtRate(ctx: HooklineContext): Promise<ScenarioResult> {
  const { config, api, receiver } = ctx;
  const probe = await PartitionProbe.connect(databaseUrl(ctx.config));
  const client = eventServiceClient(ctx.grpcPort);
  try {
    const minuteNames = async () => (await probe.names()).filter((name) => /_p\d{12}$/.test(name));
    for (const deadline = clock() + 30_000; (await minuteNames()).length < 3;) {
      if (clock() > deadline) throw new Error(`no minute partitions within 30 s (found ${(await probe.names()).join(', ')}); is PARTITION_SPAN=1m set?`);
      await sleep(200);
    }
    const tenantId = await api.createTenant('bench retention');
    await api.createSubscription(tenantId, receiver.url(PATH));
    await warmUp(ctx, tenantId, TYPE, WARMUP, { tenantId });
    await waitForReady(client, 10_000);
    ctx.log(
      `  ${config.retentionRate} events/s for ${config.retentionSeconds} s over gRPC PublishStream; PARTITION_SPAN=${process.env.PARTITION_SPAN}, ` +
        `RETENTION_DAYS=${process.env.RETENTION_DAYS} (${config.retentionMinutes} min), RETENTION_INTERVAL_MS=${process.env.RETENTION_INTERVAL_MS}`,
    );

    const watcher = new DropWatcher(probe);
    await watcher.poll(clock());
    const startedAt = clock();
    const message = (i: number) => ctx.payloads.publishRequest(tenantId, TYPE, i);
    const feed = publishStreamOpenLoop(client, bearer(BENCH_ADMIN_KEY), config.retentionRate, config.retentionSeconds, message);
    let feeding = true;
    const ended = feed.then(
      () => (feeding = false),
      () => (feeding = false),
    );
    const samples: Sample[] = [];
    /** [arrival on the bench clock, event id time → arrival of attempt 1, ms]. */
    const latencies: [number, number][] = [];
    const collect = async () => {
      for (const [arrivedAt, eventId, , attempt, path] of (await receiver.drain()).records) {
        if (attempt === 1 && path === PATH) latencies.push([arrivedAt, arrivedAt - idTime(eventId)]);
      }
    };
    const sample = async () => {
      const tables = await probe.sizes();
      const values = Object.values(tables);
      samples.push({ atS: (clock() - startedAt) / 1000, tables, rows: values.reduce((s, t) => s + t.rows, 0), mib: values.reduce((s, t) => s + t.mib, 0) });
      await collect();
    };
    for (let k = 1; feeding; k++) {
      await watcher.poll(clock());
      if ((k - 1) % (SAMPLE_EVERY_MS / POLL_EVERY_MS) === 0) await sample();
      await Promise.race([ended, sleep(Math.max(0, startedAt + k * POLL_EVERY_MS - clock()))]);
    }
    const fed = await feed;
    await watcher.poll(clock());
    await sample();
    const exact = await probe.exactRows();
    // The status counters lose a dropped partition's deliveries with it: their total should be the rows left.
    const counters = await api.deliveryCounters(tenantId);
    const countersTotal = Object.values(counters).reduce((sum, n) => sum + n, 0);

    const drops = dropEvents(watcher.drops, SAME_RUN_MS);
    const aroundDrop = (at: number) => drops.some((d) => at >= d.from - AROUND_DROP_MS && at <= d.to + AROUND_DROP_MS);
    // "Away" starts with the first drop: before it the tables were still growing to their plateau.
    const plateauFrom = drops.length ? drops[0].from - AROUND_DROP_MS : -Infinity;
    const near = summarize(latencies.filter(([at]) => aroundDrop(at)).map(([, ms]) => ms));
    const away = summarize(latencies.filter(([at]) => at >= plateauFrom && !aroundDrop(at)).map(([, ms]) => ms));
    const whole = summarize(latencies.map(([, ms]) => ms));
    const perDrop = drops.map((d) => ({
      atS: Math.round((d.from - startedAt) / 100) / 10,
      partitions: d.names,
      p99Ms: summarize(latencies.filter(([at]) => at >= d.from - AROUND_DROP_MS && at <= d.to + AROUND_DROP_MS).map(([, ms]) => ms)).p99,
    }));
    const half = config.retentionSeconds / 2;
    const trend = (pick: (s: Sample) => number, from: number, to: number) => slope(samples.filter((s) => s.atS >= from && s.atS <= to).map((s) => ({ x: s.atS / 60, y: pick(s) })));
    const firstAttempts = latencies.filter(([at]) => at >= fed.startedAt && at <= fed.summarizedAt).length;
    const last = samples[samples.length - 1];
    return {
      id: 'retention',
      title: `Retention at rate: ${config.retentionRate} events/s for ${config.retentionSeconds} s, 1-minute partitions, ${config.retentionMinutes} min kept`,
      metrics: [
        metric('publishRate', 'publish rate achieved (gRPC)', perSecond(fed.summary.accepted, fed.summarizedAt - fed.startedAt), 'events/s'),
        metric('deliveriesPerSecond', 'first attempts/s during the feed', perSecond(firstAttempts, fed.summarizedAt - fed.startedAt), 'deliveries/s'),
        metric('partitionsDropped', 'partitions dropped during the feed', watcher.drops.length, 'count'),
        metric('countersMinusRows', 'status counters total − deliveries rows, at the end', countersTotal - exact.deliveries, 'count'),
        metric(
          'rowsSlopeFirstHalf',
          'rows (3 tables): slope over the first half',
          trend((s) => s.rows, 0, half),
          'count/min',
        ),
        metric(
          'rowsSlopeLastHalf',
          'rows (3 tables): slope over the last half',
          trend((s) => s.rows, half, Infinity),
          'count/min',
        ),
        metric('rowsMax', 'rows (3 tables): max', Math.max(...samples.map((s) => s.rows)), 'count'),
        metric('rowsEnd', 'rows (3 tables): at the end of the feed', last.rows, 'count'),
        metric(
          'sizeSlopeFirstHalf',
          'size (3 tables): slope over the first half',
          trend((s) => s.mib, 0, half),
          'MiB/min',
        ),
        metric(
          'sizeSlopeLastHalf',
          'size (3 tables): slope over the last half',
          trend((s) => s.mib, half, Infinity),
          'MiB/min',
        ),
        metric('sizeMax', 'size (3 tables): max', Math.max(...samples.map((s) => s.mib)), 'MiB'),
        metric('sizeEnd', 'size (3 tables): at the end of the feed', last.mib, 'MiB'),
        metric('p50AroundDrops', `publish → first attempt p50, ±${AROUND_DROP_MS / 1000} s around a drop`, near.p50, 'ms'),
        metric('p99AroundDrops', `publish → first attempt p99, ±${AROUND_DROP_MS / 1000} s around a drop`, near.p99, 'ms'),
        metric('p50AwayFromDrops', 'publish → first attempt p50, away from drops', away.p50, 'ms'),
        metric('p99AwayFromDrops', 'publish → first attempt p99, away from drops', away.p99, 'ms'),
        metric('p99Whole', 'publish → first attempt p99, whole feed', whole.p99, 'ms'),
      ],
      details: {
        askedRate: config.retentionRate,
        seconds: config.retentionSeconds,
        retentionMinutes: config.retentionMinutes,
        settings: { PARTITION_SPAN: process.env.PARTITION_SPAN, RETENTION_DAYS: process.env.RETENTION_DAYS, RETENTION_INTERVAL_MS: process.env.RETENTION_INTERVAL_MS },
        latency: { note: 'event id time (the API accepted it) → arrival of attempt 1 at the receiver', aroundDrops: near, awayFromDrops: away, whole },
        feed: {
          scheduled: fed.scheduled,
          written: fed.written,
          unsent: fed.unsent,
          maxBehind: fed.maxBehind,
          accepted: fed.summary.accepted,
          rejected: fed.summary.rejected,
          firstErrors: fed.summary.errors.slice(0, 5),
        },
        drops: perDrop,
        exactRowsAtEnd: exact,
        statusCountersAtEnd: counters,
        statsRowsAtEnd: Object.fromEntries(PARTITIONED_TABLES.map((t) => [t, last.tables[t].rows])),
        samples: samples.map((s) => ({
          atS: Math.round(s.atS * 10) / 10,
          rows: s.rows,
          mib: Math.round(s.mib * 10) / 10,
          tables: Object.fromEntries(
            PARTITIONED_TABLES.map((t) => [t, { partitions: s.tables[t].partitions, rows: s.tables[t].rows, mib: Math.round(s.tables[t].mib * 10) / 10 }]),
          ),
        })),
      },
    };
  } finally {
    client.close();
    await probe.close();
  }
}
