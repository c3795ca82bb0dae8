import { existsSync } from 'node:fs';
/** What one `npm run bench` does, from flags and BENCH_* variables (the bench's only reader of process.env). */
export interface BenchConfig {
  quick: boolean;
  /** Events of scenarios 1-3 (requests, jobs, published events). */
  events: number;
  /** Backlog drained by 1 and then 2 workers in scenario 6. */
  scaleEvents: number;
  /** WORKER_CONCURRENCY of the Hookline worker, and the in-flight requests of scenarios 1 and 2. */
  concurrency: number;
  /** Keep-alive connections to the receiver: what the worker's HttpDeliveryClient opens (min(concurrency, 256)). */
  connections: number;
  /** Publish requests in flight against the API in the closed-loop scenarios. */
  publishConcurrency: number;
  /** Outgoing webhook body size in bytes. */
  bodyBytes: number;
  moderateRate: number;
  moderateSeconds: number;
  /** One in this many events of scenario 4 is polled through the API until it shows `succeeded`. */
  visibilitySampleEvery: number;
  fanOutSubscriptions: number;
  fanOutRepeats: number;
  noisyRate: number;
  noisySeconds: number;
  /** Scenario noisy-tenant: tenant B's events/s and seconds per phase, and tenant A's queued deliveries. */
  noisyTenantRate: number;
  noisyTenantSeconds: number;
  noisyTenantBacklog: number;
  /** Scenario 7: events/s fed over gRPC PublishStream, and for how long. */
  soakRate: number;
  soakSeconds: number;
  /** Scenario retention: events/s fed over gRPC PublishStream, for how long, and RETENTION_DAYS in minutes (with 1-minute partitions). */
  retentionRate: number;
  retentionSeconds: number;
  retentionMinutes: number;
  /** DELIVERY_TIMEOUT_MS of the bench stack: how long the noisy neighbour holds a worker slot. */
  deliveryTimeoutMs: number;
  /** CPU-profile the API and the worker during scenarios 3 and 6 (BENCH_PROFILE=1). */
  profile: boolean;
  /** Hookline exports every trace (OpenTelemetry, all sampled) to a sink in the bench (BENCH_TRACING=1). */
  tracing: boolean;
  /** Scenario ids to run (BENCH_ONLY=3,6); all when empty. Ratios and targets need 1, 2 and 3. */
  only: string[];
  /** Rewrite the latest-results block of bench/README.md (default: full runs only). */
  updateReadme: boolean;
  databaseName: string;
  postgresUrl: string;
  redisUrl: string;
}

export function benchConfig(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const quick = argv.includes('--quick') || flag(env.BENCH_QUICK);
  const events = positiveInt(env, 'BENCH_EVENTS', quick ? 3_000 : 20_000);
  const concurrency = positiveInt(env, 'BENCH_CONCURRENCY', 200);
  return {
    quick,
    events,
    scaleEvents: positiveInt(env, 'BENCH_SCALE_EVENTS', events),
    concurrency,
    connections: Math.min(concurrency, 256),
    publishConcurrency: positiveInt(env, 'BENCH_PUBLISH_CONCURRENCY', 32),
    bodyBytes: positiveInt(env, 'BENCH_BODY_BYTES', 1024),
    moderateRate: positiveInt(env, 'BENCH_RATE', 500),
    moderateSeconds: positiveInt(env, 'BENCH_RATE_SECONDS', quick ? 6 : 30),
    visibilitySampleEvery: positiveInt(env, 'BENCH_VISIBILITY_SAMPLE_EVERY', 50),
    fanOutSubscriptions: positiveInt(env, 'BENCH_FANOUT', 100),
    fanOutRepeats: positiveInt(env, 'BENCH_FANOUT_REPEATS', quick ? 5 : 20),
    noisyRate: positiveInt(env, 'BENCH_NOISY_RATE', 100),
    noisySeconds: positiveInt(env, 'BENCH_NOISY_SECONDS', quick ? 3 : 10),
    noisyTenantRate: positiveInt(env, 'BENCH_NOISY_TENANT_RATE', 100),
    noisyTenantSeconds: positiveInt(env, 'BENCH_NOISY_TENANT_SECONDS', quick ? 5 : 20),
    noisyTenantBacklog: positiveInt(env, 'BENCH_NOISY_TENANT_BACKLOG', quick ? 20_000 : 200_000),
    soakRate: positiveInt(env, 'BENCH_SOAK_RATE', 2_000),
    soakSeconds: positiveInt(env, 'BENCH_SOAK_SECONDS', quick ? 30 : 300),
    retentionRate: positiveInt(env, 'BENCH_RETENTION_RATE', 1_000),
    retentionSeconds: positiveInt(env, 'BENCH_RETENTION_SECONDS', quick ? 240 : 480),
    retentionMinutes: positiveInt(env, 'BENCH_RETENTION_MINUTES', quick ? 1 : 3),
    deliveryTimeoutMs: positiveInt(env, 'BENCH_DELIVERY_TIMEOUT_MS', 3_000),
    profile: flag(env.BENCH_PROFILE),
    tracing: flag(env.BENCH_TRACING),
    only: (env.BENCH_ONLY ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean),
    updateReadme: env.BENCH_UPDATE_README === undefined ? !quick && !env.BENCH_ONLY : flag(env.BENCH_UPDATE_README),
    databaseName: env.BENCH_DATABASE ?? 'hookline_bench',
    postgresUrl: env.BENCH_POSTGRES_URL ?? defaultPostgresUrl(),
    redisUrl: env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/3',
  };
}

/**
 * Postgres's Unix socket when this machine has one: a query over it costs Node about 40 % less CPU
 * than over TCP loopback (measured here), as it would for any deployment with Postgres on the same host.
 */
function defaultPostgresUrl(): string {
  return existsSync(`${POSTGRES_SOCKET_DIR}/.s.PGSQL.5432`) ? `postgresql://postgres@${encodeURIComponent(POSTGRES_SOCKET_DIR)}` : 'postgresql://postgres:postgres@127.0.0.1:5432';
}

const POSTGRES_SOCKET_DIR = '/var/run/postgresql';

function flag(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes'].includes(value.toLowerCase());
}

/** A positive whole number from the environment, `fallback` when unset or empty. */
export function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number (got "${raw}")`);
  return value;
}
