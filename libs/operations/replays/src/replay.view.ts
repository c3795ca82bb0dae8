import type { Replay, ReplayStatus } from '@hookline/database';
import type { ReplayFilter } from './replay-filter';

/**
 * A replay as the API shows it. `matched`: deliveries (and, for a recovery, missing deliveries)
 * the filter selected when the replay started. `queued`: those it reset and queued (fewer when a
 * delivery changed state in between, e.g. succeeded on its own retry). `completed`: those of its
 * queued deliveries that have since reached a final state (succeeded, dead, cancelled) or were
 * queued again by a later replay. `status` is `completed` once every matched delivery was
 * considered and `completed` = `queued`.
 */
export interface ReplayView {
  id: string;
  tenantId: string | null;
  filter: ReplayFilter;
  status: ReplayStatus;
  matched: number;
  queued: number;
  completed: number;
  createdAt: Date;
  completedAt: Date | null;
}

export function replayView(row: Replay, liveCompleted?: number): ReplayView {
  return {
    id: row.id,
    tenantId: row.tenantId,
    filter: row.filter as unknown as ReplayFilter,
    status: row.status,
    matched: row.matched,
    queued: row.queued,
    completed: liveCompleted === undefined ? row.completed : Math.min(row.queued, liveCompleted + row.superseded),
    createdAt: row.createdAt,
    completedAt: row.completedAt,
  };
}

/** Where a running replay is; committed with each batch. */
export interface ReplayProgress {
  phase: 'count' | 'reset' | 'create' | 'in-flight' | 'drain';
  /** Keyset position: the last delivery id (reset) or event id (create) handled. */
  after: string;
  /** Deliveries skipped because an attempt was in flight; retried once it ends. */
  inFlight?: string[];
  /** How many times the in-flight ones were tried, or the drain checked. */
  tries?: number;
}
