import { getQueueToken } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Queue } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { withTimeout } from '@hookline/timeout';
import { BullConnection } from './bull-connection';
import { queueNames } from './queue-names';
import { redisKeyspace } from './redis-keyspace';

const SETTLE_BEFORE_CLOSE_MS = 2_000;

/**
 * Keeps every registered queue's connection errors in the log rather than on stderr, and lets a queue
 * that is still connecting finish its handshake before Nest closes it: BullMQ 5 drops its own error
 * listeners on close, so a handshake that fails afterwards becomes an unhandled rejection.
 */
@Injectable()
export class QueueConnections implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Queue');
  private queues: Queue[] = [];

  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly bull: BullConnection,
  ) {}

  onModuleInit() {
    this.queues = queueNames(redisKeyspace(this.config)).map((name) => this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }));
    for (const queue of this.queues) queue.on('error', (error) => this.logger.warn(`${queue.name}: ${error.message}`));
  }

  /** Resolves once every queue has connected, or after `timeoutMs` when Redis is unreachable. */
  async settle(timeoutMs = SETTLE_BEFORE_CLOSE_MS) {
    const ready = Promise.all(this.queues.map((queue) => queue.waitUntilReady().catch(() => undefined)));
    await withTimeout(ready, timeoutMs).catch(() => undefined);
  }

  async beforeApplicationShutdown() {
    await this.settle();
  }

  onApplicationShutdown() {
    this.bull.disconnect();
  }
}
