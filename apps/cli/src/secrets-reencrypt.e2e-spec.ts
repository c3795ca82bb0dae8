import { createCipheriv, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { PrismaService } from '@hookline/database';
import { SecretKeyring } from '@hookline/secrets';
import type { IsolatedDatabase, ReceivedRequest, TestStack } from '../../../test/support';
import { createIsolatedDatabase, RecordingReceiver, startTestStack, TEST_ADMIN_KEY } from '../../../test/support';
import { runCli } from './cli';

class Capture {
  text = '';
  isTTY = false;
  write(chunk: string) {
    this.text += chunk;
  }
}

/** What a ciphertext looked like before key ids (`v1.<iv>.<tag>.<ciphertext>`): still readable. */
function legacySeal(plaintext: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', ...[iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url'))].join('.');
}

describe('rotating SECRETS_KEY while deliveries flow', () => {
  const keyA = randomBytes(32);
  const keyB = randomBytes(32);
  const queuePrefix = `test-${randomBytes(4).toString('hex')}`;
  const ns = `rot${process.pid}`;
  const SUBSCRIPTIONS = 12;
  let receiver: RecordingReceiver;
  let stack: TestStack | undefined;
  // A database of its own: the re-encryption rewrites every secret it finds, and other test files
  // running at the same time keep theirs under the run's key.
  let database: IsolatedDatabase;
  let start: (env: Record<string, string>) => Promise<TestStack>;

  beforeAll(async () => {
    database = await createIsolatedDatabase();
    start = (env) => startTestStack({ QUEUE_PREFIX: queuePrefix, DATABASE_URL: database.url, ...env });
    receiver = await RecordingReceiver.start(() => ({ status: 200 }));
  });
  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
    await database?.drop();
  });

  /** Publishes one event at a time to every subscription until stopped; resolves to how many. */
  function publishUntilStopped(api: TestStack['api'], tenantId: string) {
    let running = true;
    let published = 0;
    const done = (async () => {
      while (running) {
        await api.http
          .post(`/v1/tenants/${tenantId}/events`)
          .set(api.auth())
          .send({ type: `${ns}.tick`, data: { n: published } })
          .expect(202);
        published++;
        await new Promise((resolve) => setImmediate(resolve));
      }
      return published;
    })();
    return {
      stop: async () => {
        running = false;
        return done;
      },
    };
  }

  /** Every request so far carries a Standard Webhooks signature made with its subscription's original plaintext secret. */
  function expectAllSigned(requests: ReceivedRequest[], secrets: string[]) {
    const unverified = requests.filter((request) => {
      const index = Number(new URL(request.path, 'http://receiver').searchParams.get('s'));
      try {
        new Webhook(secrets[index]).verify(request.body, request.headers as Record<string, string>);
        return false;
      } catch {
        return true;
      }
    });
    expect(unverified).toEqual([]);
  }

  it('keeps signing with the original secrets before, during and after re-encryption, and then needs only the new key', async () => {
    // 1. Under key A: subscriptions, one rotated (two live secrets), one stored in the old format.
    stack = await start({ SECRETS_KEY: keyA.toString('hex') });
    const tenantId = stack.tenantId;
    const secrets: string[] = [];
    const ids: string[] = [];
    for (let i = 0; i < SUBSCRIPTIONS; i++) {
      const created = await stack.api.http
        .post(`/v1/tenants/${tenantId}/subscriptions`)
        .set(stack.api.auth())
        .send({ url: `${receiver.url}?s=${i}`, eventTypes: [`${ns}.*`] })
        .expect(201);
      ids.push(created.body.id);
      secrets.push(created.body.secret);
    }
    const rotated = await stack.api.http.post(`/v1/tenants/${tenantId}/subscriptions/${ids[1]}/rotate-secret`).set(stack.api.auth()).send({}).expect(200);
    secrets[1] = rotated.body.secret;
    await stack.api.app.get(PrismaService).$executeRaw`
      UPDATE subscription_secrets SET ciphertext = ${legacySeal(secrets[0], keyA)} WHERE subscription_id = ${ids[0]}`;

    let expected = 0;
    let publisher = publishUntilStopped(stack.api, tenantId);
    await receiver.waitForRequests(3 * SUBSCRIPTIONS);
    expected += (await publisher.stop()) * SUBSCRIPTIONS;
    await stack.close();

    // 2. Restart with current = B, previous = A; re-encrypt while events keep being published.
    stack = await start({ SECRETS_KEY: keyB.toString('hex'), SECRETS_KEY_PREVIOUS: keyA.toString('hex') });
    publisher = publishUntilStopped(stack.api, tenantId);
    await receiver.waitForRequests(expected + SUBSCRIPTIONS);

    const cli = async () => {
      const out = new Capture();
      const err = new Capture();
      const code = await runCli(['secrets:reencrypt', '--batch-size', '5'], { out, err, env: { ...process.env, NODE_ENV: 'test', ADMIN_API_KEY: TEST_ADMIN_KEY, ...stack!.env } });
      return { code, out: out.text, err: err.text };
    };
    const first = await cli();
    expect(first.out).toMatch(/^signing secrets: 13 stored, 13 re-encrypted now, 0 already under the current key$/m);
    expect(first.out).toContain('SECRETS_KEY_PREVIOUS can be removed');
    expect(first.err).toMatch(/\[#{30}\] 100% re-encrypted or checked 13 of 13 secrets not under the current key\n$/);
    expect(first.code).toBe(0);

    await receiver.waitForRequests(receiver.requests.length + SUBSCRIPTIONS);
    expected += (await publisher.stop()) * SUBSCRIPTIONS;
    await receiver.waitForRequests(expected);
    expectAllSigned(receiver.requests, secrets);

    // Every ciphertext is now under B; a second run finds nothing to do.
    const rows = await stack.api.app.get(PrismaService).$queryRaw<{ ciphertext: string }[]>`SELECT ciphertext FROM subscription_secrets`;
    expect(rows.length).toBe(SUBSCRIPTIONS + 1);
    const underB = new SecretKeyring(keyB);
    expect(rows.filter((row) => !underB.isCurrent(row.ciphertext))).toEqual([]);
    const again = await cli();
    expect(again.out).toMatch(/^signing secrets: 13 stored, 0 re-encrypted now, 13 already under the current key$/m);
    expect(again.code).toBe(0);
    await stack.close();

    // 3. B alone: SECRETS_KEY_PREVIOUS unset, deliveries still verify with the original secrets.
    stack = await start({ SECRETS_KEY: keyB.toString('hex') });
    await stack.api.http
      .post(`/v1/tenants/${tenantId}/events`)
      .set(stack.api.auth())
      .send({ type: `${ns}.after`, data: {} })
      .expect(202);
    expected += SUBSCRIPTIONS;
    await receiver.waitForRequests(expected);
    expectAllSigned(receiver.requests, secrets);
    const revealed = await stack.api.http.get(`/v1/tenants/${tenantId}/subscriptions/${ids[0]}/secret`).set(stack.api.auth()).expect(200);
    expect(revealed.body.secret).toBe(secrets[0]);
  }, 120_000);
});
