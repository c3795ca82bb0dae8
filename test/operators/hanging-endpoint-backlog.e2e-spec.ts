import { DeliveryMetrics } from '../../apps/worker/src/endpoint-health/delivery-metrics';
import type { TestStack } from '../support';
import { RecordingReceiver, startTestStack } from '../support';
import { namespace, NO_SWEEPER, publishMany, subscribe } from './operators-test-kit';

async function busyDeferrals(stack: TestStack): Promise<number> {
  // The worker adds its counters to the shared metrics every second: flush them first.
  await stack.worker.get(DeliveryMetrics, { strict: false }).flush();
  const text = (await stack.api.http.get('/metrics').set(stack.api.auth()).expect(200)).text;
  return Number(/^hookline_delivery_deferrals_total\{reason="endpoint_busy"\} (\d+)$/m.exec(text)?.[1] ?? 0);
}

/**
 * A hanging endpoint frees a slot only when an attempt times out. Its backlog used to come back
 * whole at every timeout, each delivery fetched and deferred again in the queue the healthy
 * endpoints share; now each deferred delivery gets its own turn, paced as the endpoint frees
 * slots, and comes back about once.
 */
describe('a hanging endpoint’s backlog', () => {
  const CAP = 3;
  const BACKLOG = 30;
  let stack: TestStack;
  let hanging: RecordingReceiver;
  let healthy: RecordingReceiver;

  beforeAll(async () => {
    // RETRY_SCHEDULE 1h: a timed-out attempt is not retried during the test, so only the backlog comes back.
    stack = await startTestStack({ ...NO_SWEEPER, WORKER_CONCURRENCY: '20', ENDPOINT_MAX_IN_FLIGHT: String(CAP), DELIVERY_TIMEOUT_MS: '1000', RETRY_SCHEDULE: '1h' });
    hanging = await RecordingReceiver.start(() => ({ hang: true }));
    healthy = await RecordingReceiver.start(() => ({ status: 200 }));
  });
  afterAll(async () => {
    await hanging?.close();
    await healthy?.close();
    await stack?.close();
  });

  it('comes back about once per delivery, while the healthy endpoint’s deliveries keep completing', async () => {
    const slowNs = namespace();
    const fastNs = namespace();
    await subscribe(stack, hanging.url, { eventTypes: [`${slowNs}.*`] });
    await subscribe(stack, healthy.url, { eventTypes: [`${fastNs}.*`] });
    await publishMany(stack, `${slowNs}.x`, BACKLOG);
    // Once its first attempts have timed out the worker knows the endpoint hangs: every delivery
    // deferred from then on is given a turn.
    await hanging.waitForRequests(2 * CAP, 20_000);
    const known = await busyDeferrals(stack);
    const rounds = 4;
    for (let round = 1; round <= rounds; round++) {
      await publishMany(stack, `${fastNs}.x`, 10, (i) => ({ round, i }));
      await healthy.waitForRequests(round * 10, 20_000);
      await hanging.waitForRequests((2 + round) * CAP, 20_000);
    }
    const waiting = BACKLOG - 2 * CAP;
    const deferred = (await busyDeferrals(stack)) - known;
    console.log(`hanging endpoint, cap ${CAP}, ${waiting} deliveries waiting: ${deferred} deferrals over the next ${rounds} rounds of timeouts`);
    // Re-checking the whole backlog at every timeout defers each waiting delivery once per round
    // (81 here before turns); with turns, each is deferred about once more, to take its turn (~19).
    expect(deferred).toBeLessThan(1.5 * waiting);
  });
});
