import type { WorkerOptions } from 'bullmq';
import type { AppConfig } from '@hookline/config';

/** How much longer than one request the queue lock lives: signing, recording and Redis round trips. */
export const LOCK_MARGIN_MS = 5_000;

/**
 * BullMQ options for the delivery worker. The lock must outlive the whole request, or a second
 * worker could take the job while the first is still sending it (a duplicate in flight).
 */
export function deliveryWorkerOptions(config: AppConfig): Partial<WorkerOptions> {
  const lockDuration = config.DELIVERY_TIMEOUT_MS + LOCK_MARGIN_MS;
  return {
    concurrency: config.WORKER_CONCURRENCY,
    lockDuration,
    stalledInterval: Math.min(lockDuration, 30_000),
    // A job whose worker died is taken again this many times; after that BullMQ drops it and the
    // sweeper, which reads Postgres, re-enqueues the delivery.
    maxStalledCount: 5,
  };
}

/**
 * Each shard's worker takes WORKER_CONCURRENCY / QUEUE_SHARDS jobs at a time (rounded up): the
 * process's total stays WORKER_CONCURRENCY. A shard gets no more of a process than its share, but
 * one subscription, which lives on one shard, is held to ENDPOINT_MAX_IN_FLIGHT per process anyway.
 */
export function shardConcurrency(config: Pick<AppConfig, 'WORKER_CONCURRENCY' | 'QUEUE_SHARDS'>): number {
  return Math.max(1, Math.ceil(config.WORKER_CONCURRENCY / config.QUEUE_SHARDS));
}

export function assertLockOutlivesRequest(options: Partial<WorkerOptions>, config: AppConfig): void {
  const lock = options.lockDuration ?? 30_000;
  if (lock <= config.DELIVERY_TIMEOUT_MS) {
    throw new Error(`queue lock (${lock}ms) must outlive DELIVERY_TIMEOUT_MS (${config.DELIVERY_TIMEOUT_MS}ms); refusing to start`);
  }
}
