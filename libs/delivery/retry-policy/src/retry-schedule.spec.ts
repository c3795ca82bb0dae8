import { scheduledDelayMs } from './retry-schedule';

const DEFAULT_SCHEDULE = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
const middle = () => 0.5;

describe('scheduledDelayMs', () => {
  it('gives the delay before the next attempt for each of attempts 1..7', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => scheduledDelayMs(DEFAULT_SCHEDULE, n, middle))).toEqual(DEFAULT_SCHEDULE);
  });

  it('returns null after the 8th attempt of the default schedule, and later ones', () => {
    expect(scheduledDelayMs(DEFAULT_SCHEDULE, 8, middle)).toBeNull();
    expect(scheduledDelayMs(DEFAULT_SCHEDULE, 9, middle)).toBeNull();
  });

  it('allows a single attempt with an empty schedule', () => {
    expect(scheduledDelayMs([], 1, middle)).toBeNull();
  });

  it('jitters by at most 10 % either way', () => {
    expect(scheduledDelayMs([10_000], 1, () => 0)).toBe(9_000);
    expect(scheduledDelayMs([10_000], 1, () => 0.999999)).toBe(11_000);
    expect(scheduledDelayMs([10_000], 1, () => 0.25)).toBe(9_500);
  });

  it('uses Math.random by default and stays within the band', () => {
    for (let i = 0; i < 200; i++) {
      const delay = scheduledDelayMs([10_000], 1) as number;
      expect(delay).toBeGreaterThanOrEqual(9_000);
      expect(delay).toBeLessThanOrEqual(11_000);
    }
  });

  it.each([0, -1, 1.5, NaN])('refuses attempt number %p', (attempt) => {
    expect(() => scheduledDelayMs(DEFAULT_SCHEDULE, attempt)).toThrow(RangeError);
  });
});
