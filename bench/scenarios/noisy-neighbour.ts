import { countUnder, firstAttempts, publishToFirstAttempt, SETTLE_SECONDS, splitBySentAt } from '../arrivals';
import type { PublishLog } from '../load';
import { publishOpenLoop } from '../load';
import type { Summary } from '../stats';
import { summarize } from '../stats';
import { HANG_PREFIX } from '../receiver-protocol';
import type { HooklineContext, ScenarioResult } from './scenario';
import { deferralsBetween, metric } from './scenario';
import { warmUp } from './warm-up';

const HEALTHY_PATH = '/nn/ok';
const HANG_PATH = `${HANG_PREFIX}/nn`;
const TYPE = 'bench.noisy';
const WARMUP = 100;

interface HealthyPhase {
  log: PublishLog;
  healthyLatency: Summary;
  /** The first SETTLE_SECONDS, not measured. */
  settling: Summary;
  hangStarted: number;
  complete: boolean;
}

/**
 * 5b. Noisy neighbour: events at `noisyRate`/s to a healthy subscription, first alone, then beside
 * a second subscription (another origin) whose endpoint never answers, so each of its attempts holds
 * a worker slot until DELIVERY_TIMEOUT_MS. The healthy subscription's publish → first attempt should
 * stay near its figure alone. Each phase measures `noisySeconds` after SETTLE_SECONDS.
 */
export async function noisyNeighbour(ctx: HooklineContext): Promise<ScenarioResult> {
  const { config, api, db, receiver, queue } = ctx;
  const tenantId = await api.createTenant('bench noisy neighbour');
  const healthy = await api.createSubscription(tenantId, receiver.url(HEALTHY_PATH));
  await warmUp(ctx, tenantId, TYPE, WARMUP, { subscriptionId: healthy });

  const phase = async (label: string, expectedHealthy: number, budgetMs: number): Promise<HealthyPhase> => {
    ctx.log(`  ${label}: ${config.noisyRate} events/s for ${SETTLE_SECONDS} s to settle, then ${config.noisySeconds} s measured`);
    const log = await publishOpenLoop(api, tenantId, config.noisyRate, SETTLE_SECONDS + config.noisySeconds, (i) => ctx.payloads.publishBody(TYPE, i));
    const done = await db.waitForSucceeded({ subscriptionId: healthy }, expectedHealthy + log.accepted, budgetMs);
    const { records } = await receiver.drain();
    const arrivals = firstAttempts(records, HEALTHY_PATH);
    const [settlingSent, measuredSent] = splitBySentAt(log.sentAt, log.firstSentAt + SETTLE_SECONDS * 1000);
    return {
      log,
      healthyLatency: summarize(publishToFirstAttempt(arrivals, measuredSent)),
      settling: summarize(publishToFirstAttempt(arrivals, settlingSent)),
      hangStarted: countUnder(records, HANG_PATH),
      complete: done.complete,
    };
  };

  const events = config.noisyRate * (SETTLE_SECONDS + config.noisySeconds);
  const alone = await phase('healthy subscription alone', WARMUP, 60_000);
  const hanging = await api.createSubscription(tenantId, receiver.noisyUrl(HANG_PATH));
  const deferralsBefore = await api.deferrals();
  // Every hanging attempt holds a slot for the whole timeout: the drain takes about this long.
  const saturatedMs = Math.ceil(events / config.concurrency) * config.deliveryTimeoutMs;
  const beside = await phase('beside a hanging subscription', WARMUP + alone.log.accepted, config.noisySeconds * 1000 + saturatedMs + 60_000);

  const deferrals = deferralsBetween(deferralsBefore, await api.deferrals());
  // Its remaining jobs are cancelled by the worker (subscription disabled) instead of each waiting out the timeout.
  await api.disableSubscription(tenantId, hanging);
  const settled = await queue.waitIdle(saturatedMs + config.deliveryTimeoutMs * 2 + 30_000);
  const late = await receiver.drain();
  const statuses = await db.statusCounts({ subscriptionId: hanging });
  if (!alone.complete || !beside.complete) throw new Error('healthy deliveries did not all succeed within the time budget');

  const p99Ratio = alone.healthyLatency.p99 && beside.healthyLatency.p99 !== null ? beside.healthyLatency.p99 / alone.healthyLatency.p99 : null;
  return {
    id: '5b',
    title: `Noisy neighbour: ${config.noisyRate} events/s, one subscription hanging until the ${config.deliveryTimeoutMs} ms timeout`,
    metrics: [
      metric('aloneP50', 'healthy alone: publish → first attempt p50', alone.healthyLatency.p50, 'ms'),
      metric('aloneP99', 'healthy alone: publish → first attempt p99', alone.healthyLatency.p99, 'ms'),
      metric('besideP50', 'healthy beside hanging: p50', beside.healthyLatency.p50, 'ms'),
      metric('besideP99', 'healthy beside hanging: p99', beside.healthyLatency.p99, 'ms'),
      metric('besideMax', 'healthy beside hanging: max', beside.healthyLatency.max, 'ms'),
      { ...metric('p99Ratio', 'healthy p99 beside ÷ alone', p99Ratio, 'x') },
    ],
    details: {
      eventsPerPhase: events,
      settleSeconds: SETTLE_SECONDS,
      deliveryTimeoutMs: config.deliveryTimeoutMs,
      workerConcurrency: config.concurrency,
      alone: alone.healthyLatency,
      beside: beside.healthyLatency,
      aloneSettling: alone.settling,
      besideSettling: beside.settling,
      hangingAttemptsStartedDuringPhase: beside.hangStarted,
      hangingAttemptsStartedAfter: countUnder(late.records, HANG_PATH),
      hangingSubscriptionStatuses: statuses,
      deferralsBesideHanging: deferrals,
      queueSettled: settled,
    },
  };
}
