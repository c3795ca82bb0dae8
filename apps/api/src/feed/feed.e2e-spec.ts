import { Client } from 'pg';
import { PrismaService } from '@hookline/database';
import { newId } from '@hookline/ids';
import type { TestStack } from '../../../../test/support';
import { createTenant, createTenantKey, startTestStack } from '../../../../test/support';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface FeedEvent {
  id: string;
  type: string;
  data: unknown;
  createdAt: string;
}
interface FeedPage {
  data: FeedEvent[];
  nextCursor: string;
}

/** How long another test file's transaction may hold the horizon back (see `settled`). */
const HORIZON_WAIT_MS = 60_000;

describe('polling feed (GET /v1/tenants/{tenantId}/feed)', () => {
  jest.setTimeout(HORIZON_WAIT_MS + 30_000);
  let stack: TestStack;
  // Stacks share one Postgres; this one must not sweep other files' deliveries.
  beforeAll(async () => (stack = await startTestStack({ SWEEP_INTERVAL_MS: '600000' })));
  afterAll(() => stack.close());

  const newTenant = async () => (await createTenant(stack.api)).id;
  const publish = async (tenantId: string, type: string, data: unknown = {}): Promise<string> =>
    (await stack.api.http.post(`/v1/tenants/${tenantId}/events`).set(stack.api.auth()).send({ type, data }).expect(202)).body.id;
  const feed = async (tenantId: string, query: Record<string, string | number> = {}, key?: string): Promise<FeedPage> => {
    const response = await stack.api.http.get(`/v1/tenants/${tenantId}/feed`).query(query).set(stack.api.auth(key)).expect(200);
    expect(typeof response.body.nextCursor).toBe('string');
    return response.body;
  };
  /**
   * Waits until every event of the tenant is below the feed's horizon. Test files share one
   * Postgres, and another file's long transaction (CREATE DATABASE, a bulk chunk) holds the
   * horizon back, the whole server's: on a busy CI machine for more than 15 s. This keeps
   * page-by-page assertions exact regardless.
   */
  const settled = async (tenantId: string) => {
    const deadline = Date.now() + HORIZON_WAIT_MS;
    for (;;) {
      const [{ done }] = await stack.api.app
        .get(PrismaService)
        .$queryRawUnsafe<{ done: boolean }[]>(
          `SELECT COALESCE(max(xact_id), 0) < pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS done FROM events WHERE tenant_id = $1`,
          tenantId,
        );
      if (done) return;
      if (Date.now() > deadline) throw new Error("the feed horizon did not pass the tenant's events");
      await sleep(20);
    }
  };
  /** Follows nextCursor until an empty page; every event seen, in order. */
  const readAll = async (tenantId: string, query: Record<string, string | number> = {}, after?: string) => {
    const seen: FeedEvent[] = [];
    for (let cursor = after; ;) {
      const page = await feed(tenantId, { ...query, ...(cursor ? { after: cursor } : {}) });
      seen.push(...page.data);
      if (page.data.length === 0) return { events: seen, cursor: page.nextCursor };
      cursor = page.nextCursor;
    }
  };

  it('returns events in publish order, oldest first, and resumes from any cursor it issued', async () => {
    const tenantId = await newTenant();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await publish(tenantId, i % 2 ? 'order.paid' : 'order.created', { i }));
    await settled(tenantId);

    const first = await feed(tenantId, { limit: 2 });
    expect(first.data.map((e) => e.id)).toEqual(ids.slice(0, 2));
    expect(first.data[0]).toEqual({ id: ids[0], type: 'order.created', data: { i: 0 }, idempotencyKey: null, createdAt: expect.any(String) });
    const second = await feed(tenantId, { limit: 2, after: first.nextCursor });
    expect(second.data.map((e) => e.id)).toEqual(ids.slice(2, 4));
    const third = await feed(tenantId, { limit: 2, after: second.nextCursor });
    expect(third.data.map((e) => e.id)).toEqual(ids.slice(4));

    // An empty page still carries a cursor, and polling with it picks up what comes next.
    const empty = await feed(tenantId, { after: third.nextCursor });
    expect(empty.data).toEqual([]);
    const later = await publish(tenantId, 'order.created', { i: 5 });
    await settled(tenantId);
    expect((await feed(tenantId, { after: empty.nextCursor })).data.map((e) => e.id)).toEqual([later]);

    // Stable cursors: the first one still reads on from the same place, even once the event it
    // pointed at is gone (retention).
    expect((await readAll(tenantId, { limit: 3 }, first.nextCursor)).events.map((e) => e.id)).toEqual([...ids.slice(2), later]);
    await stack.api.app.get(PrismaService).event.delete({ where: { id: ids[1] } });
    expect((await readAll(tenantId, {}, first.nextCursor)).events.map((e) => e.id)).toEqual([...ids.slice(2), later]);
  });

  it('filters by type names and prefix wildcards, and skips past what does not match', async () => {
    const tenantId = await newTenant();
    const created = await publish(tenantId, 'invoice.created');
    await publish(tenantId, 'customer.created');
    const paid = await publish(tenantId, 'invoice.paid');
    const deleted = await publish(tenantId, 'customer.deleted');
    await settled(tenantId);

    expect((await readAll(tenantId, { types: 'invoice.paid' })).events.map((e) => e.id)).toEqual([paid]);
    expect((await readAll(tenantId, { types: 'invoice.*' })).events.map((e) => e.id)).toEqual([created, paid]);
    expect((await readAll(tenantId, { types: 'invoice.created,customer.deleted', limit: 1 })).events.map((e) => e.id)).toEqual([created, deleted]);

    // Nothing matches: the empty page's cursor moves past the non-matching events…
    const none = await feed(tenantId, { types: 'refund.*' });
    expect(none.data).toEqual([]);
    expect((await feed(tenantId, { after: none.nextCursor })).data).toEqual([]);
    // …and still catches the next match.
    const refund = await publish(tenantId, 'refund.issued');
    await settled(tenantId);
    expect((await feed(tenantId, { types: 'refund.*', after: none.nextCursor })).data.map((e) => e.id)).toEqual([refund]);
  });

  it('never skips an event whose transaction commits after a later one (seq order is not commit order)', async () => {
    const tenantId = await newTenant();
    const start = (await feed(tenantId)).nextCursor;
    const client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      // A publisher that took its seq first and commits last.
      await client.query('BEGIN');
      const slow = newId('evt');
      await client.query(`INSERT INTO events (id, tenant_id, type, data) VALUES ($1, $2, 'race.slow', '{}')`, [slow, tenantId]);
      const fast = await publish(tenantId, 'race.fast');
      const [{ slowSeq, fastSeq }] = (
        await client.query(`SELECT (SELECT seq FROM events WHERE id = $1) AS "slowSeq", (SELECT seq FROM events WHERE id = $2) AS "fastSeq"`, [slow, fast])
      ).rows;
      expect(BigInt(slowSeq)).toBeLessThan(BigInt(fastSeq));

      // While the slow one is in flight the feed holds the fast one back instead of passing it.
      const during = await feed(tenantId, { after: start });
      expect(during.data).toEqual([]);

      await client.query('COMMIT');
      await settled(tenantId);
      const after = await readAll(tenantId, {}, during.nextCursor);
      expect(after.events.map((e) => e.id)).toEqual([slow, fast]);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    }
  });

  it('long-polls: wakes as soon as a matching event is published', async () => {
    const tenantId = await newTenant();
    const { nextCursor } = await feed(tenantId);
    const started = Date.now();
    const polling = stack.api.http.get(`/v1/tenants/${tenantId}/feed`).query({ after: nextCursor, wait: 20, types: 'ping.match' }).set(stack.api.auth());
    const response = polling.then((r) => ({ body: r.body as FeedPage, status: r.status, at: Date.now() }));
    await sleep(400);
    await publish(tenantId, 'ping.other'); // does not match: the poll keeps waiting
    await sleep(400);
    const publishedAt = Date.now();
    const match = await publish(tenantId, 'ping.match');
    const { body, status, at } = await response;
    expect(status).toBe(200);
    expect(body.data.map((e) => e.id)).toEqual([match]);
    // Woken by the publish, not by the end of the 20 s wait (slack for a loaded test machine).
    expect(at - publishedAt).toBeLessThan(5_000);
    expect(at - started).toBeGreaterThanOrEqual(800);
  });

  it('long-polls: an empty page with a cursor when the wait ends', async () => {
    const tenantId = await newTenant();
    await publish(tenantId, 'idle.before');
    await settled(tenantId);
    const { nextCursor } = await feed(tenantId);
    const started = Date.now();
    const page = await feed(tenantId, { after: nextCursor, wait: 1.2 });
    const elapsed = Date.now() - started;
    expect(page).toEqual({ data: [], nextCursor });
    expect(elapsed).toBeGreaterThanOrEqual(1_150);
    expect(elapsed).toBeLessThan(3_000);
  });

  it('serves events of bulk jobs in file order', async () => {
    const tenantId = await newTenant();
    const rows = Array.from({ length: 30 }, (_, i) => JSON.stringify({ type: 'bulk.row', data: { i } })).join('\n');
    const job = await stack.api.http.post(`/v1/tenants/${tenantId}/bulk-jobs`).set(stack.api.auth()).set('content-type', 'application/x-ndjson').send(rows).expect(202);
    const page = await stack.api.http.get(`/v1/tenants/${tenantId}/feed`).query({ wait: 10, limit: 100 }).set(stack.api.auth()).expect(200);
    expect(page.body.data.map((e: FeedEvent) => (e.data as { i: number }).i)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect((await stack.api.http.get(`/v1/tenants/${tenantId}/bulk-jobs/${job.body.id}`).set(stack.api.auth()).expect(200)).body.acceptedRows).toBe(30);
  });

  it("keeps to the caller's tenant and refuses what it cannot read", async () => {
    const tenantId = await newTenant();
    const mine = await publish(tenantId, 'iso.event');
    await settled(tenantId);
    const other = await newTenant();
    const otherKey = (await createTenantKey(stack.api, other)).key;
    await stack.api.http.get(`/v1/tenants/${tenantId}/feed`).set(stack.api.auth(otherKey)).expect(404);
    expect((await feed(other, {}, otherKey)).data.map((e) => e.id)).not.toContain(mine);
    const ownKey = (await createTenantKey(stack.api, tenantId)).key;
    expect((await feed(tenantId, {}, ownKey)).data.map((e) => e.id)).toEqual([mine]);

    for (const [query, field] of [
      [{ after: 'bm90LWEtY3Vyc29y' }, 'after'],
      [{ after: '!!' }, 'after'],
      [{ wait: 31 }, 'wait'],
      [{ wait: 'soon' }, 'wait'],
      [{ limit: 0 }, 'limit'],
      [{ limit: 101 }, 'limit'],
      [{ types: 'bad type' }, 'types'],
      [{ since: '2020-01-01' }, 'since'],
    ] as [Record<string, string | number>, string][]) {
      const response = await stack.api.http.get(`/v1/tenants/${tenantId}/feed`).query(query).set(stack.api.auth()).expect(422);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });
});
