import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** Linux USER_HZ; /proc/<pid>/stat counts CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

export interface CpuTarget {
  label: string;
  /** The process ids making up this target at the moment of sampling. */
  pids: () => number[];
}

/** Cumulative CPU seconds per target and pid, plus the whole machine's busy seconds. */
export interface CpuSample {
  at: number;
  perTarget: Map<string, Map<number, number>>;
  machineBusy: number | null;
}

export interface CpuShare {
  label: string;
  cpuSeconds: number;
  /** Average cores kept busy over the window. */
  cores: number;
}

const supported = existsSync('/proc/self/stat');

/** CPU seconds a process has used (user + system), or null once it is gone. */
function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

function machineBusySeconds(): number | null {
  try {
    const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
    const ticks = cpu.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: everything but idle and iowait.
    const busy = ticks.slice(0, 8).reduce((sum, t, i) => (i === 3 || i === 4 ? sum : sum + t), 0);
    return busy / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Processes whose command line matches: Postgres backends show `postgres: user db host(port) state`. */
export function pidsMatching(pattern: RegExp): number[] {
  if (!supported) return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (pattern.test(readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' '))) pids.push(Number(entry));
    } catch {
      // gone between readdir and read
    }
  }
  return pids;
}

export function sampleCpu(targets: readonly CpuTarget[], at: number): CpuSample {
  const perTarget = new Map<string, Map<number, number>>();
  for (const target of targets) {
    const byPid = new Map<number, number>();
    for (const pid of supported ? target.pids() : []) {
      const seconds = processCpuSeconds(pid);
      if (seconds !== null) byPid.set(pid, seconds);
    }
    perTarget.set(target.label, byPid);
  }
  return { at, perTarget, machineBusy: supported ? machineBusySeconds() : null };
}

/** CPU used per target between two samples; a pid that appeared in between counts from zero. */
export function cpuBetween(before: CpuSample, after: CpuSample): { shares: CpuShare[]; machineCores: number | null } {
  const seconds = (after.at - before.at) / 1000;
  const shares: CpuShare[] = [];
  for (const [label, pids] of after.perTarget) {
    let used = 0;
    for (const [pid, total] of pids) used += total - (before.perTarget.get(label)?.get(pid) ?? 0);
    shares.push({ label, cpuSeconds: used, cores: seconds > 0 ? used / seconds : 0 });
  }
  const machineCores = before.machineBusy !== null && after.machineBusy !== null && seconds > 0 ? (after.machineBusy - before.machineBusy) / seconds : null;
  return { shares, machineCores };
}
