import { clock } from '../clock';
import { publishClosedLoop } from '../load';
import { perSecond } from '../stats';
import type { Observation } from './observed';
import { observed } from './observed';
import type { HooklineContext, ScenarioResult } from './scenario';
import { deferralsBetween, drainBudgetMs, metric, totalOf } from './scenario';

const TYPE = 'bench.scale';
/**
 * The backlog is spread over this many subscriptions (one event type each), so ENDPOINT_MAX_IN_FLIGHT,
 * a cap per subscription across all workers, does not cap the second worker as well.
 */
const SUBSCRIPTIONS = 4;

interface Drain {
  workers: number;
  deliveriesPerSecond: number | null;
  elapsedMs: number;
  rssMb: (number | null)[];
  deferrals: Record<string, number> | null;
  cpu: Observation['cpu'];
  profiles: Observation['profiles'];
}

/**
 * 6. Scale: the same backlog (over SUBSCRIPTIONS subscriptions) drained by 1 and then 2 worker processes. The backlog is published
 * while Hookline's queue is paused, so each drain starts with every worker already up and idle, and
 * is timed from resume to the last delivery recorded as succeeded.
 */
export async function scale(ctx: HooklineContext): Promise<ScenarioResult> {
  const drains: Drain[] = [];
  drains.push(await drainBacklog(ctx, 1));
  const second = await ctx.startWorker('worker-2');
  try {
    drains.push(await drainBacklog(ctx, 2));
  } finally {
    await second.stop();
    ctx.workers.splice(ctx.workers.indexOf(second), 1);
  }
  const [one, two] = drains;
  const speedup = one.deliveriesPerSecond && two.deliveriesPerSecond ? two.deliveriesPerSecond / one.deliveriesPerSecond : null;
  return {
    id: '6',
    title: `Scale: a backlog of ${ctx.config.scaleEvents} deliveries, 1 vs 2 worker processes`,
    metrics: [
      metric('oneWorker', '1 worker: deliveries/s', one.deliveriesPerSecond, 'deliveries/s'),
      metric('twoWorkers', '2 workers: deliveries/s', two.deliveriesPerSecond, 'deliveries/s'),
      metric('perWorkerOfTwo', '2 workers: deliveries/s per worker', two.deliveriesPerSecond && two.deliveriesPerSecond / 2, 'deliveries/s'),
      metric('speedup', '2 workers ÷ 1 worker', speedup, 'x'),
      metric('heldBackOne', '1 worker: attempts held back (deferrals)', totalOf(one.deferrals), 'count'),
      metric('heldBackTwo', '2 workers: attempts held back (deferrals)', totalOf(two.deferrals), 'count'),
      // Of the machine's cores: near all of them with one worker leaves a second nothing to run on.
      metric('machineCoresOne', '1 worker: machine cores busy', one.cpu.machineCores, 'cores'),
      metric('machineCoresTwo', '2 workers: machine cores busy', two.cpu.machineCores, 'cores'),
    ],
    details: { drains },
  };
}

async function drainBacklog(ctx: HooklineContext, workers: number): Promise<Drain> {
  const { config, api, db, queue, receiver } = ctx;
  const tenantId = await api.createTenant(`bench scale ${workers}`);
  for (let k = 0; k < SUBSCRIPTIONS; k++) await api.createSubscription(tenantId, receiver.url(`/scale/${workers}/${k}`), [`${TYPE}.${k}`]);
  if (!(await queue.waitIdle(60_000))) throw new Error('the delivery queue did not empty before the backlog');

  await queue.pause();
  try {
    ctx.log(`  ${workers} worker(s): publishing a backlog of ${config.scaleEvents} events (queue paused)`);
    const log = await publishClosedLoop(api, tenantId, config.scaleEvents, config.publishConcurrency, (i) => ctx.payloads.publishBody(`${TYPE}.${i % SUBSCRIPTIONS}`, i));
    if (log.errors > 0) throw new Error(`${log.errors} publishes failed, first: ${log.firstError}`);
  } catch (error) {
    await queue.resume();
    throw error;
  }
  const deferralsBefore = await api.deferrals();
  const {
    result: done,
    cpu,
    profiles,
  } = await observed(ctx, `scale-${workers}`, ctx.workers, async () => {
    const resumedAt = clock();
    await queue.resume();
    return { resumedAt, ...(await db.waitForSucceeded({ tenantId }, config.scaleEvents, drainBudgetMs(config.scaleEvents), 20)) };
  });
  if (!done.complete) throw new Error(`${workers} worker(s): ${done.count} of ${config.scaleEvents} deliveries succeeded within the time budget`);
  await receiver.drain();
  const elapsedMs = (done.lastRecordedAt ?? clock()) - done.resumedAt;
  const deferrals = deferralsBetween(deferralsBefore, await api.deferrals());
  return { workers, deliveriesPerSecond: perSecond(config.scaleEvents, elapsedMs), elapsedMs, rssMb: ctx.workers.map((w) => w.rssMb()), deferrals, cpu, profiles };
}
