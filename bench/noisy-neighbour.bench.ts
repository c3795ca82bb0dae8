/**
 * Noisy neighbour: does an endpoint that hangs until the attempt times out slow delivery to a
 * healthy one? 40 deliveries are queued for the hanging endpoint, then 20 for the healthy one are
 * published 50 ms apart; we time publish → arrival at the healthy receiver. Once with the
 * per-subscription in-flight cap (ENDPOINT_MAX_IN_FLIGHT=3 of 10 worker slots), once without it
 * (cap = worker slots). Runs under jest (Nest needs decorator metadata), on the test database:
 *
 *   npx jest --testMatch '<rootDir>/bench/noisy-neighbour.bench.ts' --testTimeout 180000
 */
import { RecordingReceiver, startTestStack } from '../test/support';

async function scenario(cap: number) {
  const stack = await startTestStack({ SWEEP_INTERVAL_MS: '600000', WORKER_CONCURRENCY: '10', ENDPOINT_MAX_IN_FLIGHT: String(cap), DELIVERY_TIMEOUT_MS: '2000', RETRY_SCHEDULE: '1s' });
  const hanging = await RecordingReceiver.start(() => ({ hang: true }));
  const healthy = await RecordingReceiver.start(() => ({ status: 200 }));
  const auth = stack.api.auth();
  const tenant = `/v1/tenants/${stack.tenantId}`;
  try {
    await stack.api.http.post(`${tenant}/subscriptions`).set(auth).send({ url: hanging.url, eventTypes: ['slow.*'] }).expect(201);
    await stack.api.http.post(`${tenant}/subscriptions`).set(auth).send({ url: healthy.url, eventTypes: ['fast.*'] }).expect(201);
    await Promise.all(Array.from({ length: 40 }, (_, i) => stack.api.http.post(`${tenant}/events`).set(auth).send({ type: 'slow.x', data: { i } }).expect(202)));
    await hanging.waitForRequests(1, 5_000);
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const sentAt = Date.now();
      await stack.api.http.post(`${tenant}/events`).set(auth).send({ type: 'fast.x', data: { i } }).expect(202);
      const requests = await healthy.waitForRequests(i + 1, 30_000);
      latencies.push(requests[i].receivedAt - sentAt);
      await new Promise((r) => setTimeout(r, 50));
    }
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
    return { cap, p50: pct(50), p95: pct(95), max: latencies[latencies.length - 1], hangingRequests: hanging.requests.length };
  } finally {
    await hanging.close();
    await healthy.close();
    await stack.close();
  }
}

it('measures a healthy endpoint’s latency next to a hanging one', async () => {
  const rows = [await scenario(3), await scenario(10)];
  const table = [
    'ENDPOINT_MAX_IN_FLIGHT | healthy p50 ms | p95 ms | max ms | requests to the hanging endpoint',
    ...rows.map((r) => `${String(r.cap).padStart(22)} | ${String(r.p50).padStart(14)} | ${String(r.p95).padStart(6)} | ${String(r.max).padStart(6)} | ${r.hangingRequests}`),
  ];
  console.log(table.join('\n'));
  expect(rows[0].p95).toBeLessThan(rows[1].p95);
}, 180_000);
