import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { TestStack } from './support';
import { startTestStack } from './support';
import { closedPort, getDelivery, publish, subscribe, waitForDelivery } from './delivery/delivery-test-kit';

/** `npm run receiver` as a user runs it: a child process whose stdout is what the user reads. */
class ReceiverProcess {
  output = '';
  private exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(args: string[], port = 0): Promise<ReceiverProcess> {
    // Its own process group, so stopping it also stops the node process that npm and tsx start.
    const child = spawn('npm', ['run', '--silent', 'receiver', '--', '--port', String(port), ...args], {
      cwd: join(__dirname, '..'),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const receiver = new ReceiverProcess(child);
    await receiver.waitForOutput(/Receiver listening on http:\/\/127\.0\.0\.1:\d+\//);
    return receiver;
  }

  get url(): string {
    return `${/Receiver listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(this.output)![1]}hook`;
  }

  /** Resolves once stdout matches; rejects with everything printed so far if it exits or takes too long. */
  waitForOutput(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      const poll = () => {
        const match = pattern.exec(this.output);
        if (match) return resolve(match[0]);
        if (this.child.exitCode !== null || Date.now() > deadline) return reject(new Error(`receiver output never matched ${pattern}:\n${this.output}`));
        setTimeout(poll, 20);
      };
      poll();
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) process.kill(-this.child.pid!, 'SIGTERM');
    await this.exited;
  }
}

const whsecSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('npm run receiver', () => {
  let stack: TestStack;
  const receivers: ReceiverProcess[] = [];
  const startReceiver = async (args: string[], port?: number) => {
    const receiver = await ReceiverProcess.start(args, port);
    receivers.push(receiver);
    return receiver;
  };

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.stop()));
    await stack?.close();
  });

  it('prints each delivery with its webhook-id, type, attempt, body excerpt and "signature ok" for the subscription secret', async () => {
    const secret = whsecSecret();
    const receiver = await startReceiver(['--secret', secret]);
    const subscription = await subscribe(stack, receiver.url, { secret });
    const event = await publish(stack, `${subscription.ns}.paid`, { invoice: 'in_42' });

    const line = await receiver.waitForOutput(new RegExp(`${event.id} ${escape(subscription.ns)}\\.paid attempt 1 \\(dlv_\\w+\\)  .*\\n.*`));
    expect(line).toContain('signature ok');
    expect(line).toContain('→ 200');
    expect(line).toContain(`{"id":"${event.id}","type":"${subscription.ns}.paid"`);
    expect(line).toContain('"data":{"invoice":"in_42"}');
  });

  it('says "signature INVALID" when started with another secret than the subscription signs with', async () => {
    const receiver = await startReceiver(['--secret', whsecSecret()]);
    const subscription = await subscribe(stack, receiver.url, { secret: whsecSecret() });
    const event = await publish(stack, `${subscription.ns}.paid`);

    const line = await receiver.waitForOutput(new RegExp(`${event.id} .*`));
    expect(line).toContain('signature INVALID');
    expect(line).not.toContain('signature ok');
  });

  it('checks a v1a subscription with its whpk_ public key', async () => {
    const port = await closedPort();
    const subscription = await subscribe(stack, `http://127.0.0.1:${port}/hook`, { signatureScheme: 'v1a' });
    const { publicKey } = subscription as unknown as { publicKey: string };
    const receiver = await startReceiver(['--secret', publicKey], port);
    const event = await publish(stack, `${subscription.ns}.paid`);

    const line = await receiver.waitForOutput(new RegExp(`${event.id} .*`));
    expect(line).toContain('signature ok');
  });

  it('answers every request with --status, so a user can watch Hookline retry', async () => {
    const secret = whsecSecret();
    const receiver = await startReceiver(['--secret', secret, '--status', '503']);
    const subscription = await subscribe(stack, receiver.url, { secret });
    const event = await publish(stack, `${subscription.ns}.paid`);

    const retried = await receiver.waitForOutput(new RegExp(`${event.id} \\S+ attempt 2 \\((dlv_\\w+)\\)  signature ok  → 503`));
    const deliveryId = /\((dlv_\w+)\)/.exec(retried)![1];
    const delivery = await waitForDelivery(stack, deliveryId, (d) => d.attempts.length >= 2);
    expect(delivery.attempts[0].statusCode).toBe(503);
    expect((await getDelivery(stack, deliveryId)).status).not.toBe('succeeded');
  });

  it('refuses a bad option with the usage and exit code 2, before listening', async () => {
    const child = spawn('npm', ['run', '--silent', 'receiver', '--', '--status', 'ok'], { cwd: join(__dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('--status must be a whole number from 200 to 599 (got "ok")');
    expect(stderr).toContain('Usage: npm run receiver');
  });
});
