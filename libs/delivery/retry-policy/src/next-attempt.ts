import { parseRetryAfter } from './retry-after';
import { baseDelayMs, withJitter } from './retry-schedule';

export interface NextAttemptInput {
  schedule: readonly number[];
  /** The attempt just made, 1-based within the current cycle. */
  attemptInCycle: number;
  statusCode: number | null;
  retryAfterHeader?: string | null;
  now?: Date;
  random?: () => number;
}

export type NextAttempt = { kind: 'retry'; delayMs: number } | { kind: 'dead' };

const HONOURS_RETRY_AFTER = new Set([429, 503]);
const RETRY_AFTER_CAP_FACTOR = 2;

/**
 * When to try a failed delivery again. A Retry-After on 429/503 can push the next attempt later,
 * up to twice the scheduled delay, but never earlier than the schedule: otherwise a receiver that
 * keeps answering `Retry-After: 0` would burn the whole attempt budget within seconds.
 */
export function nextAttemptDelay({ schedule, attemptInCycle, statusCode, retryAfterHeader, now = new Date(), random = Math.random }: NextAttemptInput): NextAttempt {
  const base = baseDelayMs(schedule, attemptInCycle);
  if (base === null) return { kind: 'dead' };
  const scheduled = withJitter(base, random);
  if (statusCode === null || !HONOURS_RETRY_AFTER.has(statusCode)) return { kind: 'retry', delayMs: scheduled };
  const asked = parseRetryAfter(retryAfterHeader, now);
  if (asked === null) return { kind: 'retry', delayMs: scheduled };
  return { kind: 'retry', delayMs: Math.max(scheduled, Math.min(asked, RETRY_AFTER_CAP_FACTOR * base)) };
}
