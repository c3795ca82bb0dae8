import { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';

/** A background task run every `intervalMs`, never overlapping itself, stopped with the app. */
export abstract class IntervalTask implements OnApplicationBootstrap, OnModuleDestroy {
  protected abstract readonly logger: Logger;
  protected abstract readonly intervalMs: number;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  protected abstract runOnce(): Promise<void>;

  onApplicationBootstrap() {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async onModuleDestroy() {
    clearInterval(this.timer);
    await this.running;
  }

  /** Runs now unless a run is in progress; resolves when that run ends. */
  tick(): Promise<void> {
    this.running ??= this.runOnce()
      .catch((error) => this.logger.warn(`${(error as Error).message}`))
      .finally(() => (this.running = undefined));
    return this.running;
  }
}
