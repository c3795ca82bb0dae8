import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { withTimeout } from '@hookline/timeout';
import { DELIVERIES_QUEUE, DeliveryJob, DeliveryJobData, deliveryJob } from './delivery-job';
import { TenantLanes } from './tenant-lanes';

/** Past this, the caller moves on; the deliveries are in Postgres and the sweeper queues them later. */
const ENQUEUE_TIMEOUT_MS = 2_000;

@Injectable()
export class DeliveryEnqueuer {
  private readonly logger = new Logger(DeliveryEnqueuer.name);

  constructor(
    @InjectQueue(DELIVERIES_QUEUE) readonly queue: Queue<DeliveryJobData>,
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

  /** Refuses rather than queueing in ioredis' offline buffer, which would grow for as long as Redis is away. */
  private async addWhenConnected(jobs: DeliveryJob[]) {
    const client = await this.queue.client;
    if (client.status !== 'ready') throw new Error(`redis is ${client.status}`);
    await this.queue.addBulk(jobs);
  }
}

function countByTenant(jobs: DeliveryJobData[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const job of jobs) counts.set(job.tenantId, (counts.get(job.tenantId) ?? 0) + 1);
  return counts;
}
