import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { ReplayRunner } from '@hookline/replays';
import { REPLAYS_QUEUE, ReplayJobData } from '@hookline/queue';

/**
 * One job per replay. Each run works on it for a few seconds and then moves the job back to
 * delayed (so other replays get their turn and progress is committed as it goes), until the
 * runner says the replay is done.
 */
@Processor(REPLAYS_QUEUE, { concurrency: 2 })
export class ReplayProcessor extends WorkerHost {
  private readonly logger = new Logger(ReplayProcessor.name);

  constructor(private readonly runner: ReplayRunner) {
    super();
  }

  async process(job: Job<ReplayJobData>, token?: string): Promise<void> {
    const step = await this.runner.step(job.data.replayId);
    if (step.kind === 'again') {
      await job.moveToDelayed(Date.now() + step.delayMs, token);
      throw new DelayedError();
    }
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job<ReplayJobData> | undefined, error: Error) {
    if (!job) return;
    this.logger.warn(`replay ${job.data.replayId} step failed (try ${job.attemptsMade}): ${error.message}`);
    if (job.attemptsMade >= (job.opts.attempts ?? 1)) await this.runner.fail(job.data.replayId).catch(() => undefined);
  }
}
