import { Injectable, Logger } from '@nestjs/common';

/** Where Hookline carries on without Redis instead of failing, as labelled in `hookline_fail_open_total`. */
export const FAIL_OPEN_PATHS = [
  'api_rate_limit',
  'endpoint_gate',
  'metrics',
  'delivery_updates',
  'subscription_cache_invalidation',
  'api_key_cache_invalidation',
  'event_type_cache_invalidation',
  'fair_share',
] as const;
export type FailOpenPath = (typeof FAIL_OPEN_PATHS)[number];

/** What carrying on costs, for the warn line. */
const CONSEQUENCE: Record<FailOpenPath, string> = {
  api_rate_limit: 'API requests pass without the per-key rate limit',
  endpoint_gate: 'attempts go ahead without circuit breaker or rate limit checks',
  metrics: 'metrics are held back or served without the shared counters',
  delivery_updates: 'delivery updates for WatchDeliveries are dropped',
  subscription_cache_invalidation: 'subscription changes may reach workers only when their cache entries expire (5 s)',
  api_key_cache_invalidation: 'a revoked API key may stay usable on other API processes until their cache entries expire (60 s)',
  event_type_cache_invalidation: "an event type's schema change may reach other processes only when their cache entries expire (60 s)",
  fair_share: 'deliveries are queued without tenant lanes (first come, first served)',
};

/** A Redis outage may hit every request: one line per path in this long, with the count since the last. */
export const FAIL_OPEN_WARN_INTERVAL_MS = 30_000;

/**
 * Records each time this process goes on without Redis: a warn line at most every 30 s per path
 * (an outage must not flood the logs, nor pass unnoticed), and counts for `/metrics`.
 */
@Injectable()
export class FailOpen {
  private readonly logger = new Logger(FailOpen.name);
  private readonly totals = new Map<FailOpenPath, number>();
  private unshared = new Map<FailOpenPath, number>();
  private readonly lines = new Map<FailOpenPath, { at: number; since: number }>();

  record(path: FailOpenPath, error?: unknown, count = 1): void {
    add(this.totals, path, count);
    add(this.unshared, path, count);
    const line = this.lines.get(path) ?? { at: Number.NEGATIVE_INFINITY, since: 0 };
    this.lines.set(path, line);
    line.since += count;
    const now = Date.now();
    if (now - line.at < FAIL_OPEN_WARN_INTERVAL_MS) return;
    const reason = error === undefined ? 'Redis is not connected' : `Redis error: ${(error as Error)?.message ?? String(error)}`;
    const occurrences = `${line.since} ${line.since === 1 ? 'occurrence' : 'occurrences'} since the last such line`;
    this.logger.warn(`fail-open ${path}: ${CONSEQUENCE[path]} (${reason}; ${occurrences})`);
    line.at = now;
    line.since = 0;
  }

  /** Everything this process has recorded since it started. */
  total(path: FailOpenPath): number {
    return this.totals.get(path) ?? 0;
  }

  /** Counts not yet added to the shared totals in Redis (the worker's way to `/metrics`); `giveBack` if that fails. */
  takeUnshared(): Map<FailOpenPath, number> {
    const taken = this.unshared;
    this.unshared = new Map();
    return taken;
  }

  giveBack(counts: Map<FailOpenPath, number>): void {
    for (const [path, n] of counts) add(this.unshared, path, n);
  }
}

function add(map: Map<FailOpenPath, number>, path: FailOpenPath, n: number) {
  map.set(path, (map.get(path) ?? 0) + n);
}
