import { WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { DeliveryWorkers } from './delivery/delivery-workers';
import { IntervalTask } from './maintenance/interval-task';

/**
 * The first thing shutdown does (the root module's destroy hook runs before any other module's):
 * every BullMQ worker stops taking jobs, every background task (sweepers, the retention purge)
 * stops at its next batch boundary, then both are awaited: the jobs in hand (their attempts are
 * recorded before a job ends) and the task runs in progress. All of it before any module tears
 * down Postgres or Redis; @nestjs/bullmq would close the workers only in onApplicationShutdown,
 * after the database connections are gone.
 */
@Injectable()
export class WorkerShutdown implements OnModuleDestroy {
  private readonly logger = new Logger('Worker');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly deliveryWorkers: DeliveryWorkers,
  ) {}

  async onModuleDestroy() {
    const instances = this.discovery.getProviders().map((wrapper) => wrapper.instance as unknown);
    const hosts = instances.filter((instance): instance is WorkerHost => instance instanceof WorkerHost);
    const tasks = instances.filter((instance): instance is IntervalTask => instance instanceof IntervalTask);
    const workers = hosts.length + this.deliveryWorkers.workers.length;
    this.logger.log(`shutting down: ${workers} queue workers finish their jobs in hand, ${tasks.length} background tasks stop`);
    const closing = [...hosts.map((host) => host.worker?.close()), this.deliveryWorkers.close()];
    const stopping = tasks.map((task) => task.stop());
    await Promise.all([...closing, ...stopping]);
  }
}
