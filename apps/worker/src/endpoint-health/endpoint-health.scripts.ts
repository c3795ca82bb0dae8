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
