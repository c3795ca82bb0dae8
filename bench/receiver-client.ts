import { fork } from 'node:child_process';
import { join } from 'node:path';
import { request } from 'undici';
import { track, stopChild } from './children';
import { clock } from './clock';
import type { DrainResponse, ReceiverReady } from './receiver-protocol';
import { CONTROL_PREFIX } from './receiver-protocol';

/** The bench's handle on the receiver process: its URLs, its records, and the clock offset between the two. */
export class ReceiverClient {
  /** receiver clock − bench clock, in ms; subtracted from every arrival time. */
  offsetMs = 0;

  private constructor(
    private readonly child: ReturnType<typeof fork>,
    readonly port: number,
    readonly noisyPort: number,
  ) {}

  static async start(): Promise<ReceiverClient> {
    const child = track(fork(join(__dirname, 'receiver.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    const ready = await new Promise<ReceiverReady>((resolve, reject) => {
      child.once('message', (message) => resolve(message as ReceiverReady));
      child.once('exit', (code) => reject(new Error(`bench receiver exited (${code}) before it was ready`)));
    });
    const receiver = new ReceiverClient(child, ready.ports[0], ready.ports[1]);
    await receiver.measureOffset();
    return receiver;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** A URL on the main listener. */
  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** A URL on the second listener: another origin, so another connection pool in the sender. */
  noisyUrl(path: string): string {
    return `http://127.0.0.1:${this.noisyPort}${path}`;
  }

  /** Everything recorded since the last drain, arrival times on the bench's clock. */
  async drain(): Promise<DrainResponse> {
    const { body } = await request(`${this.url(CONTROL_PREFIX)}drain`);
    const drained = (await body.json()) as DrainResponse;
    if (this.offsetMs !== 0) for (const record of drained.records) record[0] -= this.offsetMs;
    return drained;
  }

  async stop(): Promise<void> {
    this.child.disconnect();
    await stopChild(this.child, 2_000);
  }

  /** Both clocks are this machine's; the offset is what is left of timeOrigin rounding. The fastest round trip wins. */
  private async measureOffset(): Promise<void> {
    let best = { rtt: Infinity, offset: 0 };
    for (let i = 0; i < 30; i++) {
      const sentAt = clock();
      const { body } = await request(`${this.url(CONTROL_PREFIX)}now`);
      const remote = Number(await body.text());
      const receivedAt = clock();
      if (receivedAt - sentAt < best.rtt) best = { rtt: receivedAt - sentAt, offset: remote - (sentAt + receivedAt) / 2 };
    }
    this.offsetMs = best.offset;
  }
}
