import type { TestStack } from '../../../../test/support';
import { createTenant, createTenantKey, RecordingReceiver, startTestStack, waitFor } from '../../../../test/support';
import { namespace, NO_SWEEPER, publish, subscribe, tenantPath } from '../../../../test/operators/operators-test-kit';

/** The cross-tenant views the operator console needs, and the tenant lists it opens. */
describe('console routes', () => {
  let stack: TestStack;
  let receiver: RecordingReceiver;

  beforeAll(async () => {
    stack = await startTestStack({ ...NO_SWEEPER, BREAKER_FAILURE_THRESHOLD: '2', BREAKER_OPEN_AFTER_MS: '0', BREAKER_COOLDOWN_MS: '600000', RETRY_SCHEDULE: '50ms,50ms,50ms' });
    receiver = await RecordingReceiver.start(() => ({ status: 503 }));
  });
  afterAll(async () => {
    await stack.close();
    await receiver.close();
  });

  it("lists every tenant's disabled subscriptions with their reason, for the admin only", async () => {
    const first = await createTenant(stack.api);
    const second = await createTenant(stack.api);
    const manual = await subscribe(stack, 'http://127.0.0.1:9/a', {}, first.id);
    const active = await subscribe(stack, 'http://127.0.0.1:9/b', {}, second.id);
    const other = await subscribe(stack, 'http://127.0.0.1:9/c', {}, second.id);
    for (const [tenantId, id] of [
      [first.id, manual.id],
      [second.id, other.id],
    ]) {
      await stack.api.http.post(`/v1/tenants/${tenantId}/subscriptions/${id}/disable`).set(stack.api.auth()).expect(200);
    }
    const disabled = await stack.api.http.get('/v1/subscriptions').query({ status: 'disabled', limit: 100 }).set(stack.api.auth()).expect(200);
    const ids = disabled.body.data.map((s: { id: string }) => s.id);
    expect(ids.indexOf(other.id)).toBeLessThan(ids.indexOf(manual.id));
    expect(ids).not.toContain(active.id);
    expect(disabled.body.data.find((s: { id: string }) => s.id === manual.id)).toMatchObject({ tenantId: first.id, status: 'disabled', disabledReason: 'manual' });
    expect(JSON.stringify(disabled.body)).not.toContain('whsec_');

    const scoped = await stack.api.http.get('/v1/subscriptions').query({ tenantId: second.id }).set(stack.api.auth()).expect(200);
    expect(scoped.body.data.map((s: { id: string }) => s.id)).toEqual([other.id, active.id]);
    const gone = await stack.api.http.get('/v1/subscriptions').query({ disabledReason: 'gone', tenantId: second.id }).set(stack.api.auth()).expect(200);
    expect(gone.body.data).toEqual([]);

    const key = await createTenantKey(stack.api, first.id);
    await stack.api.http.get('/v1/subscriptions').set(stack.api.auth(key.key)).expect(403);
    const bad = await stack.api.http.get('/v1/subscriptions').query({ status: 'paused' }).set(stack.api.auth()).expect(422);
    expect(bad.body.errors).toEqual([{ field: 'status', message: 'must be active or disabled' }]);
  });

  it('lists the circuit breakers open now with the subscription they hold back', async () => {
    const ns = namespace();
    const failing = await subscribe(stack, receiver.url, { eventTypes: [`${ns}.*`] });
    await Promise.all([1, 2, 3].map((n) => publish(stack, `${ns}.x`, { n })));
    const open = await waitFor(
      async () => (await stack.api.http.get('/v1/circuit-breakers').set(stack.api.auth()).expect(200)).body,
      (body) => body.total > 0,
      { what: 'an open breaker listed' },
    );
    expect(open.total).toBe(1);
    expect(open.data).toEqual([{ subscriptionId: failing.id, tenantId: stack.tenantId, url: receiver.url, openUntil: expect.any(String) }]);
    expect(new Date(open.data[0].openUntil).getTime()).toBeGreaterThan(Date.now());
    const key = await createTenantKey(stack.api, stack.tenantId);
    await stack.api.http.get('/v1/circuit-breakers').set(stack.api.auth(key.key)).expect(403);
  });

  it("lists a tenant's bulk jobs newest first, to the admin and the tenant's key but no portal link", async () => {
    const tenant = await createTenant(stack.api);
    const upload = (line: string) =>
      stack.api.http
        .post(`${tenantPath(stack, tenant.id)}/bulk-jobs`)
        .set(stack.api.auth())
        .set('content-type', 'application/x-ndjson')
        .send(line)
        .expect(202);
    const older = (await upload('{"type":"bulk.one","data":{}}\n')).body;
    const newer = (await upload('{"type":"bulk.two","data":{}}\n')).body;
    const listed = await stack.api.http
      .get(`${tenantPath(stack, tenant.id)}/bulk-jobs`)
      .set(stack.api.auth())
      .expect(200);
    expect(listed.body.data.map((j: { id: string }) => j.id)).toEqual([newer.id, older.id]);
    expect(Object.keys(listed.body.data[0]).sort()).toEqual(['acceptedRows', 'completedAt', 'createdAt', 'failedRows', 'id', 'status', 'totalRows']);
    const paged = await stack.api.http
      .get(`${tenantPath(stack, tenant.id)}/bulk-jobs`)
      .query({ limit: 1 })
      .set(stack.api.auth())
      .expect(200);
    expect(paged.body).toMatchObject({ data: [{ id: newer.id }], nextCursor: newer.id });

    const key = await createTenantKey(stack.api, tenant.id);
    await stack.api.http
      .get(`${tenantPath(stack, tenant.id)}/bulk-jobs`)
      .set(stack.api.auth(key.key))
      .expect(200);
    await stack.api.http
      .get(`${tenantPath(stack)}/bulk-jobs`)
      .set(stack.api.auth(key.key))
      .expect(404);
    const portal = (
      await stack.api.http
        .post(`${tenantPath(stack, tenant.id)}/portal-sessions`)
        .set(stack.api.auth())
        .expect(201)
    ).body;
    await stack.api.http
      .get(`${tenantPath(stack, tenant.id)}/bulk-jobs`)
      .set(stack.api.auth(portal.token))
      .expect(403);
  });

  it('lists replays newest first', async () => {
    const older = (await stack.api.http.post('/v1/replays').set(stack.api.auth()).send({ tenantId: stack.tenantId }).expect(202)).body;
    const newer = (await stack.api.http.post('/v1/replays').set(stack.api.auth()).send({ tenantId: stack.tenantId }).expect(202)).body;
    // Other test files may add replays meanwhile: only the relative order of these two is ours.
    const listed = await stack.api.http.get('/v1/replays').query({ limit: 100 }).set(stack.api.auth()).expect(200);
    const ids = listed.body.data.map((r: { id: string }) => r.id);
    expect(ids.indexOf(newer.id)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(newer.id)).toBeLessThan(ids.indexOf(older.id));
  });
});
