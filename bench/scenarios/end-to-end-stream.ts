import { clock } from '../clock';
import { bearer, eventServiceClient, publishStreamClosedLoop, waitForReady } from '../grpc-publish';
import { BENCH_ADMIN_KEY } from '../hookline-processes';
import { describePostgresWork, postgresWorkPerDelivery } from '../postgres-work';
import { perSecond } from '../stats';
import { observed } from './observed';
import type { HooklineContext, ScenarioResult } from './scenario';
import { drainBudgetMs, metric } from './scenario';
import { warmUp } from './warm-up';

const PATH = '/e2e-stream';
const TYPE = 'bench.e2e-stream';
const WARMUP = 300;

/**
 * 3b. Scenario 3 with the producer batching: the same N events written back to back into one gRPC
 * PublishStream (docs/contract.md#grpc) instead of one REST request each; done when all N deliveries
 * are `succeeded` in Postgres. What the delivery pipeline sustains once publishing costs no HTTP
 * request per event.
 */
export async function endToEndStream(ctx: HooklineContext): Promise<ScenarioResult> {
  const { config, api, db, receiver } = ctx;
  const tenantId = await api.createTenant('bench end to end over gRPC');
  await api.createSubscription(tenantId, receiver.url(PATH));
  await warmUp(ctx, tenantId, TYPE, WARMUP, { tenantId });

  const client = eventServiceClient(ctx.grpcPort);
  try {
    await waitForReady(client, 10_000);
    ctx.log(`  publishing ${config.events} events over one PublishStream, as fast as it accepts them`);
    const message = (i: number) => ctx.payloads.publishRequest(tenantId, TYPE, i);
    const countersBefore = await db.postgresCounters();
    const { result, cpu, profiles } = await observed(ctx, 'end-to-end-stream', [ctx.apiProcess, ...ctx.workers], async () => {
      const burst = await publishStreamClosedLoop(client, bearer(BENCH_ADMIN_KEY), config.events, message);
      if (burst.summary.rejected > 0) throw new Error(`${burst.summary.rejected} events rejected, first: ${burst.summary.errors[0]?.message}`);
      const done = await db.waitForSucceeded({ tenantId }, WARMUP + burst.summary.accepted, drainBudgetMs(config.events), 20);
      return { burst, done };
    });
    const { burst, done } = result;
    if (!done.complete) throw new Error(`${done.count - WARMUP} of ${burst.summary.accepted} deliveries succeeded within the time budget`);
    await receiver.drain();
    const endedAt = done.lastRecordedAt ?? clock();
    const postgres = postgresWorkPerDelivery(countersBefore, await db.settledPostgresCounters(), burst.summary.accepted);
    ctx.log(`  Postgres per delivery: ${describePostgresWork(postgres)}`);
    return {
      id: '3b',
      title: 'Hookline end to end, published over gRPC PublishStream (→ Postgres → BullMQ → POST → attempt recorded)',
      metrics: [
        metric('deliveriesPerSecond', 'deliveries/s sustained (first publish → last succeeded)', perSecond(burst.summary.accepted, endedAt - burst.startedAt), 'deliveries/s'),
        metric('publishPerSecond', 'publish accepted/s (stream summary)', perSecond(burst.summary.accepted, burst.summarizedAt - burst.startedAt), 'events/s'),
        metric('workerRss', 'worker RSS after', ctx.workers[0].rssMb(), 'MiB'),
      ],
      details: {
        events: config.events,
        accepted: burst.summary.accepted,
        elapsedMs: endedAt - burst.startedAt,
        drainAfterPublishMs: endedAt - burst.summarizedAt,
        cpu,
        postgres,
        profiles,
      },
    };
  } finally {
    client.close();
  }
}
