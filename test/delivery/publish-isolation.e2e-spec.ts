import { Client } from 'pg';
import type { Response } from 'supertest';
import { PrismaService } from '@hookline/database';
import { PublishBatcher } from '@hookline/events';
import type { IsolatedDatabase, RefusedRows, TestStack } from '../support';
import { createIsolatedDatabase, execute, RecordingReceiver, refuseRows, startTestStack } from '../support';
import { waitUntil } from '../support/wait';
import { subscribe, tenantPath, verifiesWith } from './delivery-test-kit';

/**
 * Publishes written in one group-commit statement are independent: when Postgres refuses the
 * statement because of one of them (a constraint, a trigger, a check at commit), only that one
 * fails, and every answer tells the truth: 202 if and only if its event committed.
 */
describe('a publish that fails among others written together', () => {
  let db: IsolatedDatabase;
  let stack: TestStack;
  let prisma: PrismaService;
  let receiver: RecordingReceiver;
  const refusals: RefusedRows[] = [];

  beforeAll(async () => {
    // Triggers are added to the schema: a database of this file's own.
    db = await createIsolatedDatabase();
    stack = await startTestStack({ DATABASE_URL: db.url });
    prisma = stack.api.app.get(PrismaService);
    receiver = await RecordingReceiver.start();
  });
  afterEach(async () => {
    for (const refusal of refusals.splice(0)) await refusal.remove();
  });
  afterAll(async () => {
    await receiver?.close();
    await stack?.close();
    await db?.drop();
  });

  type Body = { type: string; data: Record<string, unknown> };
  type Call = { body: Body; key?: string };

  function send(call: Call): Promise<Response> {
    const request = stack.api.http.post(`${tenantPath(stack)}/events`).set(stack.api.auth());
    if (call.key) request.set('Idempotency-Key', call.key);
    return request.send(call.body).then((response) => response);
  }

  /**
   * Sends `calls` so that all of them join one group commit, whatever the timing: a first publish is
   * held on a lock of the events table, and the calls gather behind it until all are waiting.
   */
  async function inOneBatch(ns: string, calls: Call[]): Promise<Response[]> {
    const locker = new Client({ connectionString: db.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE events IN SHARE MODE');
      const first = send({ body: { type: `${ns}.first`, data: {} } });
      await waitUntil('the first publish waiting on the lock', async () => {
        const { rows } = await locker.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()`);
        return rows[0].n > 0;
      });
      const responses = calls.map(send);
      const batcher = stack.api.app.get(PublishBatcher);
      await waitUntil('every call waiting in the batcher', () => batcher.waiting === calls.length);
      await locker.query('COMMIT');
      expect((await first).status).toBe(202);
      return await Promise.all(responses);
    } finally {
      await locker.end();
    }
  }

  /** 202 and its event stored as sent, or an error and nothing of it stored; returns the accepted ids. */
  async function expectTruthful(run: string, calls: Call[], responses: Response[]): Promise<string[]> {
    const stored = await prisma.$queryRaw<{ id: string; i: string }[]>`SELECT id, data->>'i' AS i FROM events WHERE data->>'run' = ${run}`;
    const storedIds = new Map(stored.map((row) => [row.id, Number(row.i)]));
    responses.forEach((response, i) => {
      if (response.status === 202) {
        expect(storedIds.get(response.body.id)).toBe(calls[i].body.data.i);
      } else {
        expect(response.status).toBe(500);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(stored.filter((row) => Number(row.i) === i)).toEqual([]);
      }
    });
    return responses.filter((response) => response.status === 202).map((response) => response.body.id as string);
  }

  function calls(ns: string, run: string, count: number, special: Record<number, Partial<Call>> = {}): Call[] {
    return Array.from({ length: count }, (_, i) => ({ body: { type: `${ns}.plain`, data: { run, i } }, ...special[i] }));
  }

  it('fails only the publish whose row the database refuses; the 19 others are committed and delivered, signed', async () => {
    const subscription = await subscribe(stack, receiver.url);
    const { ns } = subscription;
    refusals.push(await refuseRows(db.url, 'events', `NEW.type = '${ns}.poison'`));
    const run = `${ns}-refused`;
    const sent = calls(ns, run, 20, { 7: { body: { type: `${ns}.poison`, data: { run, i: 7 } } } });

    const responses = await inOneBatch(ns, sent);

    expect(responses.map((r) => r.status)).toEqual(sent.map((_, i) => (i === 7 ? 500 : 202)));
    const accepted = await expectTruthful(run, sent, responses);
    expect(accepted).toHaveLength(19);
    expect(await prisma.event.count({ where: { type: `${ns}.poison` } })).toBe(0);
    expect(await prisma.delivery.count({ where: { eventId: { in: accepted } } })).toBe(19);

    await waitUntil('every accepted event delivered', () => accepted.every((id) => receiver.requests.some((r) => r.headers['webhook-id'] === id)));
    const received = receiver.requests.filter((r) => accepted.includes(r.headers['webhook-id'] as string));
    for (const request of received) expect(verifiesWith(subscription.secret, request)).toBe(true);
    expect(received.map((r) => JSON.parse(r.body).data.i).sort((a, b) => a - b)).toEqual(sent.map((_, i) => i).filter((i) => i !== 7));
  });

  it('fails only the publishes whose claim or delivery is refused, even at commit, leaving nothing of them', async () => {
    const { ns } = await subscribe(stack, receiver.url);
    const refusedKey = `${ns}-refused-key`;
    refusals.push(await refuseRows(db.url, 'deliveries', `EXISTS (SELECT 1 FROM events e WHERE e.id = NEW.event_id AND e.type = '${ns}.late')`, { atCommit: true }));
    refusals.push(await refuseRows(db.url, 'idempotency_keys', `NEW.key = '${refusedKey}'`));
    const run = `${ns}-late`;
    const sent = calls(ns, run, 20, {
      2: { key: refusedKey },
      12: { body: { type: `${ns}.late`, data: { run, i: 12 } } },
      15: { key: `${ns}-fine-key` },
    });

    const responses = await inOneBatch(ns, sent);

    expect(responses.map((r) => r.status)).toEqual(sent.map((_, i) => (i === 2 || i === 12 ? 500 : 202)));
    const accepted = await expectTruthful(run, sent, responses);
    expect(await prisma.delivery.count({ where: { eventId: { in: accepted } } })).toBe(18);
    expect(await prisma.event.count({ where: { type: `${ns}.late` } })).toBe(0);
    expect(await prisma.idempotencyKey.count({ where: { key: { in: [refusedKey, `${ns}-fine-key`] } } })).toBe(1);
  });

  it('answers 202 for events already committed when reading a claim back fails afterwards', async () => {
    const { ns } = await subscribe(stack, receiver.url);
    const key = `${ns}-vanishing`;
    // The claim the statement made is gone before it is read back (as when retention purges it).
    const trigger = `${ns.replace(/\W/g, '_')}_vanish`;
    await execute(db.url, [
      `CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN DELETE FROM idempotency_keys WHERE tenant_id = NEW.tenant_id AND key = NEW.idempotency_key; RETURN NULL; END $$`,
      `CREATE TRIGGER ${trigger} AFTER INSERT ON events FOR EACH ROW WHEN (NEW.idempotency_key = '${key}') EXECUTE FUNCTION ${trigger}()`,
    ]);
    refusals.push({ remove: () => execute(db.url, [`DROP TRIGGER ${trigger} ON events`, `DROP FUNCTION ${trigger}()`]) });
    const run = `${ns}-vanishing`;
    // 3 and 4: one request sent twice with the same key; 4 is settled by reading 3's claim back.
    const same = { body: { type: `${ns}.plain`, data: { run, i: 3 } }, key };
    const sent = calls(ns, run, 20, { 3: same, 4: same });

    const responses = await inOneBatch(ns, sent);

    expect(responses.map((r) => r.status)).toEqual(sent.map((_, i) => (i === 4 ? 500 : 202)));
    const accepted = await expectTruthful(run, sent, responses);
    expect(accepted).toHaveLength(19);
    expect(await prisma.event.count({ where: { idempotencyKey: key } })).toBe(1);
  });
});
