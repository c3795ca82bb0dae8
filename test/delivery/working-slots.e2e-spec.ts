import { DeliveryQueues } from '@hookline/queue';
import { WorkingSlots } from '../../apps/worker/src/delivery/working-slots';
import type { TestStack } from '../support';
import { createTenant, RecordingReceiver, startTestStack, waitUntil } from '../support';
import { NO_SWEEPER, publish, sleep, subscribe } from './delivery-test-kit';

const SLOW_ATTEMPTS = 4;
const FAST_EVENTS = 3;
const QUIET_EVERY_MS = 100;

/**
 * WORKER_BACKLOG_SLOTS bounds the backlog's jobs doing the worker's own work while a quiet tenant is
 * around, not the backlog's attempts in flight: a job gives its working slot back while it waits for
 * its endpoint's answer. One working slot, a quiet tenant publishing throughout, and a backlog (its
 * deliveries in a slower lane) of four attempts to an endpoint that does not answer, then three to
 * one that does: the three still go out. Had the first attempt kept its slot, nothing else of the
 * backlog could start until the slow endpoint answered.
 * (Which waiting job gets a freed slot first, and how far a backlog may fill them: working-slots.spec.ts.)
 */
describe('working slots', () => {
  let stack: TestStack;
  let slow: RecordingReceiver;
  let fast: RecordingReceiver;
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));

  beforeAll(async () => {
    stack = await startTestStack({
      ...NO_SWEEPER,
      WORKER_CONCURRENCY: '10',
      WORKER_BACKLOG_SLOTS: '1',
      FAIR_SHARE_QUEUED_JOBS: '1',
      // Longer than the test: the slow endpoint's attempts must not time out and be retried meanwhile.
      DELIVERY_TIMEOUT_MS: '60000',
    });
    slow = await RecordingReceiver.start(() => ({ status: 200, until: answered }));
    fast = await RecordingReceiver.start();
  });
  afterAll(async () => {
    answer();
    await slow?.close();
    await fast?.close();
    await stack?.close();
  });

  it("sends a backlog's other deliveries while its attempts to a slow endpoint wait for an answer", async () => {
    expect(stack.worker.get(WorkingSlots).backlogSize).toBe(1);
    const [queue] = stack.api.app.get(DeliveryQueues).all;
    const backlogTenant = stack.tenantId;
    const quietTenant = (await createTenant(stack.api)).id;
    const { ns: slowNs } = await subscribe(stack, slow.url, {}, backlogTenant);
    const { ns: fastNs } = await subscribe(stack, `${fast.url}/backlog`, {}, backlogTenant);
    const { ns: quietNs } = await subscribe(stack, `${fast.url}/quiet`, {}, quietTenant);

    // The quiet tenant publishes throughout, so the worker keeps its slots for it: seen delivering first,
    // or the backlog could finish before the worker knew of anyone beside it.
    const quietSent = () => fast.requests.filter((request) => request.path.endsWith('/quiet')).length;
    let quietRunning = true;
    const quiet = (async () => {
      for (let i = 0; quietRunning && i < 600; i++) {
        await publish(stack, `${quietNs}.ping`, { i }, quietTenant);
        await sleep(QUIET_EVERY_MS);
      }
    })();
    try {
      await waitUntil("the quiet tenant's first delivery sent", () => quietSent() > 0);

      // Queued together, past the fair share of 1: the backlog's deliveries (all but its first) get a slower lane.
      await queue.pause();
      for (let i = 0; i < SLOW_ATTEMPTS; i++) await publish(stack, `${slowNs}.paid`, { i }, backlogTenant);
      for (let i = 0; i < FAST_EVENTS; i++) await publish(stack, `${fastNs}.paid`, { i }, backlogTenant);
      const quietBefore = quietSent();
      await queue.resume();

      await slow.waitForRequests(SLOW_ATTEMPTS);
      const backlogSent = () => fast.requests.filter((request) => request.path.endsWith('/backlog')).length;
      await waitUntil("the backlog's other deliveries sent", () => backlogSent() === FAST_EVENTS);
      // None of the slow endpoint's attempts has been answered yet.
      expect(slow.requests).toHaveLength(SLOW_ATTEMPTS);
      // The quiet tenant went on delivering beside the backlog.
      await waitUntil('the quiet tenant delivering beside the backlog', () => quietSent() > quietBefore);
    } finally {
      quietRunning = false;
      await quiet;
      answer();
    }
  }, 30_000);
});
