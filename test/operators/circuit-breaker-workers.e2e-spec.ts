import type { INestApplicationContext } from '@nestjs/common';
import type { TestStack } from '../support';
import { RecordingReceiver, startTestStack, startTestWorker, waitUntil } from '../support';
import { namespace, NO_SWEEPER, publish, sleep, stats, subscribe } from './operators-test-kit';

const COOLDOWN_MS = 4_000;

/**
 * Each worker keeps a copy of the set of open breakers, re-read every second, so a delivery to a
 * healthy endpoint costs no Redis round trip. A breaker one worker opens must still hold back the
 * deliveries of every other worker, within about a second.
 */
describe('circuit breaker with two workers', () => {
  let stack: TestStack;
  let second: INestApplicationContext;
  let receiver: RecordingReceiver;

  beforeAll(async () => {
    stack = await startTestStack({
      ...NO_SWEEPER,
      BREAKER_FAILURE_THRESHOLD: '3',
      BREAKER_OPEN_AFTER_MS: '0',
      BREAKER_COOLDOWN_MS: String(COOLDOWN_MS),
      // Few slots each, so that both workers take deliveries.
      WORKER_CONCURRENCY: '2',
      // Without a breaker each delivery would be retried every 100 ms.
      RETRY_SCHEDULE: Array(40).fill('100ms').join(','),
    });
    second = await startTestWorker(stack.env);
    receiver = await RecordingReceiver.start(() => ({ status: 503 }));
    // Until a worker has read the set once, it checks every delivery in Redis; past that, only the
    // breakers it knows of (so the worker that did not open this one learns of it by re-reading).
    await sleep(1_500);
  });
  afterAll(async () => {
    await receiver?.close();
    await second?.close();
    await stack?.close();
  });

  it('holds back every worker’s deliveries once one of them opened it', async () => {
    const ns = namespace();
    await subscribe(stack, receiver.url, { eventTypes: [`${ns}.*`] });
    await Promise.all(Array.from({ length: 6 }, (_, n) => publish(stack, `${ns}.x`, { n })));
    await waitUntil('the breaker opened', async () => (await stats(stack)).circuitBreakersOpen === 1, 5_000);
    const openedAt = Date.now();
    // From 1.5 s on both workers have re-read the set; the first probe is due a cool-down after opening.
    await sleep(openedAt + 1_500 - Date.now());
    const before = receiver.requests.length;
    // New deliveries, taken by both workers (two slots each): every one must be held back.
    await Promise.all(Array.from({ length: 8 }, (_, n) => publish(stack, `${ns}.y`, { n })));
    await sleep(openedAt + COOLDOWN_MS - 1_000 - Date.now());
    const during = receiver.requests.length - before;
    console.log(`breaker open: ${before} requests before, ${during} while it was open (8 new deliveries, two workers)`);
    expect(during).toBe(0);
  });
});
