import { WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';

/**
 * Stops every BullMQ worker, waiting for the jobs in hand (their attempts are recorded before a
 * job ends), before any module tears down Postgres or Redis. @nestjs/bullmq would close them only
 * in onApplicationShutdown, after the database connections are gone.
 */
@Injectable()
export class WorkerShutdown implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Worker');

  constructor(private readonly discovery: DiscoveryService) {}

  async beforeApplicationShutdown(signal?: string) {
    const hosts = this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is WorkerHost => instance instanceof WorkerHost);
    if (signal) this.logger.log(`${signal}: finishing ${hosts.length} queue workers' jobs in hand`);
    await Promise.all(hosts.map((host) => host.worker?.close()));
  }
}
