import type { TestStack } from '../support';
import { RecordingReceiver, startTestStack, waitUntil } from '../support';
import { namespace, NO_SWEEPER, publish, sleep, stats, subscribe, tenantPath } from './operators-test-kit';

const COOLDOWN_MS = 1_000;

/** Gaps between consecutive request arrivals, in ms. */
const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]);

describe('circuit breaker per subscription', () => {
  let stack: TestStack;
  let receiver: RecordingReceiver;
  let healthy = false;

  beforeAll(async () => {
    stack = await startTestStack({
      ...NO_SWEEPER,
      BREAKER_FAILURE_THRESHOLD: '3',
      BREAKER_OPEN_AFTER_MS: '0',
      BREAKER_COOLDOWN_MS: String(COOLDOWN_MS),
      // Plenty of attempts, 100 ms apart: without a breaker the endpoint would get 5 requests every 100 ms.
      RETRY_SCHEDULE: Array(20).fill('100ms').join(','),
    });
    receiver = await RecordingReceiver.start(() => ({ status: healthy ? 200 : 503 }));
  });
  afterAll(async () => {
    await receiver?.close();
    await stack?.close();
  });

  it('opens after failures, holds deliveries back without using attempts, probes once per cool-down, closes on success', async () => {
    const ns = namespace();
    await subscribe(stack, receiver.url, { eventTypes: [`${ns}.*`] });
    const events = await Promise.all([1, 2, 3, 4, 5].map((n) => publish(stack, `${ns}.x`, { n })));

    // The first wave fails and opens the breaker; then one probe per cool-down. The wave is the 5
    // first attempts, and on a busy machine a retry or two (100 ms later) that went before the third
    // failure was recorded: it ends at the first gap of a cool-down.
    const arrivals = () => receiver.requests.map((r) => r.receivedAt);
    const waveLength = (times: number[]) => 1 + gaps(times).findIndex((gap) => gap >= COOLDOWN_MS - 50);
    await waitUntil('two probes after the first wave', () => waveLength(arrivals()) > 0 && arrivals().length - waveLength(arrivals()) >= 2, 8_000);
    await sleep(COOLDOWN_MS / 2);
    const open = await stats(stack);
    expect(open.circuitBreakersOpen).toBe(1);
    const whileOpen = arrivals();
    const wave = waveLength(whileOpen);
    expect(wave).toBeGreaterThanOrEqual(5);
    expect(wave).toBeLessThan(10);
    // Each probe comes alone, a cool-down after the failure before it.
    for (const gap of gaps(whileOpen.slice(wave - 1))) expect(gap).toBeGreaterThanOrEqual(COOLDOWN_MS - 50);
    // Held-back deliveries used no attempt: every attempt recorded is a request the endpoint got.
    expect(open.deliveries.failed + open.deliveries.pending).toBe(5);
    // (A probe may be on its way while we count: sent, not yet recorded.)
    const sentBefore = receiver.requests.length;
    const attempts = await totalAttempts(
      stack,
      events.map((e) => e.id),
    );
    expect(attempts).toBeGreaterThanOrEqual(sentBefore - 1);
    expect(attempts).toBeLessThanOrEqual(receiver.requests.length);
    // The wave, then a probe per cool-down: two or three by now.
    expect(attempts).toBeLessThanOrEqual(wave + 3);

    const metrics = await stack.api.http.get('/metrics').expect(200);
    expect(Number(/hookline_delivery_deferrals_total\{reason="circuit_open"\} (\d+)/.exec(metrics.text)?.[1])).toBeGreaterThan(0);
    expect(metrics.text).toMatch(/^hookline_circuit_breakers_open 1$/m);

    // The endpoint recovers: the next probe succeeds and closes the breaker; the held-back rest
    // follow as they come back (each waited a cool-down, or less, plus up to 1 s of jitter).
    healthy = true;
    const before = receiver.requests.length;
    await receiver.waitForRequests(before + 5, 5_000);
    const recovered = receiver.requests.slice(before).map((r) => r.receivedAt);
    expect(recovered[4] - recovered[0]).toBeLessThan(COOLDOWN_MS + 1_000 + 300);
    await waitUntil('all 5 delivered', async () => (await stats(stack)).deliveries.succeeded === 5, 5_000);
    expect((await stats(stack)).circuitBreakersOpen).toBe(0);
  });

  it('keeps other subscriptions flowing while one endpoint is failing', async () => {
    healthy = false;
    const failingNs = namespace();
    const okNs = namespace();
    const ok = await RecordingReceiver.start(() => ({ status: 200 }));
    try {
      await subscribe(stack, receiver.url, { eventTypes: [`${failingNs}.*`] });
      await subscribe(stack, ok.url, { eventTypes: [`${okNs}.*`] });
      await Promise.all([1, 2, 3, 4].map((n) => publish(stack, `${failingNs}.x`, { n })));
      await sleep(300);
      const sent = Date.now();
      await publish(stack, `${okNs}.x`, {});
      const [request] = await ok.waitForRequests(1, 2_000);
      expect(request.receivedAt - sent).toBeLessThan(500);
    } finally {
      healthy = true;
      await ok.close();
    }
  });
});

async function totalAttempts(stack: TestStack, eventIds: string[]): Promise<number> {
  let total = 0;
  for (const id of eventIds) {
    const event = (
      await stack.api.http
        .get(`${tenantPath(stack)}/events/${id}`)
        .set(stack.api.auth())
        .expect(200)
    ).body;
    total += event.deliveries.reduce((sum: number, d: { attemptCount: number }) => sum + d.attemptCount, 0);
  }
  return total;
}
