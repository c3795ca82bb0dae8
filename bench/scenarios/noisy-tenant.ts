import { firstAttempts, publishToFirstAttempt, SETTLE_SECONDS, splitBySentAt } from '../arrivals';
import { clock } from '../clock';
import type { PublishLog } from '../load';
import { publishClosedLoop, publishOpenLoop } from '../load';
import type { Summary } from '../stats';
import { summarize } from '../stats';
import type { HooklineContext, ScenarioResult } from './scenario';
import { metric } from './scenario';
import { warmUp } from './warm-up';

const QUIET_PATH = '/nt/quiet';
const NOISY_PATH = '/nt/noisy';
const QUIET_TYPE = 'bench.quiet';
const NOISY_TYPE = 'bench.bulk';
const WARMUP = 100;
/** Tenant A's backlog is its events fanned out to this many subscriptions: few requests, many deliveries. */
const NOISY_SUBSCRIPTIONS = 50;

interface QuietPhase {
  log: PublishLog;
  latency: Summary;
  /** The first SETTLE_SECONDS, not measured. */
  settling: Summary;
  measured: number;
  complete: boolean;
  /** Jobs ready to run (mostly tenant A's) when the phase started and when its last event was published. */
  runnableAtStart: number;
  runnableAtEnd: number;
  queueAtStart: Record<string, number>;
  /** Tenant A's first attempts between B's first publish and B's last first attempt. */
  noisyAttemptsMeanwhile: number;
}

/**
 * Noisy tenant: tenant B publishes `noisyTenantRate` events/s, first alone, then right after tenant A
 * queued `noisyTenantBacklog` deliveries (a bulk upload's worth, published while the queue was paused
 * so all of it is queued when B starts); each phase measures `noisyTenantSeconds` after
 * SETTLE_SECONDS. B's publish → first attempt beside A should stay near its figure alone: A's jobs
 * past its fair share wait behind B's, in Redis and in the worker (see README "Fair tenants").
 */
