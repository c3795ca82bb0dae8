import { Queue } from 'bullmq';
import { DELIVERIES_QUEUE, redisOptions } from '@hookline/queue';
import { clock, sleep } from './clock';
import { BENCH_QUEUE_PREFIX } from './hookline-processes';

/**
 * Hookline's own delivery queue, seen from the bench: paused while a backlog is published (so a
 * drain starts with every worker already up), and watched until nothing is waiting or active.
 */
export class HooklineQueue {
  private readonly queue: Queue;

  constructor(redisUrl: string) {
    this.queue = new Queue(DELIVERIES_QUEUE, { connection: redisOptions(redisUrl), prefix: BENCH_QUEUE_PREFIX });
  }

  pause(): Promise<void> {
    return this.queue.pause();
  }

  resume(): Promise<void> {
    return this.queue.resume();
  }

  /** Jobs a worker would run now or is running (delayed retries do not count). */
  async runnable(): Promise<number> {
    const counts = await this.queue.getJobCounts('active', 'wait', 'paused', 'prioritized');
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  }

  /** Jobs by state: `wait` (incl. `paused`) is the first-come, first-served list, `prioritized` the tenant lanes behind it. */
  async byState(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('wait', 'paused', 'prioritized', 'active', 'delayed');
  }

  async waitIdle(timeoutMs: number): Promise<boolean> {
    const deadline = clock() + timeoutMs;
    while ((await this.runnable()) > 0) {
      if (clock() > deadline) return false;
      await sleep(100);
    }
    return true;
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
