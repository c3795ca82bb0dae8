import type { TestStack } from '../support';
import { createTenant, createTenantKey, RecordingReceiver, startIsolatedStack } from '../support';
import type { Replay } from './operators-test-kit';
import { namespace, NO_SWEEPER, publishMany, stats, subscribe, waitForReplay, waitForStats } from './operators-test-kit';

/** Two attempts per cycle, 50 ms apart: a failing delivery is dead within moments. */
const FAST_DEATH = { ...NO_SWEEPER, RETRY_SCHEDULE: '50ms' };

describe('dead letters and bulk replays', () => {
  let stack: TestStack;
  let receiver: RecordingReceiver;
  let healthy = false;
  let ns: string;
  let main: { id: string };
  let other: { id: string };
  let succeededEventIds: Set<string>;
  let deadEventIds: Set<string>;

  beforeAll(async () => {
    stack = await startIsolatedStack(FAST_DEATH);
    // Events with data.ok succeed at once; the rest fail until the endpoint is healthy again.
    receiver = await RecordingReceiver.start((request) => ({ status: healthy || JSON.parse(request.body).data.ok ? 200 : 500 }));
    ns = namespace();
    main = await subscribe(stack, receiver.url, { eventTypes: [`${ns}.*`] });
    other = await subscribe(stack, `${receiver.url}?other`, { eventTypes: [`${ns}.other`] });

    const events = await publishMany(stack, `${ns}.created`, 240, (i) => ({ i, ok: i % 3 === 0 }));
    const otherEvents = await publishMany(stack, `${ns}.other`, 5, (i) => ({ i, ok: false }));
    succeededEventIds = new Set(events.filter((_, i) => i % 3 === 0).map((e) => e.id));
    deadEventIds = new Set(events.filter((_, i) => i % 3 !== 0).map((e) => e.id));
    // main: 80 succeeded, 160 + 5 dead; other: 5 dead.
    await waitForStats(stack, (s) => s.deliveries.succeeded === 80 && s.deliveries.dead === 170 && s.deliveries.pending + s.deliveries.failed === 0, 60_000);
    expect(otherEvents).toHaveLength(5);
  }, 90_000);

  afterAll(async () => {
    await receiver?.close();
    await stack?.close();
  });

  it('lists dead letters across tenants, newest first, filtered and paged', async () => {
    const http = stack.api.http;
    const first = await http.get(`/v1/dead-letters?tenantId=${stack.tenantId}&subscriptionId=${main.id}&limit=100`).set(stack.api.auth()).expect(200);
    expect(first.body.data).toHaveLength(100);
    expect(first.body.nextCursor).toEqual(first.body.data[99].id);
    const ids: string[] = first.body.data.map((d: { id: string }) => d.id);
    expect([...ids].sort().reverse()).toEqual(ids);
    expect(first.body.data[0]).toMatchObject({ tenantId: stack.tenantId, subscriptionId: main.id, status: 'dead', attemptCount: 2, lastStatusCode: 500 });

    let all = ids.length;
    for (let cursor = first.body.nextCursor; cursor;) {
      const page = await http.get(`/v1/dead-letters?tenantId=${stack.tenantId}&subscriptionId=${main.id}&limit=100&cursor=${cursor}`).set(stack.api.auth()).expect(200);
      all += page.body.data.length;
      cursor = page.body.nextCursor;
    }
    expect(all).toBe(165);

    const byType = await http.get(`/v1/dead-letters?tenantId=${stack.tenantId}&type=${ns}.other&limit=100`).set(stack.api.auth()).expect(200);
    expect(byType.body.data).toHaveLength(10);
    expect(byType.body.data.every((d: { eventType: string }) => d.eventType === `${ns}.other`)).toBe(true);
    const byWildcard = await http.get(`/v1/dead-letters?tenantId=${stack.tenantId}&type=${ns}.*&limit=1`).set(stack.api.auth()).expect(200);
    expect(byWildcard.body.data).toHaveLength(1);
    const future = await http.get(`/v1/dead-letters?tenantId=${stack.tenantId}&since=2999-01-01T00:00:00Z`).set(stack.api.auth()).expect(200);
    expect(future.body).toEqual({ data: [], nextCursor: null });
  });

  it('refuses tenant keys and bad filters', async () => {
    const key = await createTenantKey(stack.api, stack.tenantId);
    await stack.api.http.get('/v1/dead-letters').set(stack.api.auth(key.key)).expect(403);
    await stack.api.http.post('/v1/replays').set(stack.api.auth(key.key)).send({}).expect(403);
    const succeeded = await stack.api.http
      .post('/v1/replays')
      .set(stack.api.auth())
      .send({ status: ['succeeded'] })
      .expect(422);
    expect(succeeded.body.errors[0].field).toBe('status[0]');
    expect(succeeded.body.errors[0].message).toMatch(/never replayed in bulk/);
    const unknown = await stack.api.http.post('/v1/replays').set(stack.api.auth()).send({ tenantId: 'ten_nope' }).expect(422);
    expect(unknown.body.errors).toEqual([{ field: 'tenantId', message: 'no such tenant' }]);
    const extra = await stack.api.http
      .post('/v1/replays')
      .set(stack.api.auth())
      .send({ statuses: ['dead'] })
      .expect(422);
    expect(extra.body.errors).toEqual([{ field: 'statuses', message: 'unknown field' }]);
    await stack.api.http.get('/v1/replays/rpl_nope').set(stack.api.auth()).expect(404);
  });

  it('replays by filter in the background; never re-sends one that succeeded', async () => {
    healthy = true;
    const before = receiver.requests.length;
    const started = await stack.api.http
      .post('/v1/replays')
      .set(stack.api.auth())
      .send({ tenantId: stack.tenantId, subscriptionId: main.id, eventType: `${ns}.created` })
      .expect(202);
    expect(started.body).toMatchObject({ status: 'queued', matched: 160, queued: 0, completed: 0, tenantId: stack.tenantId });
    expect(started.body.id).toMatch(/^rpl_[0-9A-Z]{26}$/);
    expect(started.body.filter).toEqual({ tenantId: stack.tenantId, subscriptionId: main.id, eventType: `${ns}.created`, status: ['dead', 'failed'] });

    const replay: Replay = await waitForReplay(stack, started.body.id, 40_000);
    expect(replay).toMatchObject({ status: 'completed', matched: 160, queued: 160, completed: 160 });
    expect(replay.completedAt).not.toBeNull();

    const resent = receiver.requests.slice(before);
    const resentIds = resent.map((r) => r.headers['webhook-id'] as string);
    expect(new Set(resentIds).size).toBe(160);
    expect(resentIds.every((id) => deadEventIds.has(id))).toBe(true);
    expect(resentIds.some((id) => succeededEventIds.has(id))).toBe(false);
    // A new cycle of the same delivery: its life's attempt count goes on (2 before the replay).
    expect(resent.every((r) => Number(r.headers['x-hookline-attempt']) >= 3)).toBe(true);

    const after = await stats(stack);
    expect(after.deliveries).toMatchObject({ succeeded: 240, dead: 10 });
    // The other subscription's dead letters (and main's `.other` ones) were outside the filter.
    const left = await stack.api.http.get(`/v1/dead-letters?tenantId=${stack.tenantId}&limit=100`).set(stack.api.auth()).expect(200);
    expect(left.body.data.map((d: { subscriptionId: string }) => d.subscriptionId).sort()).toEqual([...Array(5).fill(main.id), ...Array(5).fill(other.id)].sort());
  }, 60_000);

  it('a replay matching nothing completes at once; a replay of another tenant touches nothing here', async () => {
    const stranger = await createTenant(stack.api);
    const before = receiver.requests.length;
    const started = await stack.api.http.post('/v1/replays').set(stack.api.auth()).send({ tenantId: stranger.id }).expect(202);
    expect(started.body.matched).toBe(0);
    expect(await waitForReplay(stack, started.body.id)).toMatchObject({ status: 'completed', matched: 0, queued: 0, completed: 0 });
    expect(receiver.requests.length).toBe(before);

    const list = await stack.api.http.get('/v1/replays?limit=2').set(stack.api.auth()).expect(200);
    expect(list.body.data[0].id).toBe(started.body.id);
  });
});
