import type { ChildProcess } from 'node:child_process';

/** Every process the bench starts, so that an error, Ctrl-C or a plain exit never leaves one behind. */
const children = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Synchronous, so it also works from process.on('exit'). */
export function killAllChildren(signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
  children.clear();
}

/** SIGTERM, then SIGKILL after graceMs; resolves once the process has exited. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Graceful stop of everything still running (Ctrl-C, a failed run). */
export function stopAllChildren(graceMs = 5_000): Promise<void> {
  return Promise.all([...children].map((child) => stopChild(child, graceMs))).then(() => undefined);
}
