import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import type { Metric, ScenarioResult } from './scenarios/scenario';

export const RESULTS_DIR = join(__dirname, 'results');
const README = join(__dirname, 'README.md');
const START_MARK = '<!-- bench:latest:start -->';
const END_MARK = '<!-- bench:latest:end -->';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  loadAverageAtStart: number;
}

export interface Ratios {
  endToEndOverRaw: number | null;
  endToEndOverQueue: number | null;
  /** Scenario 3b (published over gRPC PublishStream) over the same ceilings. */
  streamOverRaw: number | null;
  streamOverQueue: number | null;
}

export interface Target {
  what: string;
  target: string;
  measured: string;
  met: boolean | null;
}

export interface RunReport {
  startedAt: string;
  finishedAt: string;
  mode: 'quick' | 'full';
  machine: Machine;
  /** Whether the Postgres server vacuumed by itself during the run. */
  postgres: { autovacuum: boolean };
  config: Record<string, unknown>;
  scenarios: ScenarioResult[];
  ratios: Ratios;
  targets: Target[];
}

export function machine(): Machine {
  const cpuList = cpus();
  return {
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${type()} ${release()}`,
    loadAverageAtStart: Math.round(loadavg()[0] * 100) / 100,
  };
}

export function describeMachine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node.replace(/^v/, '')}, ${m.os}; load average ${m.loadAverageAtStart} at start`;
}

/** More runnable work than half the cores before the bench even started. */
export function busy(m: Machine): boolean {
  return m.loadAverageAtStart > m.cores / 2;
}

export function findMetric(scenarios: readonly ScenarioResult[], id: string, key: string): Metric | undefined {
  return scenarios.find((s) => s.id === id)?.metrics.find((m) => m.key === key);
}

export function formatValue(m: Pick<Metric, 'value' | 'unit'>): string {
  if (m.value === null || !Number.isFinite(m.value)) return '—';
  const v = m.value;
  switch (m.unit) {
    case 'deliveries/s':
    case 'events/s':
      return `${Math.round(v).toLocaleString('en-US')} /s`;
    case 'ms':
      return `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US')} ms`;
    case 'MiB':
      return `${Math.round(v)} MiB`;
    case 'MiB/min':
      return `${v.toFixed(1)} MiB/min`;
    case 'count/min':
      return `${Math.round(v).toLocaleString('en-US')} /min`;
    case 'x':
      return `${v.toFixed(2)}×`;
    case 'cores':
      return `${v.toFixed(2)} cores`;
    default:
      return Math.round(v).toLocaleString('en-US');
  }
}

function rows(scenarios: readonly ScenarioResult[]): string[][] {
  const out: string[][] = [];
  for (const s of scenarios) {
    if (s.error) {
      out.push([`${s.id}. ${s.title}`, 'FAILED', s.error.split('\n')[0].slice(0, 120), '']);
      continue;
    }
    s.metrics.forEach((m, i) => out.push([i === 0 ? `${s.id}. ${s.title}` : '', m.label, formatValue(m), m.ratio ?? '']));
  }
  return out;
}

const HEADER = ['scenario', 'metric', 'value', 'ratio'];

/** Fixed-width table for the terminal. */
export function textTable(scenarios: readonly ScenarioResult[]): string {
  const body = rows(scenarios).map((r) => [r[0].length > 48 ? `${r[0].slice(0, 47)}…` : r[0], ...r.slice(1)]);
  const widths = HEADER.map((h, c) => Math.max(h.length, ...body.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (c === 2 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(HEADER), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function markdownTable(scenarios: readonly ScenarioResult[]): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [`| ${HEADER.join(' | ')} |`, '|---|---|--:|---|', ...rows(scenarios).map((r) => `| ${r.map(escape).join(' | ')} |`)].join('\n');
}

export function targetsText(targets: readonly Target[]): string {
  return targets.map((t) => `${t.met === null ? '·' : t.met ? '✓' : '✗'} ${t.what}: target ${t.target}, measured ${t.measured}`).join('\n');
}

/** bench/results/<ISO time>.json (colons replaced, so the name is valid everywhere). */
export function writeResults(report: RunReport): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${report.startedAt.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

/** Replaces the block between the bench markers of bench/README.md with this run's table. */
export function updateReadme(report: RunReport, resultsFile: string): boolean {
  if (!existsSync(README)) return false;
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf(START_MARK);
  const end = text.indexOf(END_MARK);
  if (start < 0 || end < start) return false;
  const block = [
    START_MARK,
    `Latest ${report.mode} run: ${report.startedAt.replace(/\.\d+Z$/, 'Z')} on ${describeMachine(report.machine)}. ` +
      `Raw results: \`bench/results/${resultsFile.split(/[\\/]/).pop()}\`.` +
      (busy(report.machine) ? ' The machine was busy with other work during this run: the figures are low and noisy.' : ''),
    '',
    markdownTable(report.scenarios),
    '',
    'Targets (for tuning, not asserted):',
    '',
    ...report.targets.map((t) => `- ${t.met === null ? '·' : t.met ? '✓' : '✗'} ${t.what}: target ${t.target}, measured ${t.measured}`),
    END_MARK,
  ].join('\n');
  writeFileSync(README, text.slice(0, start) + block + text.slice(end + END_MARK.length));
  return true;
}
