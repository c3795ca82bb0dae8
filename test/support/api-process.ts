import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { TEST_ADMIN_KEY } from './test-config';

const ROOT = join(__dirname, '../..');

export interface ApiProcess {
  child: ChildProcess;
  /** http://127.0.0.1:<port> */
  url: string;
  grpcAddress: string;
  output: () => string;
  /** Resolves when the API prints that it listens. */
  ready: Promise<void>;
  exited: Promise<number | null>;
}

/** A port free right now on 127.0.0.1 (the compiled API prints its configured port, so 0 will not do). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The compiled API (dist/, see ensureBuilt) as its own OS process: for what only a fresh process shows (tracing). */
export async function spawnApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  const [port, grpcPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [join(ROOT, 'dist/apps/api/src/main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      ADMIN_API_KEY: TEST_ADMIN_KEY,
      ALLOW_PRIVATE_NETWORKS: 'true',
      RETENTION_INTERVAL_MS: '0',
      PORT: String(port),
      GRPC_PORT: String(grpcPort),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('API listening')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`api exited (${code}) before it listened: ${text}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, url: `http://127.0.0.1:${port}`, grpcAddress: `127.0.0.1:${grpcPort}`, output: () => text, ready, exited };
}
