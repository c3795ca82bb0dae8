import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Metric, Registry } from 'prom-client';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { StatsService } from '@hookline/stats';
import { withTimeout } from '@hookline/timeout';
import {
  ATTEMPT_SECONDS_BUCKETS,
  DEFERRAL_REASONS,
  DELIVERY_OUTCOMES,
  FAIL_OPEN_PATHS,
  FailOpen,
  operatorKeys,
  REDIS_CALL_TIMEOUT_MS,
  redisKeyspace,
  RedisService,
} from '@hookline/queue';

const HISTOGRAM = 'hookline_delivery_attempt_duration_seconds';

type Sample = { labels?: Record<string, string | number>; value: number; metricName?: string };
type Collected = { name: string; help: string; type: 'counter' | 'gauge' | 'histogram'; values: Sample[]; aggregator: 'sum' };

/**
 * A metric computed at scrape time from shared state (Redis, Postgres, the queues) rather than
 * from this process's own observations: prom-client's registry only needs `name` and `get()`.
 */
class SharedMetric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: Collected['type'],
    private readonly read: () => Promise<Sample[]>,
  ) {}

  async get(): Promise<Collected> {
    return { name: this.name, help: this.help, type: this.type, values: await this.read(), aggregator: 'sum' };
  }
}

interface Snapshot {
  outcomes: Record<string, string>;
  seconds: Record<string, string>;
  deferrals: Record<string, string>;
  failOpen: Record<string, string>;
}

/**
 * `/metrics` (docs/contract.md#the-rest-api): cluster-wide numbers, whichever API instance is scraped. Delivery outcomes,
 * the attempt latency histogram and deferrals are summed by the workers in Redis (they open no
 * port); deliveries by status, dead letters and the oldest pending age come from Postgres, queue
 * depths from BullMQ, all at scrape time; the API's own process metrics come last. No tenant
 * labels: a tenant's numbers are in `GET /v1/stats?tenantId=`.
 */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();
  private readonly keys: ReturnType<typeof operatorKeys>;
  private snapshot?: Promise<Snapshot>;
  /** The workers' fail-open totals as last read: a counter must not drop to 0 because Redis is away. */
  private workersFailOpen: Record<string, string> = {};

  constructor(
    private readonly stats: StatsService,
    private readonly redis: RedisService,
    private readonly failOpen: FailOpen,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.keys = operatorKeys(redisKeyspace(config));
    const shared = [
      new SharedMetric(
        'hookline_delivery_attempts_total',
        'Delivery attempts by outcome: succeeded, failed (another attempt scheduled) or dead (none left), all workers',
        'counter',
        async () => {
          const { outcomes } = await this.redisSnapshot();
          return DELIVERY_OUTCOMES.map((outcome) => ({ labels: { outcome }, value: Number(outcomes[outcome] ?? 0) }));
        },
      ),
      new SharedMetric(HISTOGRAM, 'Duration of delivery attempts (request until response or error), all workers', 'histogram', async () => {
        const { seconds } = await this.redisSnapshot();
        let cumulative = 0;
        const samples: Sample[] = ATTEMPT_SECONDS_BUCKETS.map((le) => {
          cumulative += Number(seconds[`le:${le}`] ?? 0);
          return { metricName: `${HISTOGRAM}_bucket`, labels: { le }, value: cumulative };
        });
        samples.push({ metricName: `${HISTOGRAM}_bucket`, labels: { le: '+Inf' }, value: cumulative + Number(seconds['le:+Inf'] ?? 0) });
        samples.push({ metricName: `${HISTOGRAM}_sum`, value: Number(seconds.sum ?? 0) });
        samples.push({ metricName: `${HISTOGRAM}_count`, value: Number(seconds.count ?? 0) });
        return samples;
      }),
      new SharedMetric('hookline_delivery_deferrals_total', 'Attempts held back without using an attempt: rate_limited, circuit_open, endpoint_busy', 'counter', async () => {
        const { deferrals } = await this.redisSnapshot();
        return DEFERRAL_REASONS.map((reason) => ({ labels: { reason }, value: Number(deferrals[reason] ?? 0) }));
      }),
      new SharedMetric('hookline_fail_open_total', 'Times Hookline went on without Redis instead of failing, by path: this API process and every worker', 'counter', async () => {
        await this.redisSnapshot();
        return FAIL_OPEN_PATHS.map((path) => ({ labels: { path }, value: this.failOpen.total(path) + Number(this.workersFailOpen[path] ?? 0) }));
      }),
      new SharedMetric(
        'hookline_delivery_internal_errors_total',
        'Deliveries whose processing failed for a reason other than the endpoint (a database error, a bug), all workers',
        'counter',
        async () => [{ value: Number((await withTimeout(this.redis.get(this.keys.internalErrors), REDIS_CALL_TIMEOUT_MS).catch(() => null)) ?? 0) }],
      ),
      new SharedMetric('hookline_deliveries', 'Deliveries by status, now', 'gauge', async () => {
        const { deliveries } = await this.stats.stats();
        return Object.entries(deliveries).map(([status, value]) => ({ labels: { status }, value }));
      }),
      new SharedMetric('hookline_dead_letters', 'Dead deliveries (the dead-letter state), now', 'gauge', async () => [{ value: (await this.stats.stats()).deliveries.dead }]),
      new SharedMetric('hookline_oldest_pending_age_seconds', 'How long the most overdue delivery has been due without an attempt (0 when none)', 'gauge', async () => [
        { value: (await this.stats.stats()).oldestPendingAgeSeconds ?? 0 },
      ]),
      new SharedMetric('hookline_queue_jobs', 'Jobs in each queue by state', 'gauge', async () => {
        const { queues } = await this.stats.stats();
        return Object.entries(queues).flatMap(([queue, states]) => Object.entries(states).map(([state, value]) => ({ labels: { queue, state }, value })));
      }),
      new SharedMetric('hookline_circuit_breakers_open', 'Subscriptions whose circuit breaker is open', 'gauge', async () => [
        { value: (await this.stats.stats()).circuitBreakersOpen },
      ]),
    ];
    for (const metric of shared) this.registry.registerMetric(metric as unknown as Metric);
    collectDefaultMetrics({ register: this.registry, prefix: 'hookline_api_' });
  }

  /** The whole text for one scrape; the Redis counters are read once per scrape. */
  async scrape(): Promise<string> {
    this.snapshot = undefined;
    return this.registry.metrics();
  }

  private redisSnapshot(): Promise<Snapshot> {
    this.snapshot ??= withTimeout(
      Promise.all([
        this.redis.hgetall(this.keys.deliveryOutcomes),
        this.redis.hgetall(this.keys.attemptSeconds),
        this.redis.hgetall(this.keys.deferrals),
        this.redis.hgetall(this.keys.failOpen),
      ]),
      REDIS_CALL_TIMEOUT_MS,
    )
      .then(([outcomes, seconds, deferrals, failOpen]) => {
        this.workersFailOpen = failOpen;
        return { outcomes, seconds, deferrals, failOpen };
      })
      .catch((error: unknown) => {
        this.failOpen.record('metrics', error);
        return { outcomes: {}, seconds: {}, deferrals: {}, failOpen: this.workersFailOpen };
      });
    return this.snapshot;
  }
}
