import type { BenchConfig } from '../bench-config';
import type { CpuTarget } from '../cpu-usage';
import type { DeliveriesDb } from '../deliveries-db';
import type { HooklineClient } from '../hookline-client';
import type { HooklineProcess } from '../hookline-processes';
import type { HooklineQueue } from '../hookline-queue';
import type { Payloads } from '../payloads';
import type { ReceiverClient } from '../receiver-client';

export interface Metric {
  /** Stable key for ratios and the JSON (`deliveriesPerSecond`). */
  key: string;
  label: string;
  value: number | null;
  unit: 'deliveries/s' | 'events/s' | 'ms' | 'MiB' | 'MiB/min' | 'count' | 'count/min' | 'cores' | 'x';
  /** Filled in by run.ts for the rows that have one (3÷1, 3÷2, 2 workers ÷ 1, …). */
  ratio?: string;
}

export interface ScenarioResult {
  id: string;
  title: string;
  metrics: Metric[];
  /** Raw summaries and anything else worth keeping in the JSON. */
  details: Record<string, unknown>;
  error?: string;
}

/** What scenarios without Hookline need. */
export interface BaseContext {
  config: BenchConfig;
  receiver: ReceiverClient;
  payloads: Payloads;
  log: (message: string) => void;
}

/** …and the running Hookline stack. */
export interface HooklineContext extends BaseContext {
  api: HooklineClient;
  /** A second, small pool for polling, so polls never queue behind publishes. */
  poller: HooklineClient;
  db: DeliveriesDb;
  queue: HooklineQueue;
  apiProcess: HooklineProcess;
  /** The API's gRPC port on 127.0.0.1 (EventService, docs/contract.md#grpc). */
  grpcPort: number;
  workers: HooklineProcess[];
  startWorker: (name: string) => Promise<HooklineProcess>;
  /** API, workers, receiver, bench, the bench database's Postgres backends, Redis: for CPU accounting. */
  cpuTargets: () => CpuTarget[];
}

export function metric(key: string, label: string, value: number | null | undefined, unit: Metric['unit']): Metric {
  return { key, label, value: value ?? null, unit };
}

/** Enough time to drain `deliveries` at a pessimistic 100 per second, and never less than a minute. */
export function drainBudgetMs(deliveries: number): number {
  return Math.max(60_000, deliveries * 10);
}

/** Deferrals (by reason) between two /metrics readings; null when the build has no such metric. */
export function deferralsBetween(before: Record<string, number> | null, after: Record<string, number> | null): Record<string, number> | null {
  if (!before || !after) return null;
  return Object.fromEntries(Object.entries(after).map(([reason, n]) => [reason, n - (before[reason] ?? 0)]));
}

export function totalOf(counts: Record<string, number> | null): number | null {
  return counts ? Object.values(counts).reduce((sum, n) => sum + n, 0) : null;
}
