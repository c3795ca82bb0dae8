import type { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';

/** A background task run every `intervalMs` (none when 0), never overlapping itself, stopped with the app. */
export abstract class IntervalTask implements OnApplicationBootstrap, OnModuleDestroy {
  protected abstract readonly logger: Logger;
  protected abstract readonly intervalMs: number;
  private timer?: NodeJS.Timeout;
  private soon?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopping = false;

  protected abstract runOnce(): Promise<void>;

  /** When the first run comes, if before the first interval ends. */
  protected firstRunAfterMs(): number | undefined {
    return undefined;
  }

  onApplicationBootstrap() {
    if (this.intervalMs <= 0) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
    const first = this.firstRunAfterMs();
    if (first !== undefined) this.runAfter(first);
  }

  /** WorkerShutdown calls stop() too, right after telling the queue workers to stop taking jobs; idempotent. */
  onModuleDestroy(): Promise<void> {
    return this.stop();
  }

  /**
   * No new run starts; a run in progress sees `stopRequested` at its next batch boundary. Resolves
   * when that run has ended.
   */
  stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    clearTimeout(this.soon);
    return this.running ?? Promise.resolve();
  }

  protected get stopRequested(): boolean {
    return this.stopping;
  }

  /** An extra run after `delayMs`, e.g. to continue a backlog sooner than the next interval. */
  protected runAfter(delayMs: number) {
    if (this.stopping) return;
    clearTimeout(this.soon);
    this.soon = setTimeout(() => void this.tick(), delayMs);
    this.soon.unref();
  }

  /** Runs now unless a run is in progress; resolves when that run ends. */
  tick(): Promise<void> {
    if (this.stopping) return this.running ?? Promise.resolve();
    this.running ??= this.runOnce()
      .catch((error) => this.logger.warn(`${(error as Error).message}`))
      .finally(() => (this.running = undefined));
    return this.running;
  }
}
