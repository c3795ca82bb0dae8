import { FailOpen, RedisService } from '@hookline/queue';
import type { TestStack } from '../../../../test/support';
import { DisposableRedis, RecordingReceiver, startTestStack, waitUntil } from '../../../../test/support';

/** One sample of the Prometheus text. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}

describe('when Redis goes away, Hookline fails open, says so once and counts it', () => {
  let redis: DisposableRedis;
  let stack: TestStack;
  let receiver: RecordingReceiver;
  const logged: string[] = [];

  beforeAll(async () => {
    // pino writes through process.stdout once it has been replaced, so the apps' log lines land here.
    const write = process.stdout.write.bind(process.stdout);
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = chunk.toString();
      if (!text.startsWith('{"level":')) return write(chunk, ...(rest as []));
      logged.push(...text.split('\n').filter((line) => line.includes('"context":"FailOpen"')));
      return true;
    });
    redis = await DisposableRedis.start();
    stack = await startTestStack({ REDIS_URL: redis.url, LOG_LEVEL: 'warn' });
    receiver = await RecordingReceiver.start(() => ({ status: 200 }));
  });
  afterAll(async () => {
    try {
      await redis?.up();
      await stack?.close();
      await receiver?.close();
    } finally {
      await redis?.down();
      jest.restoreAllMocks();
    }
  }, 60_000);

  const linesFor = (path: string) => logged.map((line) => JSON.parse(line)).filter((line) => line.msg.startsWith(`fail-open ${path}:`));

  it('requests still succeed, one warn line per path, and /metrics counts every occurrence, the workers’ too once Redis is back', async () => {
    const tenant = `/v1/tenants/${stack.tenantId}`;
    const auth = stack.api.auth();
    const subscription = (await stack.api.http.post(`${tenant}/subscriptions`).set(auth).send({ url: receiver.url }).expect(201)).body;
    expect(logged).toEqual([]);

    await redis.down();
    const apiRedis = stack.api.app.get(RedisService);
    await waitUntil('the API to notice Redis is gone', () => apiRedis.status !== 'ready', 15_000);

    // The per-key rate limit fails open: every request goes through (six, with the PATCH below).
    for (let i = 0; i < 5; i++) await stack.api.http.get(tenant).set(auth).expect(200);
    // A change the workers' caches cannot hear about: committed and answered all the same.
    await stack.api.http.patch(`${tenant}/subscriptions/${subscription.id}`).set(auth).send({ description: 'changed while Redis is away' }).expect(200);

    const rateLimitLines = linesFor('api_rate_limit');
    expect(rateLimitLines).toHaveLength(1);
    expect(rateLimitLines[0]).toMatchObject({ level: 40, context: 'FailOpen' });
    expect(rateLimitLines[0].msg).toMatch(
      /^fail-open api_rate_limit: API requests pass without the per-key rate limit \(Redis is not connected; 1 occurrence since the last such line\)$/,
    );
    expect(linesFor('subscription_cache_invalidation').length).toBeGreaterThanOrEqual(1);

    const apiFailOpen = stack.api.app.get(FailOpen);
    expect(apiFailOpen.total('api_rate_limit')).toBe(6);

    // Scraped while Redis is away: served, counting this API's occurrences (and the scrape's own).
    const during = (await stack.api.http.get('/metrics').expect(200)).text;
    expect(sample(during, 'hookline_fail_open_total{path="api_rate_limit"}')).toBe(6);
    expect(sample(during, 'hookline_fail_open_total{path="subscription_cache_invalidation"}')).toBeGreaterThanOrEqual(1);
    expect(sample(during, 'hookline_fail_open_total{path="metrics"}')).toBeGreaterThanOrEqual(1);
    expect(linesFor('metrics').length).toBeGreaterThanOrEqual(1);
    // Still one line for the rate limit, however many requests.
    for (let i = 0; i < 5; i++) await stack.api.http.get(tenant).set(auth).expect(200);
    expect(linesFor('api_rate_limit')).toHaveLength(1);

    // The worker lost its subscription-changes connection; its counts reach /metrics through Redis once it is back.
    await redis.up();
    await waitUntil(
      "the worker's fail-open counts in /metrics",
      async () => {
        const text = (await stack.api.http.get('/metrics').expect(200)).text;
        return sample(text, 'hookline_fail_open_total{path="subscription_cache_invalidation"}') > apiFailOpen.total('subscription_cache_invalidation');
      },
      15_000,
    );
    const after = (await stack.api.http.get('/metrics').expect(200)).text;
    expect(sample(after, 'hookline_fail_open_total{path="api_rate_limit"}')).toBe(11);
    expect(after).toMatch(/^# TYPE hookline_fail_open_total counter$/m);
  }, 60_000);
});
