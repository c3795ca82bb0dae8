import { clock } from '../clock';
import type { CpuShare } from '../cpu-usage';
import { cpuBetween, sampleCpu } from '../cpu-usage';
import type { HooklineProcess } from '../hookline-processes';
import type { ProfileSummary } from '../profile';
import { summarizeProfile } from '../profile';
import type { HooklineContext } from './scenario';

export interface Observation {
  cpu: { shares: CpuShare[]; machineCores: number | null };
  profiles: (ProfileSummary & { process: string })[];
}

/**
 * Runs `work` while measuring CPU per process from /proc and, with BENCH_PROFILE=1, CPU-profiling
 * `processes` for exactly that window (`bench/results/<process>-<label>.cpuprofile`); prints both.
 */
export async function observed<T>(ctx: HooklineContext, label: string, processes: HooklineProcess[], work: () => Promise<T>): Promise<{ result: T } & Observation> {
  const profiled = ctx.config.profile ? processes : [];
  for (const proc of profiled) await proc.startProfile();
  const before = sampleCpu(ctx.cpuTargets(), clock());
  const result = await work();
  const cpu = cpuBetween(before, sampleCpu(ctx.cpuTargets(), clock()));
  const profiles = [];
  for (const proc of profiled) profiles.push({ process: proc.name, ...summarizeProfile(await proc.stopProfile(label)) });
  ctx.log(`  CPU (cores busy): ${cpu.shares.map((c) => `${c.label} ${c.cores.toFixed(2)}`).join(', ')}; whole machine ${cpu.machineCores?.toFixed(2) ?? '?'}`);
  for (const p of profiles) {
    ctx.log(`  ${p.process} profile (${p.file}): ${p.busySamples} busy samples, ${p.idleSamples} idle; self time, share of busy:`);
    for (const entry of p.byPackage.slice(0, 8)) ctx.log(`    ${entry.percent.toFixed(1).padStart(5)}%  ${entry.name}`);
    for (const entry of p.topFunctions.slice(0, 12)) ctx.log(`    ${entry.percent.toFixed(1).padStart(5)}%  ${entry.name}`);
  }
  return { result, cpu, profiles };
}
