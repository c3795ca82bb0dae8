import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { PrismaService } from '@hookline/database';
import { REPLAYS_QUEUE, ReplayJobData, replayJob } from '@hookline/queue';
import { IntervalTask } from '../maintenance/interval-task';

/** A replay younger than this still has the job the API added (or is about to). */
const GRACE_MS = 2 * 60_000;

/**
 * Re-adds the job of an unfinished replay whose job is gone (the API could not reach Redis, or
 * Redis lost it). The job id is the replay id, so this never runs one replay twice.
 */
@Injectable()
export class ReplaySweeper extends IntervalTask {
  protected readonly logger = new Logger(ReplaySweeper.name);
  protected readonly intervalMs = 60_000;

  constructor(
    private readonly prisma: PrismaService,
    @InjectQueue(REPLAYS_QUEUE) private readonly queue: Queue<ReplayJobData>,
  ) {
    super();
  }

  protected async runOnce(): Promise<void> {
    const rows = await this.prisma.replay.findMany({
      where: { status: { in: ['queued', 'running'] }, createdAt: { lt: new Date(Date.now() - GRACE_MS) } },
      select: { id: true },
      orderBy: { id: 'asc' },
      take: 1_000,
    });
    for (const { id } of rows) {
      if (await this.queue.getJob(id)) continue;
      const { name, data, opts } = replayJob(id);
      await this.queue.add(name, data, opts);
      this.logger.warn(`re-queued replay ${id}, whose job was missing`);
    }
  }
}
