import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { TEST_ADMIN_KEY } from './test-config';

const ROOT = join(__dirname, '../..');

/** Compiles apps and libs into dist/ when the sources changed (a no-op otherwise). */
export function ensureBuilt(): void {
  try {
    execFileSync(process.execPath, [join(ROOT, 'scripts/prepare.js'), '--build'], { cwd: ROOT, stdio: 'pipe', encoding: 'utf8' });
  } catch (error) {
    // Without the compiler's output a failed build only says "Command failed".
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`build failed (scripts/prepare.js --build):\n${`${stdout ?? ''}${stderr ?? ''}`.slice(-4000)}`, { cause: error });
  }
}

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves when the process prints that it is ready. */
  ready: Promise<void>;
  exited: Promise<number | null>;
}

/** The compiled worker as its own OS process, so a test can SIGKILL it mid-delivery. */
export function spawnWorkerProcess(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, [join(ROOT, 'dist/apps/worker/src/main.js')], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', ADMIN_API_KEY: TEST_ADMIN_KEY, ALLOW_PRIVATE_NETWORKS: 'true', RETENTION_INTERVAL_MS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('worker ready')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready: ${text}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => text, ready, exited };
}
