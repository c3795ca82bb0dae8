import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import type { AppConfig } from '@hookline/config';
import { loadConfig, parseDuration } from '@hookline/config';
import type { ProblemDetails } from '@hookline/http-problem';
import { ProblemException } from '@hookline/http-problem';
import type { ReplayableStatus, ReplayView } from '@hookline/replays';
import { DeadLettersService } from '@hookline/dead-letters';
import { REPLAYABLE_STATUSES, ReplaysService } from '@hookline/replays';
import { StatsService } from '@hookline/stats';
import type { ReencryptionSummary } from '@hookline/subscriptions';
import { SecretsReencryptionService } from '@hookline/subscriptions';
import { CliModule } from './cli.module';
import type { Output } from './progress-bar';
import { ProgressBar } from './progress-bar';

const USAGE = `Hookline operator CLI: the same services as the API's operator routes, without HTTP.

  npm run cli -- replay [--tenant ten_…] [--subscription sub_…] [--type invoice.*]
                        [--status dead,failed] [--since 2026-01-01T00:00:00Z|6h] [--until …] [--no-wait]
  npm run cli -- recover --tenant ten_… --subscription sub_… --since … [--until …] [--no-wait]
  npm run cli -- replay-status rpl_…
  npm run cli -- dead-letters [--tenant …] [--subscription …] [--type …] [--since …] [--until …] [--limit 20]
  npm run cli -- stats [--tenant ten_…] [--json]
  npm run cli -- secrets:reencrypt [--batch-size 500]

Times are ISO-8601, or a duration ago (30m, 6h). replay and recover show a progress bar until the
replay completes (Ctrl-C stops watching; the replay goes on in the workers).
secrets:reencrypt moves every stored signing secret under SECRETS_KEY (reading older ones with
SECRETS_KEY_PREVIOUS), with progress on stderr; safe while Hookline runs, and a re-run resumes.
`;

export interface CliIo {
  out: Output;
  err: Output;
  env?: NodeJS.ProcessEnv;
  /** How often a replay's progress is read (default 1 s). */
  pollMs?: number;
}

export class UsageError extends Error {}

