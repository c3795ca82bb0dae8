import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { FailOpen, operatorKeys, redisKeyspace } from '@hookline/queue';
import { AUTO_DISABLE_AFTER_MS } from './auto-disable';
import { Clock } from './clock';
import { AdmitKeys, EndpointHealthScripts } from './endpoint-health.scripts';
import { OpenBreakersView } from './open-breakers.view';
import { orNullWhenRedisFails } from './redis-fail-open';

/** The breaker's state outlives the auto-disable window; any write refreshes it. */
const BREAKER_TTL_MS = AUTO_DISABLE_AFTER_MS + 2 * 24 * 3600_000;
/** While another worker's probe is in flight, check back after this long at most. */
const PROBE_WAIT_MS = 5_000;
/**
 * A success resets the breaker's failure streak in Redis at most this often per subscription and
 * worker (and always when this worker saw it fail since, or it may be open). So a streak can hide
 * successes of its first second only, and a breaker opens after at least BREAKER_OPEN_AFTER_MS
 * less that second of nothing but failures. Under 2 s of BREAKER_OPEN_AFTER_MS the interval is
 * half of it (with 0, every success resets).
 */
const SUCCESS_RESET_INTERVAL_MS = 1_000;
/** Bounds the memory of when each subscription's streak was last reset here. */
const MAX_TRACKED_RESETS = 10_000;

/** A failure recorded in the breaker: the streak it belongs to, for auto-disable. */
export interface FailureStreak {
  consecutiveFailures: number;
  /** Worker-clock ms of the streak's first failure. */
  firstFailureAt: number;
  /** Worker-clock ms this failure was recorded at. */
  recordedAt: number;
}

/**
 * Circuit breaker per subscription, shared by every worker through Redis: after
 * BREAKER_FAILURE_THRESHOLD failed attempts in a row spanning BREAKER_OPEN_AFTER_MS it opens; its
 * deliveries wait BREAKER_COOLDOWN_MS, then one probe goes; success closes it, failure re-opens it.
 * Its check before an attempt is the breaker's part of ADMIT (see EndpointGate); this records outcomes.
 */
@Injectable()
export class CircuitBreaker {
  private readonly logger = new Logger(CircuitBreaker.name);
  private readonly keys: ReturnType<typeof operatorKeys>;
  private readonly probeLeaseMs: number;
  private readonly successResetIntervalMs: number;
  /** When a success last reset each subscription's failure streak from this worker. */
  private readonly lastReset = new Map<string, number>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly scripts: EndpointHealthScripts,
    private readonly openBreakers: OpenBreakersView,
    private readonly failOpen: FailOpen,
  ) {
    this.keys = operatorKeys(redisKeyspace(config));
    this.probeLeaseMs = config.DELIVERY_TIMEOUT_MS + 5_000;
    this.successResetIntervalMs = Math.min(SUCCESS_RESET_INTERVAL_MS, Math.floor(config.BREAKER_OPEN_AFTER_MS / 2));
  }

  /** False for nearly every subscription: then its attempts need no breaker check in Redis. */
  mayBeOpen(subscriptionId: string): boolean {
    return this.openBreakers.mayBeOpen(subscriptionId);
  }

  admitKeys(subscriptionId: string): Pick<AdmitKeys, 'breaker' | 'probe'> {
    return { breaker: this.keys.breaker(subscriptionId), probe: this.keys.probe(subscriptionId) };
  }

  /** ADMIT's breaker arguments: now (worker ms), probe token, probe lease ms. */
  admitArgs(probeToken: string): [number, string, number] {
    return [this.clock.now(), probeToken, this.probeLeaseMs];
  }

  /** ADMIT found the breaker open: how long to wait before checking again (before jitter). */
  heldOpen(subscriptionId: string, scriptWaitMs: number): number {
    this.openBreakers.opened(subscriptionId);
    return scriptWaitMs > 0 ? scriptWaitMs : Math.min(PROBE_WAIT_MS, this.config.BREAKER_COOLDOWN_MS);
  }

  /**
   * Records an attempt's outcome (`probe`: the token when it was the probe). Returns the failure
   * streak when a failure was recorded, null otherwise (a success, or Redis unavailable).
   */
  async record(subscriptionId: string, outcome: 'success' | 'failure', probe: string | undefined): Promise<FailureStreak | null> {
    if (outcome === 'success' && !this.mustResetStreak(subscriptionId, probe)) return null;
    const now = this.clock.now();
    const state = await orNullWhenRedisFails(this.failOpen, () =>
      this.scripts.settle({ breaker: this.keys.breaker(subscriptionId), openBreakers: this.keys.openBreakers(subscriptionId), probe: this.keys.probe(subscriptionId) }, [
        subscriptionId,
        outcome,
        probe ? 1 : 0,
        now,
        this.config.BREAKER_FAILURE_THRESHOLD,
        this.config.BREAKER_OPEN_AFTER_MS,
        this.config.BREAKER_COOLDOWN_MS,
        BREAKER_TTL_MS,
      ]),
    );
    if (!state) return null;
    const { closed, consecutiveFailures, firstFailureAt, opened } = state;
    this.streakSettled(subscriptionId, outcome, opened);
    if (closed) this.logger.log({ subscription_id: subscriptionId }, `circuit closed for subscription ${subscriptionId}: ${probe ? 'the probe' : 'an attempt'} succeeded`);
    if (opened) this.logger.warn({ subscription_id: subscriptionId }, `circuit opened for subscription ${subscriptionId} after ${consecutiveFailures} failed attempts in a row`);
    return outcome === 'failure' ? { consecutiveFailures, firstFailureAt, recordedAt: now } : null;
  }

  /** A success resets the failure streak unless this worker reset it moments ago and saw no failure since. */
  private mustResetStreak(subscriptionId: string, probe: string | undefined): boolean {
    const last = this.lastReset.get(subscriptionId);
    return probe !== undefined || this.openBreakers.mayBeOpen(subscriptionId) || last === undefined || Date.now() - last >= this.successResetIntervalMs;
  }

  private streakSettled(subscriptionId: string, outcome: 'success' | 'failure', opened: boolean): void {
    if (outcome === 'failure') {
      this.lastReset.delete(subscriptionId);
      if (opened) this.openBreakers.opened(subscriptionId);
      return;
    }
    this.openBreakers.closed(subscriptionId);
    if (this.lastReset.size >= MAX_TRACKED_RESETS) this.lastReset.clear();
    this.lastReset.set(subscriptionId, Date.now());
  }
}
