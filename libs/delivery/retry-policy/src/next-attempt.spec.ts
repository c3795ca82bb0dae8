import { nextAttemptDelay } from './next-attempt';

const schedule = [5_000, 300_000, 1_800_000];
const now = new Date('2026-03-01T12:00:00.000Z');
const middle = () => 0.5;
const lowest = () => 0;

describe('nextAttemptDelay', () => {
  it('follows the jittered schedule for an ordinary failure', () => {
    expect(nextAttemptDelay({ schedule, attemptInCycle: 2, statusCode: 500, now, random: lowest })).toEqual({ kind: 'retry', delayMs: 270_000 });
  });

  it('is dead after the last attempt, whatever Retry-After says', () => {
    expect(nextAttemptDelay({ schedule, attemptInCycle: 4, statusCode: 429, retryAfterHeader: '1', now })).toEqual({ kind: 'dead' });
  });

  it.each([429, 503])('waits longer when %p asks with Retry-After', (statusCode) => {
    expect(nextAttemptDelay({ schedule, attemptInCycle: 1, statusCode, retryAfterHeader: '8', now, random: middle })).toEqual({
      kind: 'retry',
      delayMs: 8_000,
    });
  });

  it('caps Retry-After at twice the un-jittered scheduled delay', () => {
    expect(nextAttemptDelay({ schedule, attemptInCycle: 1, statusCode: 429, retryAfterHeader: '3600', now, random: lowest })).toEqual({
      kind: 'retry',
      delayMs: 10_000,
    });
  });

  it('honours an HTTP-date Retry-After', () => {
    const result = nextAttemptDelay({ schedule, attemptInCycle: 1, statusCode: 503, retryAfterHeader: 'Sun, 01 Mar 2026 12:00:07 GMT', now, random: middle });
    expect(result).toEqual({ kind: 'retry', delayMs: 7_000 });
  });

  it('never retries sooner than the schedule, even for Retry-After: 0 or a past date', () => {
    expect(nextAttemptDelay({ schedule, attemptInCycle: 1, statusCode: 429, retryAfterHeader: '0', now, random: middle })).toEqual({ kind: 'retry', delayMs: 5_000 });
    const past = nextAttemptDelay({ schedule, attemptInCycle: 1, statusCode: 503, retryAfterHeader: 'Wed, 21 Oct 2015 07:28:00 GMT', now, random: middle });
    expect(past).toEqual({ kind: 'retry', delayMs: 5_000 });
  });

  it('ignores Retry-After on other statuses and when malformed', () => {
    expect(nextAttemptDelay({ schedule, attemptInCycle: 1, statusCode: 500, retryAfterHeader: '8', now, random: middle })).toEqual({ kind: 'retry', delayMs: 5_000 });
    expect(nextAttemptDelay({ schedule, attemptInCycle: 1, statusCode: 429, retryAfterHeader: 'later', now, random: middle })).toEqual({ kind: 'retry', delayMs: 5_000 });
    expect(nextAttemptDelay({ schedule, attemptInCycle: 1, statusCode: null, retryAfterHeader: '8', now, random: middle })).toEqual({ kind: 'retry', delayMs: 5_000 });
  });
});
