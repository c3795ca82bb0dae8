import { firstAttempts } from '../arrivals';
import { clock, sleep } from '../clock';
import { runConcurrent } from '../load';
import { summarize } from '../stats';
import type { HooklineContext, ScenarioResult } from './scenario';
import { metric } from './scenario';

const PATH = '/fan/';
const TYPE = 'bench.fanout';
const GAP_MS = 100;

/**
 * 5a. Fan-out: one event to `fanOutSubscriptions` subscriptions, published alone (the system is
 * otherwise idle), `fanOutRepeats` times. Per event: how soon the first and the last of its
 * deliveries arrive, and when the last is recorded as succeeded.
 */
export async function fanOut(ctx: HooklineContext): Promise<ScenarioResult> {
  const { config, api, db, receiver } = ctx;
  const fan = config.fanOutSubscriptions;
  const tenantId = await api.createTenant('bench fan-out');
  await runConcurrent(fan, 8, async (i) => {
    await api.createSubscription(tenantId, receiver.url(`${PATH}${i}`));
  });

  const accepted: number[] = [];
  const recorded: number[] = [];
  const sentAt = new Map<string, number>();
  let expected = 0;
  // Round 0 warms the worker's cache of the subscriptions and is not counted.
  for (let round = 0; round <= config.fanOutRepeats; round++) {
    const sent = clock();
    const event = await api.publish(tenantId, ctx.payloads.publishBody(TYPE, round));
    if (event.deliveryCount !== fan) throw new Error(`event fanned out to ${event.deliveryCount} subscriptions, expected ${fan}`);
    const acceptedAt = clock();
    expected += fan;
    const done = await db.waitForSucceeded({ tenantId }, expected, 30_000, 5);
    if (!done.complete) throw new Error(`fan-out round ${round}: ${done.count} of ${expected} deliveries succeeded within 30 s`);
    if (round === 0) {
      await receiver.drain();
    } else {
      sentAt.set(event.id, sent);
      accepted.push(acceptedAt - sent);
      recorded.push((done.lastRecordedAt ?? clock()) - sent);
    }
    await sleep(GAP_MS);
  }

  const byEvent = new Map<string, number[]>();
  for (const arrival of firstAttempts((await receiver.drain()).records, PATH)) {
    const sent = sentAt.get(arrival.webhookId);
    if (sent === undefined) continue;
    const list = byEvent.get(arrival.webhookId) ?? [];
    list.push(arrival.arrivedAt - sent);
    byEvent.set(arrival.webhookId, list);
  }
  const first = summarize([...byEvent.values()].map((l) => Math.min(...l)));
  const last = summarize([...byEvent.values()].map((l) => Math.max(...l)));
  const allRecorded = summarize(recorded);
  const accept = summarize(accepted);
  return {
    id: '5a',
    title: `Fan-out: one event to ${fan} subscriptions (${config.fanOutRepeats} events, one at a time)`,
    metrics: [
      metric('acceptP50', `publish 202 (${fan} deliveries written) p50`, accept.p50, 'ms'),
      metric('firstArrivalP50', 'publish → first of the deliveries arrives p50', first.p50, 'ms'),
      metric('lastArrivalP50', 'publish → last of the deliveries arrives p50', last.p50, 'ms'),
      metric('lastArrivalMax', 'publish → last of the deliveries arrives max', last.max, 'ms'),
      metric('allRecordedP50', 'publish → all succeeded in Postgres p50', allRecorded.p50, 'ms'),
    ],
    details: {
      subscriptions: fan,
      events: config.fanOutRepeats,
      deliveriesSeenPerEvent: [...byEvent.values()].map((l) => l.length),
      publishAccept: accept,
      firstArrival: first,
      lastArrival: last,
      allRecorded,
    },
  };
}
