import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import type { BenchConfig } from './bench-config';
import { stopChild, track } from './children';

const ROOT = join(__dirname, '..');
/**
 * The compiled apps and the migrations, copied at the start of a run: every process of one run is
 * the same build even if the tree is rebuilt meanwhile. Inside the repository, so node_modules
 * still resolves; the migrator finds `prisma/migrations` by walking up from here.
 */
const BUILD_SNAPSHOT = join(__dirname, '.build');
export const LOG_DIR = join(__dirname, 'results', 'logs');
export const PROFILE_DIR = join(__dirname, 'results');

/** Fixed bench credentials: the bench database and Redis db are throwaway. */
export const BENCH_QUEUE_PREFIX = 'bench';
export const BENCH_ADMIN_KEY = 'hk_bench_admin_0123456789abcdef';
const BENCH_SECRETS_KEY = '6b1c0de0f00dfacefeedbeefcafe0123456789abcdef0123456789abcdef0123';

const ENTRY = {
  api: { file: 'dist/apps/api/src/main.js', ready: 'Hookline API listening' },
  worker: { file: 'dist/apps/worker/src/main.js', ready: 'Hookline worker ready' },
} as const;

export function databaseUrl(config: BenchConfig): string {
  return `${config.postgresUrl}/${config.databaseName}`;
}

/**
 * A clean slate for every run: a snapshot of dist/ and prisma/migrations, the bench database
 * dropped (the API creates and migrates it on start), the bench Redis db flushed.
 */
/**
 * Drops the bench database and Redis db, and tells whether the server vacuums by itself: with
 * autovacuum off (some CI setups turn it off) dead row versions pile up for the whole run, and every
 * long scenario slows down as they do.
 */
export async function resetState(config: BenchConfig): Promise<{ autovacuum: boolean }> {
  for (const entry of Object.values(ENTRY)) {
    if (!existsSync(join(ROOT, entry.file))) throw new Error(`${entry.file} is missing: run \`node scripts/prepare.js --build\` (npm run bench does)`);
  }
  rmSync(BUILD_SNAPSHOT, { recursive: true, force: true });
  cpSync(join(ROOT, 'dist'), join(BUILD_SNAPSHOT, 'dist'), { recursive: true, filter: (source) => !source.endsWith('.map') });
  cpSync(join(ROOT, 'prisma', 'migrations'), join(BUILD_SNAPSHOT, 'prisma', 'migrations'), { recursive: true });

  const admin = new Client({ connectionString: `${config.postgresUrl}/postgres` });
  await admin.connect();
  let autovacuum: boolean;
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${config.databaseName}" WITH (FORCE)`);
    autovacuum = (await admin.query<{ autovacuum: string }>('SHOW autovacuum')).rows[0].autovacuum === 'on';
  } finally {
    await admin.end();
  }
  const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
  return { autovacuum };
}

/** After the run: the snapshot is only needed while its processes run. */
export function removeBuildSnapshot(): void {
  rmSync(BUILD_SNAPSHOT, { recursive: true, force: true });
}

/**
 * The environment of the compiled API and worker in a bench run. Hookline variables the bench does
 * not set pass through from the caller's environment (`ENDPOINT_MAX_IN_FLIGHT=200 npm run bench`).
 */
function hooklineEnv(config: BenchConfig, name: string, port: number, grpcPort: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...benchSettings(config),
    ADMIN_API_KEY: BENCH_ADMIN_KEY,
    SECRETS_KEY: BENCH_SECRETS_KEY,
    PORT: String(port),
    GRPC_PORT: String(grpcPort),
    BENCH_PROCESS_NAME: name,
    BENCH_PROFILE_DIR: PROFILE_DIR,
  };
}

function benchSettings(config: BenchConfig): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl(config),
    REDIS_URL: config.redisUrl,
    QUEUE_PREFIX: BENCH_QUEUE_PREFIX,
    ALLOW_PRIVATE_NETWORKS: 'true',
    WORKER_CONCURRENCY: String(config.concurrency),
    // One retry, an hour away: the noisy neighbour's timeouts must not come back during the run.
    RETRY_SCHEDULE: '1h',
    DELIVERY_TIMEOUT_MS: String(config.deliveryTimeoutMs),
    // The bench publishes far above the default per-key limit on purpose.
    API_RATE_LIMIT_PER_SECOND: '1000000',
  };
}

