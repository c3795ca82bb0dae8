import { clock, sleep } from '../clock';
import { bearer, eventServiceClient, publishStreamOpenLoop, waitForReady } from '../grpc-publish';
import { BENCH_ADMIN_KEY } from '../hookline-processes';
import { perSecond, slope } from '../stats';
import { observed } from './observed';
import type { HooklineContext, ScenarioResult } from './scenario';
import { drainBudgetMs, metric } from './scenario';
import { warmUp } from './warm-up';

const PATH = '/soak';
const TYPE = 'bench.soak';
const WARMUP = 200;
const SAMPLE_EVERY_MS = 5_000;
/** RSS is judged from the end of the first fifth of the soak: its first minute at 5 minutes. */
const WARM_UP_SHARE = 0.2;

/** One reading, every SAMPLE_EVERY_MS while the soak is fed and once when the feed ends. */
interface SoakSample {
  /** Seconds since the feed started. */
  atS: number;
  workerRssMb: number | null;
  apiRssMb: number | null;
  /** Deliveries of the soak's tenant (warm-up included) created so far, and succeeded so far. */
  created: number;
  succeeded: number;
}

/**
 * 7. Soak: events fed open loop over gRPC PublishStream at `soakRate` for `soakSeconds` to one
 * subscription, with the worker's RSS and the succeeded deliveries sampled every 5 s; then the
 * backlog left at the end of the feed is drained (bounded). gRPC, because REST publishing, one
 * request per event, cannot reach 2,000 events/s on a small machine.
 */
export async function soak(ctx: HooklineContext): Promise<ScenarioResult> {
  const { config, api, db, receiver } = ctx;
  const tenantId = await api.createTenant('bench soak');
  await api.createSubscription(tenantId, receiver.url(PATH));
  await warmUp(ctx, tenantId, TYPE, WARMUP, { tenantId });

  const client = eventServiceClient(ctx.grpcPort);
  try {
    await waitForReady(client, 10_000);
    ctx.log(`  ${config.soakRate} events/s for ${config.soakSeconds} s over gRPC PublishStream, open loop; RSS sampled every ${SAMPLE_EVERY_MS / 1000} s`);
    const message = (i: number) => ctx.payloads.publishRequest(tenantId, TYPE, i);
    const { result, cpu } = await observed(ctx, 'soak', [ctx.apiProcess, ...ctx.workers], async () => {
      const feed = publishStreamOpenLoop(client, bearer(BENCH_ADMIN_KEY), config.soakRate, config.soakSeconds, message);
      const samples = await sampleUntil(ctx, tenantId, feed);
      return { feed: await feed, samples };
    });
    const { feed, samples } = result;

    const atFeedEnd = samples[samples.length - 1];
    const backlog = atFeedEnd.created - atFeedEnd.succeeded;
    ctx.log(`  feed done: ${feed.summary.accepted} events accepted, backlog ${backlog}; draining`);
    const drained = await db.waitForSucceeded({ tenantId }, atFeedEnd.created, drainBudgetMs(backlog), 100);
    const drainMs = drained.complete ? Math.max(0, (drained.lastRecordedAt ?? clock()) - feed.summarizedAt) : null;
    await receiver.drain();

    const warmUpSeconds = config.soakSeconds * WARM_UP_SHARE;
    const rss = workerRssTrend(samples, warmUpSeconds);
    const delivered = perSecond(atFeedEnd.succeeded - samples[0].succeeded, (atFeedEnd.atS - samples[0].atS) * 1000);
    return {
      id: '7',
      title: `Soak: ${config.soakRate} events/s for ${config.soakSeconds} s over gRPC PublishStream (open loop)`,
      metrics: [
        metric('publishRate', 'publish rate achieved (gRPC)', perSecond(feed.summary.accepted, feed.summarizedAt - feed.startedAt), 'events/s'),
        metric('deliveriesPerSecond', 'deliveries/s sustained during the soak', delivered, 'deliveries/s'),
        metric('rssStart', 'worker RSS at the start', rss.start, 'MiB'),
        metric('rssAfterWarmUp', `worker RSS after warm-up (${warmUpSeconds} s)`, rss.afterWarmUp, 'MiB'),
        metric('rssEnd', 'worker RSS at the end of the feed', rss.end, 'MiB'),
        metric('rssMax', 'worker RSS max', rss.max, 'MiB'),
        metric('rssGrowth', 'worker RSS growth after warm-up', rss.growth, 'MiB'),
        metric('rssSlope', 'worker RSS slope after warm-up (least squares)', rss.perMinute, 'MiB/min'),
        metric('backlog', 'backlog at the end of the feed (deliveries)', backlog, 'count'),
        metric('drainMs', 'time to drain it', drainMs, 'ms'),
      ],
      details: {
        askedRate: config.soakRate,
        seconds: config.soakSeconds,
        warmUpSeconds,
        sampleEveryMs: SAMPLE_EVERY_MS,
        feed: {
          scheduled: feed.scheduled,
          written: feed.written,
          unsent: feed.unsent,
          maxBehind: feed.maxBehind,
          accepted: feed.summary.accepted,
          rejected: feed.summary.rejected,
          firstErrors: feed.summary.errors.slice(0, 5),
          elapsedMs: feed.summarizedAt - feed.startedAt,
        },
        drained: drained.complete,
        statusesAfterDrain: await db.statusCounts({ tenantId }),
        samples,
        cpu,
      },
    };
  } finally {
    client.close();
  }
}

/** Samples every SAMPLE_EVERY_MS until `feed` settles, then once more. */
async function sampleUntil(ctx: HooklineContext, tenantId: string, feed: Promise<unknown>): Promise<SoakSample[]> {
  const startedAt = clock();
  let feeding = true;
  const ended = feed.then(
    () => (feeding = false),
    () => (feeding = false),
  );
  const samples: SoakSample[] = [];
  for (let k = 1; feeding; k++) {
    samples.push(await sample(ctx, tenantId, startedAt));
    await Promise.race([ended, sleep(Math.max(0, startedAt + k * SAMPLE_EVERY_MS - clock()))]);
  }
  samples.push(await sample(ctx, tenantId, startedAt));
  return samples;
}

async function sample(ctx: HooklineContext, tenantId: string, startedAt: number): Promise<SoakSample> {
  const atS = (clock() - startedAt) / 1000;
  const workerRssMb = ctx.workers[0].rssMb();
  const apiRssMb = ctx.apiProcess.rssMb();
  const counts = await ctx.db.statusCounts({ tenantId });
  // Only so that the receiver's list of records does not grow for the whole soak.
  await ctx.receiver.drain();
  const created = Object.values(counts).reduce((sum, n) => sum + n, 0);
  return { atS, workerRssMb, apiRssMb, created, succeeded: counts.succeeded ?? 0 };
}

function workerRssTrend(samples: readonly SoakSample[], warmUpSeconds: number) {
  const points = samples.flatMap((s) => (s.workerRssMb === null ? [] : [{ atS: s.atS, mb: s.workerRssMb }]));
  const afterWarmUp = points.filter((p) => p.atS >= warmUpSeconds);
  const start = points[0]?.mb ?? null;
  const warm = afterWarmUp[0]?.mb ?? null;
  const end = points[points.length - 1]?.mb ?? null;
  return {
    start,
    afterWarmUp: warm,
    end,
    max: points.length ? Math.max(...points.map((p) => p.mb)) : null,
    growth: warm !== null && end !== null ? end - warm : null,
    perMinute: slope(afterWarmUp.map((p) => ({ x: p.atS / 60, y: p.mb }))),
  };
}
