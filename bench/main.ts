/**
 * `npm run bench [scenario…] [--quick]`: the one entry point of the benchmarks.
 *
 *   npm run bench                  the delivery scenarios 1–7 (bench/run.ts), the full run
 *   npm run bench -- 3 3b 6        only those delivery scenarios (as BENCH_ONLY=3,3b,6)
 *   npm run bench -- noisy-tenant  a quiet tenant beside another's 200,000 queued deliveries (a delivery scenario)
 *   npm run bench -- retention     1,000 events/s with 1-minute partitions and 3 minutes kept (a delivery scenario, alone)
 *   npm run bench -- ingest        publishing rates: REST, REST bulk, gRPC (bench/ingest.ts)
 *   npm run bench -- bulk          one 1 M-row bulk job end to end (bench/bulk.ts)
 *   npm run bench -- portal-log    the portal's delivery log with 1 M deliveries (bench/portal-log.ts)
 *
 * Suites run one after another, each in its own process (they start and stop their own Hookline),
 * and the exit code is the first failing suite's.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const SUITES: Record<string, string> = {
  delivery: 'run.ts',
  ingest: 'ingest.ts',
  bulk: 'bulk.ts',
  'portal-log': 'portal-log.ts',
};
const DELIVERY_SCENARIO = /^(\d+[a-z]?|noisy-tenant|retention)$/;

export interface BenchPlan {
  suites: string[];
  deliveryScenarios: string[];
  flags: string[];
}

export function planBench(args: readonly string[]): BenchPlan {
  const flags = args.filter((arg) => arg.startsWith('--'));
  const names = args.filter((arg) => !arg.startsWith('--'));
  const deliveryScenarios = names.filter((name) => DELIVERY_SCENARIO.test(name));
  const unknown = names.filter((name) => !DELIVERY_SCENARIO.test(name) && !(name in SUITES));
  if (unknown.length > 0) {
    throw new Error(
      `unknown benchmark ${unknown.join(', ')}: name delivery scenarios (1, 2, 3, 3b, 4, 5a, 5b, noisy-tenant, 6, 7, retention) or ${Object.keys(SUITES).join(', ')}`,
    );
  }
  if (deliveryScenarios.includes('retention') && deliveryScenarios.length > 1) {
    throw new Error('retention runs alone: its Hookline keeps minutes of data in 1-minute partitions, which would drop the rows other scenarios count');
  }
  const suites = names.filter((name) => name in SUITES);
  if (deliveryScenarios.length > 0 && !suites.includes('delivery')) suites.unshift('delivery');
  if (suites.length === 0) suites.push('delivery');
  return { suites: [...new Set(suites)], deliveryScenarios, flags };
}

function runSuite(suite: string, plan: BenchPlan): number {
  const env = { ...process.env };
  if (suite === 'delivery' && plan.deliveryScenarios.length > 0) env.BENCH_ONLY = plan.deliveryScenarios.join(',');
  // The child inherits tsx's loader through execArgv, so it runs TypeScript like this process.
  const child = spawnSync(process.execPath, [...process.execArgv, join(__dirname, SUITES[suite]), ...plan.flags], { stdio: 'inherit', env });
  return child.status ?? 1;
}

if (require.main === module) {
  let plan: BenchPlan;
  try {
    plan = planBench(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  let exitCode = 0;
  for (const suite of plan.suites) {
    const status = runSuite(suite, plan);
    if (status !== 0 && exitCode === 0) exitCode = status;
  }
  process.exit(exitCode);
}
