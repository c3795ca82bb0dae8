import { readFileSync } from 'node:fs';

/** The parts of a V8 .cpuprofile (Chrome DevTools format) the summary needs. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  selfMs: number;
  /** Share of the non-idle time. */
  percent: number;
}

export interface ProfileSummary {
  file: string;
  /** Samples taken while the thread was not (idle); one sample ≈ one `samplingMs` of CPU. */
  busySamples: number;
  idleSamples: number;
  samplingMs: number;
  topFunctions: ProfileEntry[];
  byPackage: ProfileEntry[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/**
 * Self time per function and per package (node_modules package, Hookline lib or app, node core).
 * Counts samples rather than summing their time deltas: on a machine with more runnable threads
 * than cores, a sample taken after the process was descheduled carries the whole gap, which would
 * credit wall-clock waiting to whatever happened to be on the stack.
 */
export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let idleSamples = 0;
  let busySamples = 0;
  for (const id of profile.samples) {
    const frame = nodes.get(id);
    if (!frame) continue;
    if (frame.functionName === '(idle)') {
      idleSamples++;
      continue;
    }
    busySamples++;
    const special = SPECIAL.has(frame.functionName);
    const name = special ? frame.functionName : `${frame.functionName || '(anonymous)'} ${shortLocation(frame.url)}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + 1);
    const pkg = special ? frame.functionName : packageOf(frame.url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + 1);
  }
  const deltas = [...profile.timeDeltas].sort((a, b) => a - b);
  const samplingMs = (deltas[Math.floor(deltas.length / 2)] ?? 1000) / 1000;
  const ranked = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, samples]) => ({ name, selfMs: Math.round(samples * samplingMs), percent: busySamples > 0 ? Math.round((samples / busySamples) * 1000) / 10 : 0 }));
  return { file, busySamples, idleSamples, samplingMs, topFunctions: ranked(byFunction), byPackage: ranked(byPackage) };
}

function packageOf(url: string): string {
  if (url === '') return '(native / V8)';
  if (url.startsWith('node:')) return 'node core';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const dist = /\/dist\/(apps|libs)\/([^/]+)\//.exec(url);
  if (dist) return `hookline ${dist[1]}/${dist[2]}`;
  return 'other';
}

function shortLocation(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}
