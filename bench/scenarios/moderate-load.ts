import { firstAttempts, publishToFirstAttempt } from '../arrivals';
import { clock, sleep } from '../clock';
import type { HooklineClient } from '../hookline-client';
import { publishOpenLoop } from '../load';
import { perSecond, summarize } from '../stats';
import type { HooklineContext, ScenarioResult } from './scenario';
import { drainBudgetMs, metric } from './scenario';
import { warmUp } from './warm-up';

const PATH = '/moderate';
const TYPE = 'bench.moderate';
const WARMUP = 200;
const POLL_EVERY_MS = 10;
const VISIBILITY_TIMEOUT_MS = 30_000;

/**
 * 4. Latency at moderate load: events published open loop at a fixed rate. Publish → first attempt
 * for every event (receiver clock); publish → `succeeded` visible through
 * `GET /v1/tenants/{t}/deliveries?eventId=` for one event in `visibilitySampleEvery`, polled every 10 ms.
 */
export async function moderateLoad(ctx: HooklineContext): Promise<ScenarioResult> {
  const { config, api, db, receiver } = ctx;
  const tenantId = await api.createTenant('bench moderate load');
  await api.createSubscription(tenantId, receiver.url(PATH));
  await warmUp(ctx, tenantId, TYPE, WARMUP, { tenantId });

  const visible: number[] = [];
  let invisible = 0;
  const polls: Promise<void>[] = [];
  const sample = (eventId: string, sentAt: number) =>
    polls.push(
      pollUntilSucceeded(ctx.poller, tenantId, eventId).then((seenAt) => {
        if (seenAt === null) invisible++;
        else visible.push(seenAt - sentAt);
      }),
    );

  ctx.log(`  ${config.moderateRate} events/s for ${config.moderateSeconds} s, open loop`);
  const log = await publishOpenLoop(
    api,
    tenantId,
    config.moderateRate,
    config.moderateSeconds,
    (i) => ctx.payloads.publishBody(TYPE, i),
    (event, sentAt, i) => {
      if (i % config.visibilitySampleEvery === 0) sample(event.id, sentAt);
    },
  );
  await Promise.all(polls);
  const done = await db.waitForSucceeded({ tenantId }, WARMUP + log.accepted, drainBudgetMs(log.accepted));
  if (!done.complete) throw new Error(`${done.count - WARMUP} of ${log.accepted} deliveries succeeded within the time budget`);

  const { records } = await receiver.drain();
  const firstAttempt = summarize(publishToFirstAttempt(firstAttempts(records, PATH), log.sentAt));
  const visibility = summarize(visible);
  const lag = summarize(log.sendLags);
  const accept = summarize(log.acceptLatencies);
  return {
    id: '4',
    title: `Latency at ${config.moderateRate} events/s for ${config.moderateSeconds} s (open loop)`,
    metrics: [
      metric('publishRate', 'publish rate achieved', perSecond(log.accepted, log.lastAcceptedAt - log.firstSentAt), 'events/s'),
      metric('acceptP99', 'publish 202 latency p99', accept.p99, 'ms'),
      metric('firstAttemptP50', 'publish → first attempt p50', firstAttempt.p50, 'ms'),
      metric('firstAttemptP99', 'publish → first attempt p99', firstAttempt.p99, 'ms'),
      metric('firstAttemptMax', 'publish → first attempt max', firstAttempt.max, 'ms'),
      metric('visibleP50', 'publish → succeeded in API p50', visibility.p50, 'ms'),
      metric('visibleP99', 'publish → succeeded in API p99', visibility.p99, 'ms'),
      metric('visibleMax', 'publish → succeeded in API max', visibility.max, 'ms'),
    ],
    details: {
      events: log.accepted,
      publishErrors: log.errors,
      firstPublishError: log.firstError,
      publishAcceptLatency: accept,
      benchSendLag: lag,
      publishToFirstAttempt: firstAttempt,
      publishToSucceededVisible: visibility,
      visibilitySamples: visible.length,
      visibilityTimedOut: invisible,
      visibilityPollIntervalMs: POLL_EVERY_MS,
    },
  };
}

/** When the API first showed the event's delivery as succeeded (response received), or null on timeout. */
async function pollUntilSucceeded(client: HooklineClient, tenantId: string, eventId: string): Promise<number | null> {
  const deadline = clock() + VISIBILITY_TIMEOUT_MS;
  while (clock() < deadline) {
    const deliveries = await client.deliveriesOfEvent(tenantId, eventId);
    const seenAt = clock();
    if (deliveries.length > 0 && deliveries.every((d) => d.status === 'succeeded')) return seenAt;
    await sleep(POLL_EVERY_MS);
  }
  return null;
}
