import { RecordingReceiver, startTestStack, TestStack } from '@hookline/testing';
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
