import { Logger } from '@nestjs/common';
import { FAIL_OPEN_WARN_INTERVAL_MS, FailOpen } from './fail-open';

describe('FailOpen', () => {
  let now: number;
  let warnings: string[];

  beforeEach(() => {
    now = 1_000_000;
    warnings = [];
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
  });
  afterEach(() => jest.restoreAllMocks());

  it('warns once per path per interval, with the count since the last line, and counts every occurrence', () => {
    const failOpen = new FailOpen();
    for (let i = 0; i < 100; i++) failOpen.record('api_rate_limit');
    failOpen.record('endpoint_gate', new Error('READONLY You can’t write against a read only replica.'));
    expect(warnings).toEqual([
      'fail-open api_rate_limit: API requests pass without the per-key rate limit (Redis is not connected; 1 occurrence since the last such line)',
      'fail-open endpoint_gate: attempts go ahead without circuit breaker or rate limit checks (Redis error: READONLY You can’t write against a read only replica.; 1 occurrence since the last such line)',
    ]);

    now += FAIL_OPEN_WARN_INTERVAL_MS;
    failOpen.record('api_rate_limit', undefined, 3);
    expect(warnings[2]).toBe('fail-open api_rate_limit: API requests pass without the per-key rate limit (Redis is not connected; 102 occurrences since the last such line)');
    expect(warnings).toHaveLength(3);
    expect(failOpen.total('api_rate_limit')).toBe(103);
    expect(failOpen.total('metrics')).toBe(0);
  });

  it('hands its counts over for sharing once, and takes them back when sharing fails', () => {
    const failOpen = new FailOpen();
    failOpen.record('delivery_updates', undefined, 4);
    const taken = failOpen.takeUnshared();
    expect([...taken]).toEqual([['delivery_updates', 4]]);
    expect(failOpen.takeUnshared().size).toBe(0);
    failOpen.giveBack(taken);
    failOpen.record('delivery_updates');
    expect([...failOpen.takeUnshared()]).toEqual([['delivery_updates', 5]]);
    expect(failOpen.total('delivery_updates')).toBe(5);
  });
});
