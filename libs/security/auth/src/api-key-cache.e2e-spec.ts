import { Logger } from '@nestjs/common';
import { testConfig, waitUntil } from '../../../../test/support';
import { API_KEY_CACHE_MAX_ENTRIES, API_KEY_CACHE_TTL_MS, ApiKeyCache } from './api-key-cache';

const key = (tenantId: string, n = 0) => ({ keyId: `key_${tenantId}_${n}`, tenantId, lastUsedAt: null });

describe('ApiKeyCache', () => {
  let cache: ApiKeyCache;

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(async () => {
    cache = new ApiKeyCache(testConfig());
    cache.onModuleInit();
    await waitUntil('the cache to subscribe', () => cache.live);
  });
  afterEach(() => {
    cache.onModuleDestroy();
    jest.restoreAllMocks();
  });

  it('does not store what a lookup read before a drop began', () => {
    const before = cache.ticket();
    cache.forgetTenant('ten_elsewhere');
    cache.set('h1', before, key('ten_a'));
    expect(cache.get('h1')).toBeUndefined();
    cache.set('h1', cache.ticket(), key('ten_a'));
    expect(cache.get('h1')).toEqual(key('ten_a'));
  });

  it("drops only the announced tenant's keys", () => {
    cache.set('h1', cache.ticket(), key('ten_a', 1));
    cache.set('h2', cache.ticket(), key('ten_a', 2));
    cache.set('h3', cache.ticket(), key('ten_b', 3));
    cache.forgetTenant('ten_a');
    expect([cache.get('h1'), cache.get('h2'), cache.get('h3')]).toEqual([undefined, undefined, key('ten_b', 3)]);
  });

  it('keeps at most its bound, dropping the least recently used', () => {
    const ticket = cache.ticket();
    for (let n = 0; n < API_KEY_CACHE_MAX_ENTRIES; n++) cache.set(`h${n}`, ticket, key('ten_a', n));
    expect(cache.get('h0')).toEqual(key('ten_a', 0));
    cache.set('h-new', ticket, key('ten_a', -1));
    expect(cache.size).toBe(API_KEY_CACHE_MAX_ENTRIES);
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h0')).toEqual(key('ten_a', 0));
    expect(cache.get('h-new')).toEqual(key('ten_a', -1));
  });

  it('reads a key again once its entry is a TTL old, announced or not', () => {
    cache.set('h1', cache.ticket(), key('ten_a'));
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + API_KEY_CACHE_TTL_MS - 1_000);
    expect(cache.get('h1')).toEqual(key('ten_a'));
    jest.spyOn(Date, 'now').mockReturnValue(now + API_KEY_CACHE_TTL_MS + 1);
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('neither serves nor stores while it is not subscribed', () => {
    cache.set('h1', cache.ticket(), key('ten_a'));
    cache.onModuleDestroy();
    expect(cache.live).toBe(false);
    expect(cache.get('h1')).toBeUndefined();
    cache.set('h2', cache.ticket(), key('ten_a'));
    expect(cache.size).toBe(0);
  });
});
