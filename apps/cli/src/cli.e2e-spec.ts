import type { TestStack } from '../../../test/support';
import { RecordingReceiver, startTestStack, TEST_ADMIN_KEY } from '../../../test/support';
import { runCli } from './cli';
import { renderBar } from './progress-bar';

class Capture {
  text = '';
  isTTY = false;
  write(chunk: string) {
    this.text += chunk;
  }
}

describe('operator CLI', () => {
  let stack: TestStack;
  let receiver: RecordingReceiver;
  let healthy = false;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    stack = await startTestStack({ SWEEP_INTERVAL_MS: '600000', RETRY_SCHEDULE: '20ms' });
    env = { ...process.env, NODE_ENV: 'test', ADMIN_API_KEY: TEST_ADMIN_KEY, ...stack.env };
    receiver = await RecordingReceiver.start(() => ({ status: healthy ? 200 : 500 }));
  });
  afterAll(async () => {
    await receiver?.close();
    await stack?.close();
  });

  const cli = async (...argv: string[]) => {
    const out = new Capture();
    const err = new Capture();
    const code = await runCli(argv, { out, err, env, pollMs: 100 });
    return { code, out: out.text, err: err.text };
  };

  it('replays a tenant’s dead deliveries since a time, with progress until completed', async () => {
    const tenant = `/v1/tenants/${stack.tenantId}`;
    await stack.api.http
      .post(`${tenant}/subscriptions`)
      .set(stack.api.auth())
      .send({ url: receiver.url, eventTypes: [`cli${process.pid}.*`] })
      .expect(201);
    for (let i = 0; i < 5; i++)
      await stack.api.http
        .post(`${tenant}/events`)
        .set(stack.api.auth())
        .send({ type: `cli${process.pid}.x`, data: { i } })
        .expect(202);
    for (
      let stats = await cli('stats', '--tenant', stack.tenantId, '--json');
      JSON.parse(stats.out).deliveries.dead < 5;
      stats = await cli('stats', '--tenant', stack.tenantId, '--json')
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }

    healthy = true;
    const before = receiver.requests.length;
    const replay = await cli('replay', '--tenant', stack.tenantId, '--since', '1h');
    expect(replay.err).toBe('');
    expect(replay.code).toBe(0);
    expect(replay.out).toMatch(/^replay rpl_[0-9A-Z]{26}: 5 deliveries matched$/m);
    expect(replay.out).toContain(`${renderBar(5, 5)} completed: matched 5, queued 5, completed 5`);
    expect(receiver.requests.length - before).toBe(5);

    const stats = await cli('stats', '--tenant', stack.tenantId);
    expect(stats.code).toBe(0);
    expect(stats.out).toMatch(/^ {2}succeeded +5$/m);
    expect(stats.out).toMatch(/^ {2}dead +0$/m);
  });

  it('refuses what the API refuses, with a non-zero exit', async () => {
    expect(await cli('replay', '--status', 'succeeded')).toMatchObject({ code: 2, err: expect.stringContaining('never replayed in bulk') });
    expect(await cli('replay', '--tenant', 'ten_nope')).toMatchObject({ code: 1, err: '422 Unprocessable Content: tenantId: no such tenant\n' });
    expect(await cli('replay', '--since', 'yesterday')).toMatchObject({ code: 2, err: expect.stringContaining('--since: expected an ISO-8601 time') });
    expect(await cli('frobnicate')).toMatchObject({ code: 2, err: expect.stringContaining('unknown command') });
    expect(await cli('replay-status', 'rpl_nope')).toMatchObject({ code: 1, err: '404 Not Found: Replay not found\n' });
  });

  it('draws a bar', () => {
    expect(renderBar(0, 10)).toBe(`[${'-'.repeat(30)}]   0%`);
    expect(renderBar(5, 10)).toBe(`[${'#'.repeat(15)}${'-'.repeat(15)}]  50%`);
    expect(renderBar(0, 0)).toBe(`[${'#'.repeat(30)}] 100%`);
  });
});
