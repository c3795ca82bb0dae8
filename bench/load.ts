import { clock, sleep } from './clock';
import type { HooklineClient, PublishedEvent } from './hookline-client';

/** What a publishing loop did: per accepted event its id, when it was sent and when the 202 came back. */
export interface PublishLog {
  sentAt: Map<string, number>;
  acceptLatencies: number[];
  firstSentAt: number;
  lastAcceptedAt: number;
  accepted: number;
  errors: number;
  firstError?: string;
  /** Open loop only: how late each send left against its schedule (the bench's own lag). */
  sendLags: number[];
}

/** Runs fn(0..count-1) with at most `concurrency` calls in flight. */
export async function runConcurrent(count: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

function newLog(): PublishLog {
  return { sentAt: new Map(), acceptLatencies: [], firstSentAt: Infinity, lastAcceptedAt: 0, accepted: 0, errors: 0, sendLags: [] };
}

async function publishOne(client: HooklineClient, tenantId: string, body: string, log: PublishLog): Promise<{ event: PublishedEvent; sentAt: number } | null> {
  const sentAt = clock();
  if (sentAt < log.firstSentAt) log.firstSentAt = sentAt;
  try {
    const event = await client.publish(tenantId, body);
    const acceptedAt = clock();
    log.sentAt.set(event.id, sentAt);
    log.acceptLatencies.push(acceptedAt - sentAt);
    log.accepted++;
    if (acceptedAt > log.lastAcceptedAt) log.lastAcceptedAt = acceptedAt;
    return { event, sentAt };
  } catch (error) {
    log.errors++;
    log.firstError ??= (error as Error).message;
    return null;
  }
}

/** Back to back: `count` events, `concurrency` requests in flight. */
export async function publishClosedLoop(client: HooklineClient, tenantId: string, count: number, concurrency: number, body: (i: number) => string): Promise<PublishLog> {
  const log = newLog();
  await runConcurrent(count, concurrency, async (i) => {
    await publishOne(client, tenantId, body(i), log);
  });
  return log;
}

/**
 * Open loop: event i is sent at start + i/rate whatever the earlier ones are doing, so a slow
 * response delays nothing else (no coordinated omission). `onAccepted` sees each 202.
 */
export async function publishOpenLoop(
  client: HooklineClient,
  tenantId: string,
  ratePerSecond: number,
  seconds: number,
  body: (i: number) => string,
  onAccepted?: (event: PublishedEvent, sentAt: number, i: number) => void,
): Promise<PublishLog> {
  const log = newLog();
  const total = Math.round(ratePerSecond * seconds);
  const interval = 1000 / ratePerSecond;
  const start = clock() + 5;
  const inflight: Promise<void>[] = [];
  let next = 0;
  while (next < total) {
    const now = clock();
    while (next < total && start + next * interval <= now) {
      const i = next++;
      log.sendLags.push(now - (start + i * interval));
      inflight.push(
        publishOne(client, tenantId, body(i), log).then((result) => {
          if (result && onAccepted) onAccepted(result.event, result.sentAt, i);
        }),
      );
    }
    if (next < total) await sleep(Math.max(0, start + next * interval - clock()));
  }
  await Promise.all(inflight);
  return log;
}