/** What the Hookline processes of this run were configured with (no secrets), for the results JSON. */
export function hooklineSettings(config: BenchConfig): Record<string, string> {
  const passedThrough = Object.entries(process.env).filter(
    ([key, value]) => value !== undefined && /^(ENDPOINT_|BREAKER_|SWEEP_|RETENTION_|PARTITION_|MAX_PAYLOAD|WORKER_|DELIVERY_|RETRY_|FAIR_SHARE_|OTEL_)/.test(key),
  ) as [string, string][];
  return { ...Object.fromEntries(passedThrough), ...benchSettings(config) };
}

/** One compiled Hookline process (API or worker) started by the bench. */
export class HooklineProcess {
  private readonly lineWaiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  private tail = '';

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    const log = createWriteStream(logFile);
    let partial = '';
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      this.tail = (this.tail + chunk.toString()).slice(-4_000);
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        for (const waiter of this.lineWaiters) {
          if (waiter.pattern.test(line)) {
            this.lineWaiters.delete(waiter);
            waiter.resolve(line);
          }
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', () => log.end());
  }

  /** `port` and `grpcPort`: the API's REST and gRPC ports (0: any free port; the worker opens neither). */
  static async start(kind: keyof typeof ENTRY, name: string, config: BenchConfig, port = 0, grpcPort = 0): Promise<HooklineProcess> {
    mkdirSync(LOG_DIR, { recursive: true });
    const child = track(
      spawn(process.execPath, ['--require', join(__dirname, 'child-preload.cjs'), join(BUILD_SNAPSHOT, ENTRY[kind].file)], {
        cwd: ROOT,
        env: hooklineEnv(config, name, port, grpcPort),
        // The IPC channel is child-preload.cjs's: profiling on request, and exit when the bench is gone.
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      }),
    );
    const proc = new HooklineProcess(name, child, join(LOG_DIR, `${name}.log`));
    await proc.waitForLine(new RegExp(ENTRY[kind].ready), 90_000);
    return proc;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves with the first line matching pattern; rejects on timeout or if the process exits first. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const waiter = {
        pattern,
        resolve: (line: string) => {
          cleanup();
          resolve(line);
        },
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`${this.name} exited (${code}) while waiting for /${pattern.source}/; last output:\n${this.tail}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.name}: no /${pattern.source}/ within ${timeoutMs} ms; last output:\n${this.tail}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.lineWaiters.delete(waiter);
        this.child.off('exit', onExit);
      };
      this.lineWaiters.add(waiter);
      this.child.once('exit', onExit);
    });
  }

  /** Resident set size from /proc (Linux), in MiB; null elsewhere or once the process is gone. */
  rssMb(): number | null {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return match ? Number(match[1]) / 1024 : null;
    } catch {
      return null;
    }
  }

  /** Asks child-preload.cjs to start a CPU profile. */
  async startProfile(): Promise<void> {
    await this.ask({ type: 'bench:profile-start' }, 'bench:profile-started', 10_000);
  }

  /** Stops the CPU profile and resolves with the .cpuprofile path (`<name>-<label>.cpuprofile`). */
  async stopProfile(label: string): Promise<string> {
    const reply = await this.ask({ type: 'bench:profile-stop', label }, 'bench:profile-written', 60_000);
    return String(reply.file);
  }

  private ask(message: { type: string; label?: string }, expected: string, timeoutMs: number): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: Record<string, unknown>) => {
        if (reply?.type === expected) done(() => resolve(reply));
        else if (reply?.type === 'bench:profile-failed') done(() => reject(new Error(`${this.name}: ${String(reply.error)}`)));
      };
      const onExit = (code: number | null) => done(() => reject(new Error(`${this.name} exited (${code}) while waiting for ${expected}`)));
      const timer = setTimeout(() => done(() => reject(new Error(`${this.name}: no ${expected} within ${timeoutMs} ms`))), timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        settle();
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
      this.child.send(message);
    });
  }

  stop(): Promise<void> {
    return stopChild(this.child, 15_000);
  }
}
