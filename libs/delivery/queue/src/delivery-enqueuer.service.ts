import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { withTimeout } from '@hookline/timeout';
import { DeliveryJob, DeliveryJobData, deliveryJob } from './delivery-job';
import { DeliveryQueues } from './delivery-queues';
import { TenantLanes } from './tenant-lanes';

/** Past this, the caller moves on; the deliveries are in Postgres and the sweeper queues them later. */
const ENQUEUE_TIMEOUT_MS = 2_000;

@Injectable()
export class DeliveryEnqueuer {
  private readonly logger = new Logger(DeliveryEnqueuer.name);

  constructor(
    readonly queues: DeliveryQueues,
    private readonly lanes: TenantLanes,
  ) {}

  /**
   * Adds jobs after their deliveries were committed (outbox). Never throws: when Redis is down or
   * slow the deliveries stay due in Postgres and the worker's sweeper enqueues them. Each job's
   * priority is `priority` (a replay's) plus its tenant's lane (TenantLanes).
   */
  async enqueue(jobs: DeliveryJobData[], delayMs = 0, priority = 0): Promise<boolean> {
    if (jobs.length === 0) return true;
    try {
      const lanes = await this.lanes.priorities(countByTenant(jobs));
      await withTimeout(this.addWhenConnected(jobs.map((data) => deliveryJob(data, delayMs, priority + (lanes.get(data.tenantId) ?? 0)))), ENQUEUE_TIMEOUT_MS);
      return true;
    } catch (error) {
      this.logger.warn(`enqueue of ${jobs.length} deliveries deferred to the sweeper: ${(error as Error).message}`);
      return false;
    }
  }

  /** One addBulk per shard: each queue is one hash tag, so one node on a cluster. */
  private async addWhenConnected(jobs: DeliveryJob[]) {
    const byQueue = new Map<Queue<DeliveryJobData>, DeliveryJob[]>();
    for (const job of jobs) {
      const queue = this.queues.forSubscription(job.data.subscriptionId);
      const shardJobs = byQueue.get(queue);
      if (shardJobs) shardJobs.push(job);
      else byQueue.set(queue, [job]);
    }
    await Promise.all([...byQueue].map(([queue, shardJobs]) => this.addToQueue(queue, shardJobs)));
  }

  /** Refuses rather than queueing in ioredis' offline buffer, which would grow for as long as Redis is away. */
  private async addToQueue(queue: Queue<DeliveryJobData>, jobs: DeliveryJob[]) {
    const client = await queue.client;
    if (client.status !== 'ready') throw new Error(`redis is ${client.status}`);
    await queue.addBulk(jobs);
  }
}

function countByTenant(jobs: DeliveryJobData[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const job of jobs) counts.set(job.tenantId, (counts.get(job.tenantId) ?? 0) + 1);
  return counts;
}
