import { firstAttempts, publishToFirstAttempt } from '../arrivals';
import { clock } from '../clock';
import { publishClosedLoop } from '../load';
import { perSecond, summarize } from '../stats';
import type { HooklineContext, ScenarioResult } from './scenario';
import { deferralsBetween, drainBudgetMs, metric, totalOf } from './scenario';
import { describePostgresWork, postgresWorkPerDelivery } from '../postgres-work';
import { observed } from './observed';
import { warmUp } from './warm-up';

const PATH = '/e2e';
const TYPE = 'bench.e2e';
const WARMUP = 300;

/**
 * 3. Hookline end to end: N events published back to back through the REST API to one
 * subscription; done when all N deliveries are `succeeded` in Postgres (every attempt recorded).
 */
export async function endToEnd(ctx: HooklineContext): Promise<ScenarioResult> {
  const { config, api, db, receiver } = ctx;
  const tenantId = await api.createTenant('bench end to end');
  await api.createSubscription(tenantId, receiver.url(PATH));
  await warmUp(ctx, tenantId, TYPE, WARMUP, { tenantId });

  const deferralsBefore = await api.deferrals();
  const countersBefore = await db.postgresCounters();
  ctx.log(`  publishing ${config.events} events, ${config.publishConcurrency} requests in flight`);
  const { result, cpu, profiles } = await observed(ctx, 'end-to-end', [ctx.apiProcess, ...ctx.workers], async () => {
    const log = await publishClosedLoop(api, tenantId, config.events, config.publishConcurrency, (i) => ctx.payloads.publishBody(TYPE, i));
    const done = await db.waitForSucceeded({ tenantId }, WARMUP + log.accepted, drainBudgetMs(config.events), 20);
    return { log, done };
  });
  const { log, done } = result;
  const deferrals = deferralsBetween(deferralsBefore, await api.deferrals());
  if (!done.complete) throw new Error(`${done.count - WARMUP} of ${log.accepted} deliveries succeeded within the time budget`);

  const { records } = await receiver.drain();
  const postgres = postgresWorkPerDelivery(countersBefore, await db.settledPostgresCounters(), log.accepted);
  ctx.log(`  Postgres per delivery: ${describePostgresWork(postgres)}`);
  const arrivals = firstAttempts(records, PATH);
  const firstAttempt = summarize(publishToFirstAttempt(arrivals, log.sentAt));
  const accept = summarize(log.acceptLatencies);
  const endedAt = done.lastRecordedAt ?? clock();
  return {
    id: '3',
    title: 'Hookline end to end (REST → Postgres → BullMQ → POST → attempt recorded)',
    metrics: [
      metric('deliveriesPerSecond', 'deliveries/s sustained (first publish → last succeeded)', perSecond(log.accepted, endedAt - log.firstSentAt), 'deliveries/s'),
      metric('publishPerSecond', 'publish accepted/s (202)', perSecond(log.accepted, log.lastAcceptedAt - log.firstSentAt), 'events/s'),
      metric('acceptP99', 'publish 202 latency p99', accept.p99, 'ms'),
      metric('firstAttemptP50', 'publish → first attempt p50', firstAttempt.p50, 'ms'),
      metric('firstAttemptP99', 'publish → first attempt p99', firstAttempt.p99, 'ms'),
      metric('heldBack', 'attempts held back by the worker (deferrals)', totalOf(deferrals), 'count'),
      metric('workerRss', 'worker RSS after', ctx.workers[0].rssMb(), 'MiB'),
    ],
    details: {
      events: config.events,
      accepted: log.accepted,
      publishErrors: log.errors,
      firstPublishError: log.firstError,
      elapsedMs: endedAt - log.firstSentAt,
      drainAfterLastPublishMs: endedAt - log.lastAcceptedAt,
      publishAcceptLatency: accept,
      publishToFirstAttempt: firstAttempt,
      firstAttemptsSeen: arrivals.length,
      requestsAtReceiver: records.length,
      deferrals,
      cpu,
      postgres,
      profiles,
    },
  };
}
