import { DeliveryMetrics } from '../../apps/worker/src/endpoint-health/delivery-metrics';
import type { TestStack } from '../support';
import { RecordingReceiver, startTestStack } from '../support';
import { namespace, NO_SWEEPER, publish, publishMany, sleep, subscribe } from './operators-test-kit';

/**
 * One endpoint hangs until the attempt times out while another answers at once. With 10 worker
 * slots and 40 deliveries queued for the hanging endpoint ahead of the healthy one's, the healthy
 * one would wait for those timeouts (4 rounds × 2 s) without the per-subscription in-flight cap.
 */
describe('a hanging endpoint does not slow a healthy one', () => {
  let stack: TestStack;
  let hanging: RecordingReceiver;
  let healthy: RecordingReceiver;

  beforeAll(async () => {
    stack = await startTestStack({ ...NO_SWEEPER, WORKER_CONCURRENCY: '10', ENDPOINT_MAX_IN_FLIGHT: '3', DELIVERY_TIMEOUT_MS: '2000', RETRY_SCHEDULE: '1s' });
    hanging = await RecordingReceiver.start(() => ({ hang: true }));
    healthy = await RecordingReceiver.start(() => ({ status: 200 }));
  });
  afterAll(async () => {
    await hanging?.close();
    await healthy?.close();
    await stack?.close();
  });

  it('keeps the healthy endpoint’s latency low', async () => {
    const slowNs = namespace();
    const fastNs = namespace();
    await subscribe(stack, hanging.url, { eventTypes: [`${slowNs}.*`] });
    await subscribe(stack, healthy.url, { eventTypes: [`${fastNs}.*`] });
    await publishMany(stack, `${slowNs}.x`, 40);
    await hanging.waitForRequests(3, 2_000);

    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const sentAt = Date.now();
      await publish(stack, `${fastNs}.x`, { i });
      const requests = await healthy.waitForRequests(i + 1, 5_000);
      latencies.push(requests[i].receivedAt - sentAt);
      await sleep(50);
    }
    latencies.sort((a, b) => a - b);
    const p50 = latencies[9];
    const max = latencies[19];
    console.log(`healthy endpoint, publish → received: p50 ${p50} ms, max ${max} ms (hanging endpoint: ${hanging.requests.length} requests, at most 3 at a time)`);
    // Without the cap the first healthy delivery waits ~8 s (4 rounds of 10 timeouts); bounds leave room for a busy CI machine.
    expect(p50).toBeLessThan(400);
    expect(max).toBeLessThan(1_500);
    // The hanging endpoint never had more than its cap in flight.
    expect(hanging.requests.length).toBeLessThanOrEqual(3 * 3 + 3);
  });
});

/**
 * A fast endpoint at its cap frees a slot every few milliseconds: a delivery over the cap waits in
 * its worker for that slot instead of being deferred (a Redis move and a later re-fetch, each time).
 */
describe('a fast endpoint at its in-flight cap', () => {
  const CAP = 2;
  let stack: TestStack;
  let receiver: RecordingReceiver;
  let open = 0;
  let mostOpen = 0;

  beforeAll(async () => {
    // Four jobs over the cap at a time: each waits at most two of the receiver's turns for a slot,
    // well within the worker's local wait even where a busy machine stretches a turn to 100 ms.
    stack = await startTestStack({ ...NO_SWEEPER, WORKER_CONCURRENCY: String(CAP + 4), ENDPOINT_MAX_IN_FLIGHT: String(CAP) });
    receiver = await RecordingReceiver.start(() => {
      mostOpen = Math.max(mostOpen, ++open);
      setTimeout(() => open--, 20);
      return { status: 200, delayMs: 20 };
    });
  });
  afterAll(async () => {
    await receiver?.close();
    await stack?.close();
  });

  async function busyDeferrals(): Promise<number> {
    const text = (await stack.api.http.get('/metrics').set(stack.api.auth()).expect(200)).text;
    return Number(/^hookline_delivery_deferrals_total\{reason="endpoint_busy"\} (\d+)$/m.exec(text)?.[1] ?? 0);
  }

  it('never has more than the cap in flight, and defers far fewer deliveries than it sends', async () => {
    const ns = namespace();
    await subscribe(stack, receiver.url, { eventTypes: [`${ns}.*`] });
    await publishMany(stack, `${ns}.x`, 80);
    await receiver.waitForRequests(80, 30_000);
    // Every deferral came before its delivery's last send; the worker adds its counters to the shared
    // metrics every second, so flush them now (after any flush in progress: one Redis connection, in order).
    await stack.worker.get(DeliveryMetrics, { strict: false }).flush();
    const deferred = await busyDeferrals();
    console.log(`fast endpoint at cap ${CAP}: 80 deliveries, ${deferred} deferred as endpoint_busy, at most ${mostOpen} in flight`);
    expect(mostOpen).toBeLessThanOrEqual(CAP);
    // Without the wait, every fetch over the cap is deferred: nearly every delivery at least once.
    // With it, at most those fetched before the first slot freed.
    expect(deferred).toBeLessThan(40);
  });
});
