import type Redis from 'ioredis';

/**
 * Lua for the endpoint health state in Redis, so every worker process agrees and each decision is
 * atomic: one round trip before an attempt (ADMIT: breaker and rate limit, only for subscriptions
 * that may need it) and one after it (SETTLE: the breaker's streak). Breaker times are the worker's
 * clock (a test can move it); rate slots use Redis's own clock (TIME), the one clock all workers share.
 */

/**
 * Rate limit: each delivery reserves the next evenly spaced send slot and waits for it, so a
 * backlog is paced instead of re-checked over and over; and a log of the sends of the last window
 * is a hard cap, for a delivery that comes back late (a busy worker) and would otherwise bunch up
 * with the ones after it.
 * KEYS: breaker hash, probe key, rate next-slot key, this delivery's rate reservation, rate send log.
 * ARGV: now (worker ms), probe token, probe lease ms, delivery id,
 *       rate slot interval ms (0 = no rate limit), rate limit per window, rate window ms.
 * Returns {0, probe 0|1} go (probe: this attempt is the one probe through an open breaker);
 *         {1, waitMs} breaker open (waitMs 0: another probe is in flight);
 *         {2, waitMs} rate limited: wait for the reserved slot.
 */
export const ADMIT = `
local probe = 0
local openUntil = tonumber(redis.call('HGET', KEYS[1], 'openUntil') or '')
if openUntil then
  local now = tonumber(ARGV[1])
  if now < openUntil then return {1, openUntil - now} end
  if not redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3], 'NX') then return {1, 0} end
  probe = 1
end
local function giveBackProbe()
  if probe == 1 and redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
end

local interval = tonumber(ARGV[5])
if interval > 0 then
  local t = redis.call('TIME')
  local clock = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local reserved = tonumber(redis.call('GET', KEYS[4]) or '')
  if reserved then
    if clock < reserved then
      giveBackProbe()
      return {2, math.ceil(reserved - clock)}
    end
  else
    local slot = math.max(clock, tonumber(redis.call('GET', KEYS[3]) or '0'))
    redis.call('SET', KEYS[3], tostring(slot + interval), 'PX', math.ceil(slot + interval - clock) + 1000)
    if slot > clock then
      redis.call('SET', KEYS[4], tostring(slot), 'PX', math.ceil(slot - clock) + 600000)
      giveBackProbe()
      return {2, math.ceil(slot - clock)}
    end
  end
  local window = tonumber(ARGV[7])
  redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', clock - window)
  if redis.call('ZCARD', KEYS[5]) >= tonumber(ARGV[6]) then
    local oldest = redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')
    giveBackProbe()
    return {2, math.max(1, math.ceil(tonumber(oldest[2]) + window - clock) + 1)}
  end
  redis.call('DEL', KEYS[4])
  redis.call('ZADD', KEYS[5], clock, ARGV[4] .. ':' .. clock)
  redis.call('PEXPIRE', KEYS[5], ARGV[7])
end
return {0, probe}
`;

/**
 * After an attempt: records its outcome in the breaker.
 * KEYS: breaker hash, open-breakers set, probe key.
 * ARGV: subscription id, outcome ('success' | 'failure'), was-probe 0|1,
 *       now (worker ms), threshold, open-after ms, cool-down ms, ttl ms.
 * Returns {closed 0|1, consecutive failures, first failure ms, opened 0|1}.
 */
export const SETTLE = `
if ARGV[2] == 'success' then
  local wasOpen = redis.call('HEXISTS', KEYS[1], 'openUntil')
  redis.call('DEL', KEYS[1], KEYS[3])
  redis.call('SREM', KEYS[2], ARGV[1])
  return {wasOpen, 0, 0, 0}
end
local now = tonumber(ARGV[4])
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local first = tonumber(redis.call('HGET', KEYS[1], 'first') or '')
if not first then
  first = now
  redis.call('HSET', KEYS[1], 'first', now)
end
local opened = 0
if redis.call('HEXISTS', KEYS[1], 'openUntil') == 1 then
  -- Open already: a failed probe re-opens it for another cool-down (a straggler changes nothing).
  if ARGV[3] == '1' then
    redis.call('HSET', KEYS[1], 'openUntil', now + tonumber(ARGV[7]))
    redis.call('DEL', KEYS[3])
  end
elseif failures >= tonumber(ARGV[5]) and now - first >= tonumber(ARGV[6]) then
  redis.call('HSET', KEYS[1], 'openUntil', now + tonumber(ARGV[7]))
  redis.call('SADD', KEYS[2], ARGV[1])
  opened = 1
end
redis.call('PEXPIRE', KEYS[1], ARGV[8])
return {0, failures, first, opened}
`;

/** ADMIT's answer, by name. */
export type AdmitVerdict =
  /** Go; `probe`: this attempt is the one probe through an open breaker. */
  | { kind: 'go'; probe: boolean }
  /** The breaker is open: wait `waitMs` (0: another probe is in flight). */
  | { kind: 'breaker_open'; waitMs: number }
  /** Rate limited: wait `waitMs` for the reserved send slot. */
  | { kind: 'rate_limited'; waitMs: number };

/** SETTLE's answer, by name. */
export interface SettledStreak {
  closed: boolean;
  consecutiveFailures: number;
  /** Worker-clock ms of the streak's first failure. */
  firstFailureAt: number;
  opened: boolean;
}

/**
 * The two scripts as ioredis commands (`defineCommand`: EVALSHA, loading the script when Redis does
 * not have it), their replies decoded into named objects.
 */
export class EndpointHealthScripts {
  private readonly admitCommand: (...keysAndArgs: (string | number)[]) => Promise<[number, number]>;
  private readonly settleCommand: (...keysAndArgs: (string | number)[]) => Promise<[number, number, number, number]>;

  constructor(redis: Redis) {
    redis.defineCommand('hooklineEndpointAdmit', { numberOfKeys: 5, lua: ADMIT });
    redis.defineCommand('hooklineEndpointSettle', { numberOfKeys: 3, lua: SETTLE });
    const commands = redis as unknown as Record<string, (...keysAndArgs: (string | number)[]) => Promise<never>>;
    this.admitCommand = commands.hooklineEndpointAdmit.bind(redis);
    this.settleCommand = commands.hooklineEndpointSettle.bind(redis);
  }

  async admit(keys: AdmitKeys, args: (string | number)[]): Promise<AdmitVerdict> {
    const [kind, value] = await this.admitCommand(keys.breaker, keys.probe, keys.rateSlot, keys.rateReservation, keys.rateLog, ...args);
    if (kind === 0) return { kind: 'go', probe: value === 1 };
    return { kind: kind === 1 ? 'breaker_open' : 'rate_limited', waitMs: value };
  }

  async settle(keys: SettleKeys, args: (string | number)[]): Promise<SettledStreak> {
    const [closed, consecutiveFailures, firstFailureAt, opened] = await this.settleCommand(keys.breaker, keys.openBreakers, keys.probe, ...args);
    return { closed: closed === 1, consecutiveFailures, firstFailureAt, opened: opened === 1 };
  }
}

export interface AdmitKeys {
  breaker: string;
  probe: string;
  rateSlot: string;
  rateReservation: string;
  rateLog: string;
}

export interface SettleKeys {
  breaker: string;
  openBreakers: string;
  probe: string;
}
