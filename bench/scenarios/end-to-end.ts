import { firstAttempts, publishToFirstAttempt } from '../arrivals';
import { clock } from '../clock';
import { cpuBetween, sampleCpu } from '../cpu-usage';
import { publishClosedLoop } from '../load';
import { summarizeProfile } from '../profile';
import { perSecond, summarize } from '../stats';
import { deferralsBetween, drainBudgetMs, HooklineContext, metric, ScenarioResult, totalOf } from './scenario';
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

  const profiled = config.profile ? [ctx.apiProcess, ...ctx.workers] : [];
  for (const proc of profiled) await proc.startProfile();
  const deferralsBefore = await api.deferrals();
  const cpuBefore = sampleCpu(ctx.cpuTargets(), clock());
  ctx.log(`  publishing ${config.events} events, ${config.publishConcurrency} requests in flight`);
  const log = await publishClosedLoop(api, tenantId, config.events, config.publishConcurrency, (i) => ctx.payloads.publishBody(TYPE, i));
  const done = await db.waitForSucceeded({ tenantId }, WARMUP + log.accepted, drainBudgetMs(config.events), 20);
  const cpu = cpuBetween(cpuBefore, sampleCpu(ctx.cpuTargets(), clock()));
  const deferrals = deferralsBetween(deferralsBefore, await api.deferrals());
  const profiles = [];
  for (const proc of profiled) profiles.push({ process: proc.name, ...summarizeProfile(await proc.stopProfile()) });
  ctx.log(`  CPU (cores busy): ${cpu.shares.map((c) => `${c.label} ${c.cores.toFixed(2)}`).join(', ')}; whole machine ${cpu.machineCores?.toFixed(2) ?? '?'}`);
  for (const p of profiles) {
    ctx.log(`  ${p.process} profile (${p.file}): ${p.busySamples} busy samples, ${p.idleSamples} idle; self time, share of busy:`);
    for (const entry of p.byPackage.slice(0, 8)) ctx.log(`    ${entry.percent.toFixed(1).padStart(5)}%  ${entry.name}`);
    for (const entry of p.topFunctions.slice(0, 12)) ctx.log(`    ${entry.percent.toFixed(1).padStart(5)}%  ${entry.name}`);
  }
  if (!done.complete) throw new Error(`${done.count - WARMUP} of ${log.accepted} deliveries succeeded within the time budget`);

  const { records } = await receiver.drain();
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
      profiles,
    },
  };
}
