import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { freePort } from './api-process';

/** A redis-server of a test's own on a free loopback port, which the test kills and restarts. */
export class DisposableRedis {
  private child?: ChildProcess;

  private constructor(readonly port: number) {}

  static async start(): Promise<DisposableRedis> {
    const redis = new DisposableRedis(await freePort());
    await redis.up();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  up(): Promise<void> {
    if (this.running) return Promise.resolve();
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    // Even if the test is cut short, no redis-server outlives it.
    process.once('exit', () => child.kill('SIGKILL'));
    return new Promise((resolve, reject) => {
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    });
  }

  /** Closes the apps using this Redis (brought back first, so they stop without waiting on it), then stops it. */
  async closeWith(...apps: ({ close(): Promise<void> } | undefined)[]): Promise<void> {
    try {
      await this.up();
      await Promise.all(apps.map(async (app) => app?.close()));
    } finally {
      await this.down();
    }
  }

  async down(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}
