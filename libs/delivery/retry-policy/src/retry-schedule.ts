const JITTER = 0.1;

/**
 * The delay before the next attempt, ±10 % jitter, or null when the attempt just made was the last.
 * `schedule` holds the delays before attempts 2..N, so N = schedule.length + 1 attempts per cycle.
 */
export function scheduledDelayMs(schedule: readonly number[], attemptInCycle: number, random: () => number = Math.random): number | null {
  const base = baseDelayMs(schedule, attemptInCycle);
  return base === null ? null : withJitter(base, random);
}

/** `base` ±10 %, so retries of many deliveries that failed together spread out. */
export function withJitter(base: number, random: () => number = Math.random): number {
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}

/** The un-jittered delay after attempt `attemptInCycle` (1-based), or null when none is left. */
export function baseDelayMs(schedule: readonly number[], attemptInCycle: number): number | null {
  if (!Number.isInteger(attemptInCycle) || attemptInCycle < 1) throw new RangeError(`attemptInCycle must be a whole number >= 1, got ${attemptInCycle}`);
  return attemptInCycle <= schedule.length ? schedule[attemptInCycle - 1] : null;
}