export async function noisyTenant(ctx: HooklineContext): Promise<ScenarioResult> {
  const { config, api, db, receiver, queue } = ctx;
  const quietTenant = await api.createTenant('bench quiet tenant');
  const quiet = await api.createSubscription(quietTenant, receiver.url(QUIET_PATH));
  await warmUp(ctx, quietTenant, QUIET_TYPE, WARMUP, { subscriptionId: quiet });

  let expectedQuiet = WARMUP;
  const phase = async (label: string, budgetMs: number): Promise<QuietPhase> => {
    ctx.log(`  ${label}: tenant B at ${config.noisyTenantRate} events/s for ${SETTLE_SECONDS} s to settle, then ${config.noisyTenantSeconds} s measured`);
    const queueAtStart = await queue.byState();
    const runnableAtStart = await queue.runnable();
    const seconds = SETTLE_SECONDS + config.noisyTenantSeconds;
    const log = await publishOpenLoop(api, quietTenant, config.noisyTenantRate, seconds, (i) => ctx.payloads.publishBody(QUIET_TYPE, i));
    const runnableAtEnd = await queue.runnable();
    expectedQuiet += log.accepted;
    const done = await db.waitForSucceeded({ subscriptionId: quiet }, expectedQuiet, budgetMs);
    const { records } = await receiver.drain();
    const quietArrivals = firstAttempts(records, QUIET_PATH);
    const lastQuiet = Math.max(...quietArrivals.map((a) => a.arrivedAt));
    const noisyAttemptsMeanwhile = firstAttempts(records, NOISY_PATH).filter((a) => a.arrivedAt >= log.firstSentAt && a.arrivedAt <= lastQuiet).length;
    const measuredFrom = log.firstSentAt + SETTLE_SECONDS * 1000;
    const [settlingSent, measuredSent] = splitBySentAt(log.sentAt, measuredFrom);
    const latency = summarize(publishToFirstAttempt(quietArrivals, measuredSent));
    const settling = summarize(publishToFirstAttempt(quietArrivals, settlingSent));
    return { log, latency, settling, measured: measuredSent.size, complete: done.complete, runnableAtStart, runnableAtEnd, queueAtStart, noisyAttemptsMeanwhile };
  };

  const alone = await phase('alone', 60_000);

  const noisyTenant = await api.createTenant('bench noisy tenant');
  for (let i = 0; i < NOISY_SUBSCRIPTIONS; i++) await api.createSubscription(noisyTenant, receiver.url(`${NOISY_PATH}/${i}`));
  const noisyEvents = Math.ceil(config.noisyTenantBacklog / NOISY_SUBSCRIPTIONS);
  ctx.log(`  tenant A: ${noisyEvents} events × ${NOISY_SUBSCRIPTIONS} subscriptions = ${noisyEvents * NOISY_SUBSCRIPTIONS} deliveries, queued while the queue is paused`);
  await queue.pause();
  const queuedFrom = clock();
  let backlogLog: PublishLog;
  try {
    backlogLog = await publishClosedLoop(api, noisyTenant, noisyEvents, config.publishConcurrency, (i) => ctx.payloads.publishBody(NOISY_TYPE, i));
  } finally {
    await queue.resume();
  }
  const queuedMs = clock() - queuedFrom;
  if (backlogLog.errors > 0) throw new Error(`tenant A: ${backlogLog.errors} publishes failed, first: ${backlogLog.firstError}`);
  const noisyDeliveries = backlogLog.accepted * NOISY_SUBSCRIPTIONS;

  const beside = await phase(`beside tenant A's ${noisyDeliveries} deliveries`, 120_000);
  const drainStarted = clock();
  const noisyDone = await db.waitForSucceeded({ tenantId: noisyTenant }, noisyDeliveries, Math.max(120_000, noisyDeliveries * 5));
  const noisyDrainMs = clock() - drainStarted;
  await receiver.drain();
  if (!alone.complete || !beside.complete) throw new Error("tenant B's deliveries did not all succeed within the time budget");
  if (!noisyDone.complete) throw new Error(`tenant A: ${noisyDone.count} of ${noisyDeliveries} deliveries succeeded within the time budget`);

  const p99Ratio = alone.latency.p99 && beside.latency.p99 !== null ? beside.latency.p99 / alone.latency.p99 : null;
  return {
    id: 'noisy-tenant',
    title: `Noisy tenant: B at ${config.noisyTenantRate} events/s beside A's ${noisyDeliveries} queued deliveries`,
    metrics: [
      metric('aloneP50', 'tenant B alone: publish → first attempt p50', alone.latency.p50, 'ms'),
      metric('aloneP99', 'tenant B alone: p99', alone.latency.p99, 'ms'),
      metric('besideP50', "tenant B beside A's backlog: p50", beside.latency.p50, 'ms'),
      metric('besideP99', "tenant B beside A's backlog: p99", beside.latency.p99, 'ms'),
      metric('p99Ratio', 'tenant B p99 beside ÷ alone (target ≤ 2)', p99Ratio, 'x'),
      metric('backlogLeft', "jobs still queued when B's last event was published", beside.runnableAtEnd, 'count'),
    ],
    details: {
      fairShareQueuedJobs: process.env.FAIR_SHARE_QUEUED_JOBS ?? 'default',
      quietEventsPerPhase: beside.measured,
      settleSeconds: SETTLE_SECONDS,
      alone: alone.latency,
      beside: beside.latency,
      aloneSettling: alone.settling,
      besideSettling: beside.settling,
      noisyDeliveries,
      noisyQueuedMs: Math.round(queuedMs),
      runnableWhenBStarted: beside.runnableAtStart,
      queueWhenBStarted: beside.queueAtStart,
      noisyAttemptsWhileBWasServed: beside.noisyAttemptsMeanwhile,
      runnableWhenBEnded: beside.runnableAtEnd,
      noisyFinishedAfterBMs: Math.round(noisyDrainMs),
    },
  };
}
