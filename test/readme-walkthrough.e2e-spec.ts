import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestStack } from './support';
import { startTestStack } from './support';
import { closedPort } from './delivery/delivery-test-kit';

const ROOT = join(__dirname, '..');

/** The shell block of README's first session, the one a user pastes into their second terminal. */
function walkthrough(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## A first session with curl'));
  const block = [...section.matchAll(/```bash\n([\s\S]*?)```/g)].find((match) => /^API=/m.test(match[1]));
  if (!block) throw new Error('README: no bash block setting API= under "A first session with curl"');
  return block[1];
}

/**
 * Runs the block as a user would, against a test stack instead of `npm start`: only the API address,
 * the admin key and the receiver's port are swapped. Where a user waits (for the receiver to listen
 * or stop, for the failed attempt to show), the script waits for that condition.
 */
function asScript(block: string, api: string, adminKey: string, port: number): string {
  const waitUntilListening = `for _ in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && break; sleep 0.1; done`;
  // A user watches the receiver print the first delivery (→ 200), and later the 500, before stopping it.
  const waitUntilDelivered = `for _ in $(seq 300); do curl -s "$API/v1/tenants/$TENANT/deliveries?status=succeeded" -H "Authorization: Bearer $KEY" | grep -q '"status":"succeeded"' && break; sleep 0.1; done`;
  const waitUntilFailedOnce = `for _ in $(seq 300); do curl -s "$API/v1/tenants/$TENANT/deliveries?status=failed" -H "Authorization: Bearer $KEY" | grep -q '"attemptCount":1' && break; sleep 0.1; done`;
  // Job control, as in an interactive shell, so that `kill %%` stops the receiver's whole process group.
  const setup = ['set -m', "trap 'for job in $(jobs -p); do kill -- -$job 2>/dev/null; done' EXIT", "trap 'exit 143' TERM"];
  const lines = block
    .replace(/^API=.*$/m, `API=${api}`)
    .replace('$(cat .hookline/dev-admin-key)', adminKey)
    .replaceAll('4000', String(port))
    .split('\n')
    .flatMap((line) => {
      if (line.startsWith('npm run receiver')) return [line, waitUntilListening];
      if (line === 'kill %%   # stop the receiver') return [waitUntilFailedOnce, line, 'wait'];
      if (line.startsWith('kill %%')) return [waitUntilDelivered, line, 'wait'];
      return [line];
    });
  return [...setup, ...lines].join('\n');
}

describe('README: a first session with curl', () => {
  let stack: TestStack;
  let shell: ChildProcess | undefined;
  beforeAll(async () => {
    stack = await startTestStack({ RETRY_SCHEDULE: '5s' });
  });
  afterAll(async () => {
    if (shell?.exitCode === null) shell.kill('SIGTERM');
    await stack?.close();
  });

  it('runs as written: creates a tenant, a key and a subscription, and the receiver gets a verified delivery, then a 500', async () => {
    const port = await closedPort();
    const script = asScript(walkthrough(), stack.api.url, stack.api.adminKey, port);
    const child = spawn('bash', ['-c', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    shell = child;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    await new Promise((resolve) => child.once('exit', resolve));

    expect(stderr).toMatch(/"id":"ten_\w+"/);
    expect(stderr).toMatch(/"key":"hk_/);
    expect(stderr).toMatch(/"secret":"whsec_/);
    expect(stdout).toMatch(/evt_\w+ invoice\.paid attempt 1 \(dlv_\w+\) {2}signature ok {2}→ 200/);
    expect(stdout).toMatch(/evt_\w+ invoice\.paid attempt 1 \(dlv_\w+\) {2}signature ok {2}→ 500/);
    expect(stdout).not.toContain('signature INVALID');
    expect(stdout + stderr).not.toMatch(/already in use|problems\//);
  }, 90_000);
});
