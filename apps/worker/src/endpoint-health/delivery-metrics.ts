import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { ATTEMPT_SECONDS_BUCKETS, DeferralReason, DeliveryOutcome, FailOpen, operatorKeys, redisKeyspace, RedisService } from '@hookline/queue';

const FLUSH_INTERVAL_MS = 1_000;

/**
 * Delivery counters of this worker, added every second to cluster-wide totals in Redis: the API's
 * `/metrics` reads them, so one scrape shows every worker's deliveries and the worker opens no
 * port. Counts pile up in memory while Redis is away (a few numbers) and are added later. The
 * worker's fail-open counts travel the same way.
 */
@Injectable()
export class DeliveryMetrics implements OnModuleInit, OnModuleDestroy {
  private readonly keys: ReturnType<typeof operatorKeys>;
  private outcomes = new Map<string, number>();
  private buckets = new Map<string, number>();
  private deferrals = new Map<string, number>();
  private seconds = 0;
  private count = 0;
  private internalErrors = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisService,
    private readonly failOpen: FailOpen,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.keys = operatorKeys(redisKeyspace(config));
  }

  onModuleInit() {
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy() {
    clearInterval(this.timer);
    await this.flush();
  }

  attempt(outcome: DeliveryOutcome, durationMs: number): void {
    add(this.outcomes, outcome, 1);
    const seconds = durationMs / 1000;
    const bucket = ATTEMPT_SECONDS_BUCKETS.find((le) => seconds <= le);
    add(this.buckets, bucket === undefined ? 'le:+Inf' : `le:${bucket}`, 1);
    this.seconds += seconds;
    this.count += 1;
  }

  deferred(reason: DeferralReason): void {
    add(this.deferrals, reason, 1);
  }

  /** A delivery's processing threw something that was not the endpoint's answer. */
  internalError(): void {
    this.internalErrors += 1;
  }

  async flush(): Promise<void> {
    const failOpen = this.failOpen.takeUnshared();
    if (this.count === 0 && this.deferrals.size === 0 && this.internalErrors === 0 && failOpen.size === 0) return;
    if (this.redis.status !== 'ready') {
      this.failOpen.giveBack(failOpen);
      this.failOpen.record('metrics');
      return;
    }
    const [outcomes, buckets, deferrals, seconds, count, internalErrors] = [this.outcomes, this.buckets, this.deferrals, this.seconds, this.count, this.internalErrors];
    this.outcomes = new Map();
    this.buckets = new Map();
    this.deferrals = new Map();
    this.seconds = 0;
    this.count = 0;
    this.internalErrors = 0;
    const pipeline = this.redis.multi();
    for (const [outcome, n] of outcomes) pipeline.hincrby(this.keys.deliveryOutcomes, outcome, n);
    for (const [bucket, n] of buckets) pipeline.hincrby(this.keys.attemptSeconds, bucket, n);
    if (count) {
      pipeline.hincrbyfloat(this.keys.attemptSeconds, 'sum', seconds);
      pipeline.hincrby(this.keys.attemptSeconds, 'count', count);
    }
    for (const [reason, n] of deferrals) pipeline.hincrby(this.keys.deferrals, reason, n);
    for (const [path, n] of failOpen) pipeline.hincrby(this.keys.failOpen, path, n);
    if (internalErrors) pipeline.incrby(this.keys.internalErrors, internalErrors);
    try {
      await pipeline.exec();
    } catch (error) {
      // MULTI: nothing was applied; keep the counts for the next flush.
      for (const [k, n] of outcomes) add(this.outcomes, k, n);
      for (const [k, n] of buckets) add(this.buckets, k, n);
      for (const [k, n] of deferrals) add(this.deferrals, k, n);
      this.seconds += seconds;
      this.count += count;
      this.internalErrors += internalErrors;
      this.failOpen.giveBack(failOpen);
      this.failOpen.record('metrics', error);
    }
  }
}

function add(map: Map<string, number>, key: string, n: number) {
  map.set(key, (map.get(key) ?? 0) + n);
}
