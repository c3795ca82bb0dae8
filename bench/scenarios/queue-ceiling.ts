import type { Job } from 'bullmq';
import { Queue, Worker } from 'bullmq';
import { Pool } from 'undici';
import type { DeliveryJobData } from '@hookline/queue';
import { redisOptions } from '@hookline/queue';
import { countUnder } from '../arrivals';
import { clock, withTimeout } from '../clock';
import { perSecond } from '../stats';
import type { BaseContext, ScenarioResult } from './scenario';
import { drainBudgetMs, metric } from './scenario';
import { benchJob, benchSubscription, signedRequest } from './worker-request';

const PATH = '/queue';
/** Its own queue and prefix: never Hookline's. */
const QUEUE = 'ceiling';
const PREFIX = 'bench-ceiling';
const ADD_CHUNK = 1_000;

/**
 * 2. Queue ceiling: one BullMQ job per POST, preloaded, then drained by a Worker with the Hookline
 * worker's concurrency; each job signs and POSTs like the worker does, and records nothing.
 */
export async function queueCeiling(ctx: BaseContext): Promise<ScenarioResult> {
  const { config, receiver, payloads } = ctx;
  const connection = redisOptions(config.redisUrl);
  const queue = new Queue<DeliveryJobData>(QUEUE, { connection, prefix: PREFIX });
  const pool = new Pool(`http://127.0.0.1:${receiver.port}`, { connections: config.connections, pipelining: 1 });
  const subscription = benchSubscription(receiver.url(PATH));
  let failures = 0;
  /** Starts a worker, resolves with the ms from its start to the `count`th completion, then closes it. */
  const drain = (count: number) => {
    const worker = new Worker<DeliveryJobData>(
      QUEUE,
      async (job: Job<DeliveryJobData>) => {
        const { body, headers } = signedRequest(job.data, subscription);
        const response = await pool.request({ path: PATH, method: 'POST', headers, body });
        await response.body.text();
        if (response.statusCode !== 200) failures++;
      },
      { connection, prefix: PREFIX, concurrency: config.concurrency, autorun: false },
    );
    let finished = 0;
    const done = new Promise<number>((resolve) => {
      const onFinished = () => ++finished === count && resolve(clock());
      worker.on('completed', onFinished);
      worker.on('failed', () => {
        failures++;
        onFinished();
      });
    });
    const startedAt = clock();
    void worker.run();
    return withTimeout(done, drainBudgetMs(count), 'queue ceiling drain')
      .finally(() => worker.close())
      .then((finishedAt) => finishedAt - startedAt);
  };
  const enqueue = async (count: number) => {
    for (let from = 0; from < count; from += ADD_CHUNK) {
      const jobs = Array.from({ length: Math.min(ADD_CHUNK, count - from) }, (_, k) => {
        const data = benchJob(payloads, subscription, 'bench.queue', from + k);
        return { name: 'deliver', data, opts: { jobId: data.deliveryId, removeOnComplete: true, removeOnFail: true } };
      });
      await queue.addBulk(jobs);
    }
  };

  try {
    await queue.obliterate({ force: true });
    const warmup = Math.min(1_000, config.events);
    await enqueue(warmup);
    await drain(warmup);

    ctx.log(`  ${config.events} jobs preloaded, drained with concurrency ${config.concurrency}`);
    const enqueueStartedAt = clock();
    await enqueue(config.events);
    const enqueueMs = clock() - enqueueStartedAt;
    const elapsedMs = await drain(config.events);
    const received = countUnder((await receiver.drain()).records, PATH);
    return {
      id: '2',
      title: 'Queue ceiling (BullMQ + POST, no database)',
      metrics: [
        metric('deliveriesPerSecond', 'jobs drained/s', perSecond(config.events, elapsedMs), 'deliveries/s'),
        metric('enqueuePerSecond', 'addBulk jobs/s', perSecond(config.events, enqueueMs), 'events/s'),
      ],
      details: { jobs: config.events, elapsedMs, enqueueMs, failures, receivedIncludingWarmup: received, warmup },
    };
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await pool.close();
  }
}
