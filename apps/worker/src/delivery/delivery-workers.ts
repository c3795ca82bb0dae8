import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, Job, Worker } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { BullConnection, DeliveryJobData, DeliveryQueues, deliveryQueuePrefix, redisKeyspace, TenantLanes } from '@hookline/queue';
import { deliveryWorkerOptions, shardConcurrency } from './delivery-worker.options';
import { DeliveryProcessor } from './delivery.processor';

/**
 * One BullMQ worker per delivery shard, all running DeliveryProcessor. WORKER_CONCURRENCY is the
 * process's total, split evenly over the shards (see shardConcurrency), so adding shards does not
 * multiply a worker's sockets, memory or attempts in flight.
 */
@Injectable()
export class DeliveryWorkers implements OnApplicationBootstrap {
  private readonly logger = new Logger('DeliveryProcessor');
  /** Index = shard. */
  workers: Worker<DeliveryJobData>[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly processor: DeliveryProcessor,
    private readonly queues: DeliveryQueues,
    private readonly bull: BullConnection,
    private readonly lanes: TenantLanes,
  ) {}

  onApplicationBootstrap() {
    const keyspace = redisKeyspace(this.config);
    const options = { ...deliveryWorkerOptions(this.config), concurrency: shardConcurrency(this.config) };
    this.workers = this.queues.all.map((queue, shard) => {
      const worker = new Worker<DeliveryJobData>(queue.name, (job, token) => this.process(job, token), {
        ...options,
        connection: this.bull.connection,
        prefix: deliveryQueuePrefix(keyspace, shard),
      });
      // Lost locks and Redis errors: one log line each instead of a raw stack on stderr.
      worker.on('error', (error) => this.logger.warn(`queue worker ${queue.name}: ${error.message}`));
      return worker;
    });
  }

  /** Runs a job; one that ends other than by waiting in the queue again is off its tenant's queued count. */
  private async process(job: Job<DeliveryJobData>, token?: string): Promise<void> {
    try {
      await this.processor.process(job, token);
    } catch (error) {
      if (!(error instanceof DelayedError)) this.lanes.left(job.data.tenantId);
      throw error;
    }
    this.lanes.left(job.data.tenantId);
  }

  /** Stops taking jobs and waits for the jobs in hand (their attempts are recorded before a job ends). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
  }
}