/** Runs one command; resolves to the process exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.out.write(USAGE);
    return command ? 0 : 2;
  }
  let app: INestApplicationContext | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        tenant: { type: 'string' },
        subscription: { type: 'string' },
        type: { type: 'string' },
        status: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
        'no-wait': { type: 'boolean' },
        'batch-size': { type: 'string' },
      },
    });
    const config: AppConfig = loadConfig({ LOG_LEVEL: 'warn', ...(io.env ?? process.env) });
    app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: ['error', 'warn'] });
    const replays = app.get(ReplaysService);
    switch (command) {
      case 'replay': {
        const replay = await replays.create({
          tenantId: values.tenant,
          subscriptionId: values.subscription,
          eventType: values.type,
          status: statuses(values.status),
          since: time('--since', values.since),
          until: time('--until', values.until),
        });
        return await watch(replays, replay, io, values['no-wait']);
      }
      case 'recover': {
        if (!values.tenant || !values.subscription || !values.since) throw new UsageError('recover needs --tenant, --subscription and --since');
        const replay = await replays.recover(values.tenant, values.subscription, { since: time('--since', values.since)!, until: time('--until', values.until) });
        return await watch(replays, replay, io, values['no-wait']);
      }
      case 'replay-status': {
        if (!positionals[0]) throw new UsageError('replay-status needs a replay id');
        return await watch(replays, await replays.get(positionals[0]), io, false);
      }
      case 'dead-letters': {
        const page = await app.get(DeadLettersService).list({
          tenantId: values.tenant,
          subscriptionId: values.subscription,
          type: values.type,
          since: time('--since', values.since),
          until: time('--until', values.until),
          limit: Math.min(100, Math.max(1, Number(values.limit ?? 20) || 20)),
        });
        io.out.write(`${JSON.stringify(page, null, 2)}\n`);
        return 0;
      }
      case 'stats': {
        const stats = await app.get(StatsService).stats(values.tenant);
        if (values.json) io.out.write(`${JSON.stringify(stats, null, 2)}\n`);
        else io.out.write(formatStats(stats));
        return 0;
      }
      case 'secrets:reencrypt': {
        const batchSize = values['batch-size'] === undefined ? undefined : Number(values['batch-size']);
        if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0)) throw new UsageError('--batch-size: expected a positive whole number');
        const bar = new ProgressBar(io.err);
        const describe = (done: number, total: number) => `re-encrypted or checked ${done} of ${total} secrets not under the current key`;
        let last = { done: 0, total: 0 };
        const summary = await app.get(SecretsReencryptionService).reencryptAll(({ done, total }) => {
          last = { done, total };
          bar.update(done, total, describe(done, total));
        }, batchSize);
        bar.update(last.done, last.total, describe(last.done, last.total), true);
        bar.finish();
        io.out.write(formatReencryption(summary));
        return summary.unreadable.length > 0 || summary.changedMeanwhile > 0 ? 1 : 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err.write(`${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof ProblemException) {
      const problem = error.getResponse() as ProblemDetails;
      io.err.write(`${problem.status} ${problem.title}: ${problem.detail}\n`);
      return 1;
    }
    io.err.write(`${(error as Error).message ?? error}\n`);
    return 1;
  } finally {
    await app?.close();
  }
}

async function watch(replays: ReplaysService, started: ReplayView, io: CliIo, noWait = false): Promise<number> {
  io.out.write(`replay ${started.id}: ${started.matched} deliveries matched\n`);
  if (noWait) return 0;
  const bar = new ProgressBar(io.out);
  let replay = started;
  for (;;) {
    // Queueing first (queued of matched), then delivery (completed of queued).
    const queueing = replay.status === 'queued' || (replay.queued < replay.matched && replay.completed === 0);
    const [done, total] = queueing ? [replay.queued, replay.matched] : [replay.completed, replay.queued];
    bar.update(done, total, `${replay.status}: matched ${replay.matched}, queued ${replay.queued}, completed ${replay.completed}`);
    if (replay.status === 'completed' || replay.status === 'failed') break;
    await new Promise((resolve) => setTimeout(resolve, io.pollMs ?? 1_000));
    replay = await replays.get(replay.id);
  }
  bar.update(replay.completed, replay.queued, `${replay.status}: matched ${replay.matched}, queued ${replay.queued}, completed ${replay.completed}`, true);
  bar.finish();
  return replay.status === 'completed' ? 0 : 1;
}

function statuses(value?: string): ReplayableStatus[] | undefined {
  if (!value) return undefined;
  const list = value.split(',').map((s) => s.trim());
  for (const status of list) {
    if (!REPLAYABLE_STATUSES.includes(status as ReplayableStatus)) {
      throw new UsageError(`--status: ${status === 'succeeded' ? 'succeeded deliveries are never replayed in bulk' : `must be among ${REPLAYABLE_STATUSES.join(', ')}`}`);
    }
  }
  return list as ReplayableStatus[];
}

/** ISO-8601, or a duration ago (`6h`). */
function time(flag: string, value?: string): Date | undefined {
  if (value === undefined) return undefined;
  const ago = parseDuration(value);
  if (ago !== null) return new Date(Date.now() - ago);
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(date.getTime())) throw new UsageError(`${flag}: expected an ISO-8601 time or a duration like 6h, got "${value}"`);
  return date;
}

function formatReencryption(summary: ReencryptionSummary): string {
  const lines = [`signing secrets: ${summary.stored} stored, ${summary.reencrypted} re-encrypted now, ${summary.alreadyCurrent} already under the current key`];
  if (summary.changedMeanwhile > 0) lines.push(`${summary.changedMeanwhile} changed while this ran: run the command again`);
  if (summary.unreadable.length > 0) {
    lines.push(`${summary.unreadable.length} open under neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS (left as they are): ${summary.unreadable.join(', ')}`);
  } else if (summary.changedMeanwhile === 0) {
    lines.push('every stored secret is under the current key: SECRETS_KEY_PREVIOUS can be removed');
  }
  return `${lines.join('\n')}\n`;
}

function formatStats(stats: Awaited<ReturnType<StatsService['stats']>>): string {
  const lines = [`Hookline stats at ${stats.generatedAt.toISOString()}${stats.tenantId ? ` for ${stats.tenantId}` : ''}`, '', 'deliveries'];
  for (const [status, n] of Object.entries(stats.deliveries)) lines.push(`  ${status.padEnd(10)} ${n}`);
  lines.push('', `oldest pending age  ${stats.oldestPendingAgeSeconds === null ? '-' : `${stats.oldestPendingAgeSeconds} s`}`);
  lines.push(`open breakers       ${stats.circuitBreakersOpen}`, '', 'queues');
  for (const [queue, states] of Object.entries(stats.queues)) {
    lines.push(
      `  ${queue.padEnd(16)} ${Object.entries(states)
        .map(([state, n]) => `${state} ${n}`)
        .join(', ')}`,
    );
  }
  lines.push('', 'backlog (pending + failed) by tenant');
  if (stats.backlog.length === 0) lines.push('  none');
  for (const t of stats.backlog) {
    lines.push(`  ${t.tenantId}  ${String(t.backlog).padStart(8)}  (pending ${t.pending}, failed ${t.failed}, oldest due ${t.oldestPendingAgeSeconds ?? '-'} s)`);
  }
  return `${lines.join('\n')}\n`;
}
