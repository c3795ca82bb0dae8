import { Pool } from 'undici';
import { countUnder } from '../arrivals';
import { clock } from '../clock';
import { runConcurrent } from '../load';
import { perSecond, summarize } from '../stats';
import type { BaseContext, ScenarioResult } from './scenario';
import { metric } from './scenario';
import { benchJob, benchSubscription, signedRequest } from './worker-request';

const PATH = '/raw';

/** 1. Raw ceiling: signed POSTs from an undici Pool straight to the receiver; no queue, no database. */
export async function rawCeiling(ctx: BaseContext): Promise<ScenarioResult> {
  const { config, receiver, payloads } = ctx;
  const pool = new Pool(`http://127.0.0.1:${receiver.port}`, { connections: config.connections, pipelining: 1 });
  const subscription = benchSubscription(receiver.url(PATH));
  const latencies: number[] = [];
  let failures = 0;
  const send = async (seq: number) => {
    const { body, headers } = signedRequest(benchJob(payloads, subscription, 'bench.raw', seq), subscription);
    const startedAt = clock();
    const response = await pool.request({ path: PATH, method: 'POST', headers, body });
    await response.body.text();
    latencies.push(clock() - startedAt);
    if (response.statusCode !== 200) failures++;
  };
  try {
    const warmup = Math.min(1_000, config.events);
    await runConcurrent(warmup, config.concurrency, send);
    latencies.length = 0;
    ctx.log(`  ${config.events} POSTs, ${config.concurrency} in flight over ${config.connections} connections`);
    const startedAt = clock();
    await runConcurrent(config.events, config.concurrency, send);
    const elapsedMs = clock() - startedAt;
    const received = countUnder((await receiver.drain()).records, PATH);
    const latency = summarize(latencies);
    return {
      id: '1',
      title: 'Raw ceiling (undici Pool → receiver)',
      metrics: [
        metric('deliveriesPerSecond', 'requests/s', perSecond(config.events, elapsedMs), 'deliveries/s'),
        metric('requestP50', 'request latency p50', latency.p50, 'ms'),
        metric('requestP99', 'request latency p99', latency.p99, 'ms'),
      ],
      details: { requests: config.events, elapsedMs, failures, receivedIncludingWarmup: received, warmup, latency },
    };
  } finally {
    await pool.close();
  }
}
