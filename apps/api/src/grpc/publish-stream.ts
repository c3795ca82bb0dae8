import { status } from '@grpc/grpc-js';
import type { PublishInput } from '@hookline/events';
import type { PublishError, PublishRequest, PublishSummary } from '@hookline/grpc-contract';
import type { GrpcError } from './grpc-errors';
import { toGrpcError } from './grpc-errors';

/** One checked message of a stream, ready to publish. */
export interface StreamItem {
  tenantId: string;
  input: PublishInput;
}

export type ItemOutcome = { replayed: boolean } | { error: unknown };

export interface StreamPublisher {
  /** Checks one message (fields, tenant); throws to reject that message alone. */
  prepare(request: PublishRequest): Promise<StreamItem>;
  /** Publishes checked messages together: one outcome per item, in order. Throwing fails the whole batch. */
  publishBatch(items: StreamItem[]): Promise<ItemOutcome[]>;
}

export interface StreamLimits {
  /** Messages per batch (one insert statement per tenant in it). */
  batchSize: number;
  /** A batch is also closed once its data reaches this many bytes, so memory stays bounded for large events. */
  batchBytes: number;
  /** Batches being published at once; while they are, the stream is not read further. */
  batchesInFlight: number;
  /** A batch that is not full is published after this long, so a slow producer's events are not held back. */
  lingerMs: number;
}

export const PUBLISH_STREAM_LIMITS: StreamLimits = { batchSize: 500, batchBytes: 4 * 1024 * 1024, batchesInFlight: 2, lingerMs: 20 };
/** PublishSummary.errors lists at most this many; the counts stay exact. */
export const MAX_LISTED_ERRORS = 1_000;

/**
 * Reads a PublishStream and publishes its messages in batches. The stream is read only while
 * fewer than `batchesInFlight` batches are being written, so gRPC's flow control pushes back on a
 * producer that outpaces the database instead of the server buffering its messages. A failed
 * message is counted and listed with its index; it never stops the others. Rejects only when the
 * stream itself fails (e.g. the client cancelled).
 */
export async function consumePublishStream(
  stream: AsyncIterable<PublishRequest>,
  publisher: StreamPublisher,
  onInternalError: (error: unknown, index: number) => void,
  limits: StreamLimits = PUBLISH_STREAM_LIMITS,
): Promise<PublishSummary> {
  const summary: PublishSummary = { accepted: 0, rejected: 0, replayed: 0, errors: [], errorsTruncated: false };
  const reject = (index: number, error: unknown) => {
    const failure = toGrpcError(error);
    if (failure.code === status.INTERNAL) onInternalError(error, index);
    summary.rejected++;
    if (summary.errors.length < MAX_LISTED_ERRORS) summary.errors.push(publishError(index, failure));
    else summary.errorsTruncated = true;
  };
  const settle = (index: number, outcome: ItemOutcome) => {
    if ('error' in outcome) return reject(index, outcome.error);
    summary.accepted++;
    if (outcome.replayed) summary.replayed++;
  };

  let pending: { index: number; item: StreamItem }[] = [];
  let pendingBytes = 0;
  let lingering: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<void>>();

  const flush = () => {
    clearTimeout(lingering);
    lingering = undefined;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    pendingBytes = 0;
    const task: Promise<void> = publisher
      .publishBatch(batch.map((entry) => entry.item))
      .then(
        (outcomes) => batch.forEach((entry, i) => settle(entry.index, outcomes[i])),
        (error: unknown) => batch.forEach((entry) => reject(entry.index, error)),
      )
      .finally(() => {
        inFlight.delete(task);
        if (pending.length > 0 && !lingering) lingering = setTimeout(lingerFlush, limits.lingerMs);
      });
    inFlight.add(task);
  };
  // A partial batch goes out on its own only when a slot is free; otherwise when the next batch finishes.
  const lingerFlush = () => {
    lingering = undefined;
    if (inFlight.size < limits.batchesInFlight) flush();
  };

  let index = 0;
  try {
    for await (const request of stream) {
      const position = index++;
      let item: StreamItem;
      try {
        item = await publisher.prepare(request);
      } catch (error) {
        reject(position, error);
        continue;
      }
      pending.push({ index: position, item });
      pendingBytes += request.dataJson.length;
      if (pending.length >= limits.batchSize || pendingBytes >= limits.batchBytes) {
        while (inFlight.size >= limits.batchesInFlight) await Promise.race(inFlight);
        flush();
      } else if (!lingering) {
        lingering = setTimeout(lingerFlush, limits.lingerMs);
      }
    }
  } catch (error) {
    clearTimeout(lingering);
    throw error;
  }
  while (inFlight.size >= limits.batchesInFlight) await Promise.race(inFlight);
  flush();
  while (inFlight.size > 0) await Promise.all(inFlight);
  summary.errors.sort((a, b) => a.index - b.index);
  return summary;
}

function publishError(index: number, error: GrpcError): PublishError {
  return { index, code: error.code, message: error.message, fieldErrors: error.fieldErrors };
}
