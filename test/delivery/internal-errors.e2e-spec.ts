import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { AttemptRecorder } from '../../apps/worker/src/delivery/attempt-recorder';
import { MAX_INTERNAL_FAILURES } from '../../apps/worker/src/delivery/internal-failures';
import type { IsolatedDatabase, TestStack } from '../support';
import { createIsolatedDatabase, execute, RecordingReceiver, startTestStack, waitUntil } from '../support';
import type { Delivery } from './delivery-test-kit';
import { getDelivery, header, publish, subscribe, tenantPath, waitForDelivery } from './delivery-test-kit';

/**
 * Failures that are not the endpoint's answer, injected for real in a database of this file's own
 * (a subscription whose secret cannot be decrypted, a trigger that refuses some attempt rows): they
 * are logged with the delivery id, counted in `/metrics`, retried, and end `dead` at a bound without
 * touching other deliveries. The default test schedule (100, 200, 300 ms) is the backoff.
 */
describe('internal errors while processing a delivery', () => {
  let db: IsolatedDatabase;
  let stack: TestStack;
  let sql: Client;
  const receivers: RecordingReceiver[] = [];
  const receiver = async (...args: Parameters<typeof RecordingReceiver.start>) => {
    const started = await RecordingReceiver.start(...args);
    receivers.push(started);
    return started;
  };

  beforeAll(async () => {
    db = await createIsolatedDatabase();
    stack = await startTestStack({ DATABASE_URL: db.url });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await Promise.all(receivers.map((r) => r.close()));
    await stack?.close();
    await db?.drop();
  });

  async function internalErrorsMetric(): Promise<number> {
    const text = (await stack.api.http.get('/metrics').expect(200)).text;
    return Number(/^hookline_delivery_internal_errors_total (\d+)$/m.exec(text)?.[1]);
  }

  async function deliveryIdsOf(subscriptionId: string): Promise<string[]> {
    const { rows } = await sql.query<{ id: string }>('SELECT id FROM deliveries WHERE subscription_id = $1 ORDER BY id', [subscriptionId]);
    return rows.map((r) => r.id);
  }

  it('a subscription that cannot be read: logged with the delivery id, counted, retried, dead after the bound; others unaffected', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error');
    try {
      const before = await internalErrorsMetric();
      const brokenHook = await receiver();
      const healthyHook = await receiver();
      const broken = await subscribe(stack, brokenHook.url);
      const healthy = await subscribe(stack, healthyHook.url);
      await sql.query(`UPDATE subscription_secrets SET ciphertext = 'v1.not.decryptable' WHERE subscription_id = $1`, [broken.id]);

      await publish(stack, `${broken.ns}.paid`);
      await publish(stack, `${healthy.ns}.paid`);
      const [deliveryId] = await deliveryIdsOf(broken.id);

      const dead = await waitForDelivery(stack, deliveryId, 'dead', 15_000);
      expect(dead).toMatchObject({ attemptCount: 1, lastStatusCode: null, nextAttemptAt: null });
      expect(dead.lastError).toMatch(/^internal error: /);
      expect(dead.attempts).toHaveLength(1);
      expect(dead.attempts[0]).toMatchObject({ number: 1, statusCode: null });
      expect(dead.attempts[0].error).toBe(dead.lastError);
      expect(brokenHook.requests).toHaveLength(0);

      // Visible to operators as a dead letter.
      const letters = await stack.api.http.get(`/v1/dead-letters?tenantId=${stack.tenantId}&subscriptionId=${broken.id}`).set(stack.api.auth()).expect(200);
      expect(letters.body.data.map((d: Delivery) => d.id)).toEqual([deliveryId]);

      // Every failure logged at error with the delivery's ids as fields, and counted.
      const logged = errors.mock.calls.filter(([fields]) => (fields as { delivery_id?: string })?.delivery_id === deliveryId);
      expect(logged).toHaveLength(MAX_INTERNAL_FAILURES);
      expect(logged[0][0]).toMatchObject({ subscription_id: broken.id, tenant_id: stack.tenantId, err: expect.any(Error) });
      expect(String(logged[MAX_INTERNAL_FAILURES - 1][1])).toMatch(new RegExp(`^delivery ${deliveryId}: internal error 5/5, delivery is dead`));
      await waitUntil('the metric counts the failures', async () => (await internalErrorsMetric()) === before + MAX_INTERNAL_FAILURES, 15_000);

      const [healthyDelivery] = await deliveryIdsOf(healthy.id);
      expect((await waitForDelivery(stack, healthyDelivery, 'succeeded')).attempts).toHaveLength(1);
      expect(healthyHook.requests).toHaveLength(1);
    } finally {
      errors.mockRestore();
    }
  });

  it('one attempt record the database refuses fails only its own delivery, not the batch it was written with', async () => {
    const gate = (() => {
      let open!: () => void;
      const opened = new Promise<void>((resolve) => (open = resolve));
      return { opened, open };
    })();
    // Answered only when the test says so, so that their records reach the recorder together.
    const goodHook = await receiver(() => ({ status: 200, until: gate.opened }));
    const poisonedHook = await receiver((_, index) => ({ status: 200, until: index === 0 ? gate.opened : undefined }));
    const slowHook = await receiver();
    const good = await subscribe(stack, goodHook.url);
    const poisoned = await subscribe(stack, poisonedHook.url);
    const slow = await subscribe(stack, slowHook.url);

    // The slow subscription's record waits for a lock the test holds: everything recorded meanwhile
    // is written in the next batch. The poisoned subscription's records are refused (its internal
    // error record, without a status code, goes through).
    // Schema changes while the worker writes attempts: `execute` retries a deadlock.
    await execute(db.url, [
      `CREATE OR REPLACE FUNCTION test_attempt_faults() RETURNS trigger AS $$
      DECLARE sub text;
      BEGIN
        SELECT subscription_id INTO sub FROM deliveries WHERE id = NEW.delivery_id;
        IF sub = '${slow.id}' THEN PERFORM pg_advisory_xact_lock(4242); END IF;
        IF sub = '${poisoned.id}' AND NEW.status_code IS NOT NULL THEN RAISE EXCEPTION 'attempt refused by a test trigger'; END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql;`,
      'CREATE TRIGGER test_attempt_faults BEFORE INSERT ON attempts FOR EACH ROW EXECUTE FUNCTION test_attempt_faults()',
    ]);
    const locker = new Client({ connectionString: db.url });
    await locker.connect();
    try {
      await locker.query('SELECT pg_advisory_lock(4242)');
      for (let i = 0; i < 5; i++) await publish(stack, `${good.ns}.paid`, { i });
      await publish(stack, `${poisoned.ns}.paid`);
      await goodHook.waitForRequests(5);
      await poisonedHook.waitForRequests(1);

      await publish(stack, `${slow.ns}.paid`);
      await waitUntil(
        'the slow record waits for the lock',
        async () => {
          const { rows } = await sql.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND NOT granted`);
          return rows.length === 1;
        },
        15_000,
      );
      gate.open();
      const recorder = stack.worker.get(AttemptRecorder);
      await waitUntil('the six records wait together', () => recorder.pending === 6, 15_000);
      await locker.query('SELECT pg_advisory_unlock(4242)');

      for (const id of await deliveryIdsOf(good.id)) {
        const done = await waitForDelivery(stack, id, 'succeeded');
        expect(done.attempts.map((a) => a.statusCode)).toEqual([200]);
      }
      const [poisonedId] = await deliveryIdsOf(poisoned.id);
      const dead = await waitForDelivery(stack, poisonedId, 'dead', 15_000);
      expect(dead.lastError).toBe('internal error: attempt refused by a test trigger');
      expect(dead.attempts.map((a) => a.statusCode)).toEqual([null]);
      // Sent again on each retry (its attempt was never recorded), the others only once.
      expect(poisonedHook.requests).toHaveLength(MAX_INTERNAL_FAILURES);
      expect(goodHook.requests).toHaveLength(5);
      expect(new Set(goodHook.requests.map((r) => header(r, 'x-hookline-delivery'))).size).toBe(5);
      const [slowId] = await deliveryIdsOf(slow.id);
      expect((await getDelivery(stack, slowId)).status).toBe('succeeded');
    } finally {
      await locker.end();
      await execute(db.url, ['DROP TRIGGER IF EXISTS test_attempt_faults ON attempts']);
    }
  });

  it('a delivery dead of internal errors is sent by a replay once the fault is fixed', async () => {
    const hook = await receiver();
    const sub = await subscribe(stack, hook.url);
    const { rows } = await sql.query<{ ciphertext: string }>('SELECT ciphertext FROM subscription_secrets WHERE subscription_id = $1', [sub.id]);
    await sql.query(`UPDATE subscription_secrets SET ciphertext = 'v1.not.decryptable' WHERE subscription_id = $1`, [sub.id]);
    await publish(stack, `${sub.ns}.paid`);
    const [deliveryId] = await deliveryIdsOf(sub.id);
    await waitForDelivery(stack, deliveryId, 'dead', 15_000);

    // Fixed: the secret readable again (and the worker told, as the API does on a change).
    await sql.query('UPDATE subscription_secrets SET ciphertext = $2 WHERE subscription_id = $1', [sub.id, rows[0].ciphertext]);
    await stack.api.http
      .patch(`${tenantPath(stack)}/subscriptions/${sub.id}`)
      .set(stack.api.auth())
      .send({ description: 'fixed' })
      .expect(200);
    await stack.api.http
      .post(`${tenantPath(stack)}/deliveries/${deliveryId}/replay`)
      .set(stack.api.auth())
      .expect(202);
    const done = await waitForDelivery(stack, deliveryId, 'succeeded');
    expect(done.attempts.map((a) => a.statusCode)).toEqual([null, 200]);
    expect(hook.requests).toHaveLength(1);
  });
});
