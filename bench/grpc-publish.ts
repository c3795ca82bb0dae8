import type { ClientWritableStream } from '@grpc/grpc-js';
import { credentials, Metadata } from '@grpc/grpc-js';
import { once } from 'node:events';
import type { PublishRequest, PublishSummary } from '@hookline/grpc-contract';
import { EventServiceClient } from '@hookline/grpc-contract';
import { clock, sleep, withTimeout } from './clock';

/** An EventService client (docs/contract.md#grpc) for the API's gRPC port on 127.0.0.1. */
export function eventServiceClient(port: number): EventServiceClient {
  return new EventServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
}

/** The call metadata that authenticates as `key`. */
export function bearer(key: string): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${key}`);
  return metadata;
}

export function waitForReady(client: EventServiceClient, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => client.waitForReady(clock() + timeoutMs, (error) => (error ? reject(error) : resolve())));
}

/** A PublishStream call; `summary` settles once the server has answered the ended stream. */
export function openPublishStream(client: EventServiceClient, metadata: Metadata): { call: ClientWritableStream<PublishRequest>; summary: Promise<PublishSummary> } {
  let call!: ClientWritableStream<PublishRequest>;
  const summary = new Promise<PublishSummary>((resolve, reject) => {
    call = client.publishStream(metadata, (error, result) => (error ? reject(error) : resolve(result)));
  });
  return { call, summary };
}

/** What an open-loop PublishStream feed did. */
export interface StreamFeed {
  /** Messages the schedule asked for. */
  scheduled: number;
  written: number;
  /** Scheduled but never written: the stream was still pushing back LATE_GRACE_MS after the feed's end. */
  unsent: number;
  /** Most messages at once that were due but held back by the stream's backpressure. */
  maxBehind: number;
  summary: PublishSummary;
  startedAt: number;
  /** When the server's summary came back: every accepted event is stored by then. */
  summarizedAt: number;
}

const TICK_MS = 50;
/** How late the last messages of the schedule may still be written. */
const LATE_GRACE_MS = 1_000;
const SUMMARY_TIMEOUT_MS = 60_000;

/**
 * Open loop over one long-lived PublishStream: every TICK_MS the messages due by then (start + i/rate)
 * are written, whatever the server is doing. When write() reports backpressure nothing more is
 * written until 'drain', which then catches up with the schedule; the messages held back meanwhile
 * are only a count, never a buffer. So a server that cannot keep up lowers the achieved rate, and
 * the bench's memory stays flat.
 */
export async function publishStreamOpenLoop(
  client: EventServiceClient,
  metadata: Metadata,
  ratePerSecond: number,
  seconds: number,
  message: (i: number) => PublishRequest,
): Promise<StreamFeed> {
  const scheduled = Math.round(ratePerSecond * seconds);
  const { call, summary } = openPublishStream(client, metadata);
  let failure: Error | undefined;
  // Handled at once: the call may fail long before the feed ends and awaits it.
  const answered = summary.catch((error: Error) => {
    failure = error;
    return null;
  });
  call.on('error', (error: Error) => (failure ??= error));

  const startedAt = clock();
  let written = 0;
  let maxBehind = 0;
  let writable = true;
  let feeding = true;
  const writeDue = () => {
    const due = Math.min(scheduled, Math.floor(((clock() - startedAt) * ratePerSecond) / 1000));
    while (writable && written < due) writable = call.write(message(written++));
    maxBehind = Math.max(maxBehind, due - written);
  };
  call.on('drain', () => {
    writable = true;
    if (feeding) writeDue();
  });
  const stopAt = startedAt + seconds * 1000 + LATE_GRACE_MS;
  for (let tick = 1; written < scheduled && clock() < stopAt && !failure; tick++) {
    writeDue();
    await sleep(Math.max(0, startedAt + tick * TICK_MS - clock()));
  }
  feeding = false;
  call.end();
  const result = await withTimeout(answered, SUMMARY_TIMEOUT_MS, 'PublishStream summary').catch((error: Error) => {
    call.cancel();
    throw error;
  });
  if (!result) throw new Error(`PublishStream failed after ${written} messages: ${failure?.message}`);
  return { scheduled, written, unsent: scheduled - written, maxBehind, summary: result, startedAt, summarizedAt: clock() };
}

/** What a closed-loop PublishStream did. */
export interface StreamBurst {
  summary: PublishSummary;
  startedAt: number;
  /** When the server's summary came back: every accepted event is stored by then. */
  summarizedAt: number;
}

/** Closed loop over one PublishStream: `count` messages written as fast as the stream's backpressure allows. */
export async function publishStreamClosedLoop(client: EventServiceClient, metadata: Metadata, count: number, message: (i: number) => PublishRequest): Promise<StreamBurst> {
  const { call, summary } = openPublishStream(client, metadata);
  const startedAt = clock();
  try {
    for (let i = 0; i < count; i++) {
      // A failed call never drains; its summary rejects instead.
      if (!call.write(message(i))) await Promise.race([once(call, 'drain'), summary]);
    }
    call.end();
    return { summary: await withTimeout(summary, SUMMARY_TIMEOUT_MS, 'PublishStream summary'), startedAt, summarizedAt: clock() };
  } catch (error) {
    call.cancel();
    throw error;
  }
}
