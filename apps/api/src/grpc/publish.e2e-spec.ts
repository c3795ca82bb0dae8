import { status } from '@grpc/grpc-js';
import { Webhook } from 'standardwebhooks';
import type { TestStack } from '../../../../test/support';
import { createTenant, createTenantKey, RecordingReceiver, startTestStack } from '../../../../test/support';
import { bearer, fieldViolations, grpcClient, grpcError, json, loadEventServiceClient, publish } from './grpc-test-client';

const MAX_PAYLOAD_BYTES = 4096;

describe('gRPC EventService.Publish', () => {
  let stack: TestStack;
  let receiver: RecordingReceiver;
  let client: ReturnType<typeof grpcClient>;
  let tenantKey: string;
  let secret: string;

  beforeAll(async () => {
    stack = await startTestStack({ MAX_PAYLOAD_BYTES: String(MAX_PAYLOAD_BYTES) });
    receiver = await RecordingReceiver.start();
    client = grpcClient(stack.api.app);
    tenantKey = (await createTenantKey(stack.api, stack.tenantId)).key;
    const sub = await stack.api.http
      .post(`/v1/tenants/${stack.tenantId}/subscriptions`)
      .set(stack.api.auth())
      .send({ url: receiver.url, eventTypes: ['grpc.*'] })
      .expect(201);
    secret = sub.body.secret;
  });
  afterAll(async () => {
    client?.close();
    await receiver?.close();
    await stack?.close();
  });

  it('publishes with a tenant key, and the subscriber gets the signed POST with the data exactly as sent', async () => {
    const data = { zebra: 1, apple: { nested: [1, 'two', null] } };
    const { event, headers } = await publish(client, { tenant_id: stack.tenantId, type: 'grpc.published', data_json: json(data) }, tenantKey);

    expect(event).toMatchObject({ tenant_id: stack.tenantId, type: 'grpc.published', delivery_count: 1, replayed: false, idempotency_key: '' });
    expect(event.id).toMatch(/^evt_[0-9A-Z]{26}$/);
    expect(JSON.parse(event.data_json.toString())).toEqual(data);
    expect(new Date(event.created_at).toISOString()).toBe(event.created_at);
    expect(headers.get('idempotent-replayed')).toEqual([]);

    const [request] = await receiver.waitForRequests(1);
    expect(request.headers['webhook-id']).toBe(event.id);
    expect(request.body).toBe(`{"id":"${event.id}","type":"grpc.published","timestamp":"${event.created_at}","data":${JSON.stringify(data)}}`);
    const signed = {
      'webhook-id': request.headers['webhook-id'] as string,
      'webhook-timestamp': request.headers['webhook-timestamp'] as string,
      'webhook-signature': request.headers['webhook-signature'] as string,
    };
    expect(new Webhook(secret).verify(request.body, signed)).toEqual(JSON.parse(request.body));

    // The same event REST shows.
    const rest = await stack.api.http.get(`/v1/tenants/${stack.tenantId}/events/${event.id}`).set(stack.api.auth()).expect(200);
    expect(rest.body).toMatchObject({ id: event.id, type: 'grpc.published', data, createdAt: event.created_at });
  });

  it('answers INVALID_ARGUMENT naming the fields, in a google.rpc.BadRequest, and writes nothing', async () => {
    const before = await eventCount();
    const badType = await grpcError(publish(client, { tenant_id: stack.tenantId, type: 'not a type!', data_json: json({}) }, tenantKey), status.INVALID_ARGUMENT);
    expect(fieldViolations(badType)).toEqual([{ field: 'type', description: 'must be dot-separated letters, digits, _ or -' }]);

    const badJson = await grpcError(publish(client, { tenant_id: stack.tenantId, type: 'grpc.x', data_json: Buffer.from('{"a":') }, tenantKey), status.INVALID_ARGUMENT);
    expect(fieldViolations(badJson)).toEqual([{ field: 'data_json', description: 'must be UTF-8 encoded JSON' }]);

    const noData = await grpcError(publish(client, { tenant_id: stack.tenantId, type: 'grpc.x', data_json: Buffer.alloc(0) }, tenantKey), status.INVALID_ARGUMENT);
    expect(fieldViolations(noData)).toEqual([{ field: 'data_json', description: 'is required' }]);

    const longKey = await grpcError(
      publish(client, { tenant_id: stack.tenantId, type: 'grpc.x', data_json: json({}), idempotency_key: 'k'.repeat(256) }, tenantKey),
      status.INVALID_ARGUMENT,
    );
    expect(fieldViolations(longKey).map((v) => v.field)).toEqual(['idempotency_key']);

    // The type's JSON Schema applies, as over REST.
    await stack.api.http
      .post('/v1/event-types')
      .set(stack.api.auth())
      .send({ name: 'grpc.schema-checked', schema: { type: 'object', properties: { amount: { type: 'integer' } }, required: ['amount'] } })
      .expect(201);
    const schema = await grpcError(
      publish(client, { tenant_id: stack.tenantId, type: 'grpc.schema-checked', data_json: json({ amount: 'ten' }) }, tenantKey),
      status.INVALID_ARGUMENT,
    );
    expect(fieldViolations(schema).map((v) => v.field)).toEqual(['data_json.amount']);
    expect(await eventCount()).toBe(before);
  });

  it('answers UNAUTHENTICATED without a key, with an unknown key, or with a malformed header', async () => {
    const request = { tenant_id: stack.tenantId, type: 'grpc.x', data_json: json({}) };
    await grpcError(publish(client, request, undefined), status.UNAUTHENTICATED);
    await grpcError(publish(client, request, 'hk_not_a_real_key_0123456789'), status.UNAUTHENTICATED);
    const metadata = bearer(undefined);
    metadata.set('authorization', `Basic ${tenantKey}`);
    const malformed = await new Promise<Error>((resolve) => client.publish(request, metadata, (error) => resolve(error!)));
    expect(malformed).toMatchObject({ code: status.UNAUTHENTICATED });
  });

  it("answers NOT_FOUND for another tenant's events, and for the admin key on a tenant that does not exist", async () => {
    const other = await createTenant(stack.api);
    const before = await eventCount(other.id);
    await grpcError(publish(client, { tenant_id: other.id, type: 'grpc.x', data_json: json({}) }, tenantKey), status.NOT_FOUND);
    expect(await eventCount(other.id)).toBe(before);
    await grpcError(publish(client, { tenant_id: 'ten_00000000000000000000000000', type: 'grpc.x', data_json: json({}) }, stack.api.adminKey), status.NOT_FOUND);
    // The admin key does reach an existing tenant.
    const { event } = await publish(client, { tenant_id: other.id, type: 'grpc.x', data_json: json({}) }, stack.api.adminKey);
    expect(event.tenant_id).toBe(other.id);
  });

  it('replays an idempotent publish with the first event, and refuses the key with other data as ALREADY_EXISTS', async () => {
    const request = { tenant_id: stack.tenantId, type: 'grpc.idempotent', data_json: json({ n: 1 }), idempotency_key: 'order-42' };
    const first = await publish(client, request, tenantKey);
    const before = await eventCount();
    const again = await publish(client, request, tenantKey);
    expect(first.event.replayed).toBe(false);
    expect(again.event).toMatchObject({ id: first.event.id, replayed: true, idempotency_key: 'order-42', created_at: first.event.created_at });
    expect(again.headers.get('idempotent-replayed')).toEqual(['true']);

    const conflict = await grpcError(publish(client, { ...request, data_json: json({ n: 2 }) }, tenantKey), status.ALREADY_EXISTS);
    expect(fieldViolations(conflict).map((v) => v.field)).toEqual(['idempotency_key']);
    expect(await eventCount()).toBe(before);
  });

  it('answers RESOURCE_EXHAUSTED for data over MAX_PAYLOAD_BYTES, and for a message over the receive limit', async () => {
    const before = await eventCount();
    const tooLarge = json({ blob: 'x'.repeat(MAX_PAYLOAD_BYTES) });
    const error = await grpcError(publish(client, { tenant_id: stack.tenantId, type: 'grpc.big', data_json: tooLarge }, tenantKey), status.RESOURCE_EXHAUSTED);
    expect(fieldViolations(error)).toEqual([{ field: 'data_json', description: 'too large' }]);

    // Far over: gRPC itself refuses the message before it is decoded.
    const huge = json({ blob: 'x'.repeat(MAX_PAYLOAD_BYTES + 64 * 1024) });
    await grpcError(publish(client, { tenant_id: stack.tenantId, type: 'grpc.big', data_json: huge }, tenantKey), status.RESOURCE_EXHAUSTED);
    expect(await eventCount()).toBe(before);

    // Just under the limit is fine.
    const fits = json({ blob: 'x'.repeat(MAX_PAYLOAD_BYTES - 20) });
    await publish(client, { tenant_id: stack.tenantId, type: 'grpc.big', data_json: fits }, tenantKey);
  });

  it('is served on the port the app reports, and refuses calls once the app is closed', async () => {
    const { startTestApi } = await import('../../../../test/support');
    const api = await startTestApi();
    const port = api.app.get((await import('./grpc.server')).GrpcServer).port;
    expect(port).toBeGreaterThan(0);
    const direct = loadEventServiceClient(`127.0.0.1:${port}`);
    const tenant = await createTenant(api);
    await publish(direct, { tenant_id: tenant.id, type: 'grpc.x', data_json: json({}) }, api.adminKey);
    await api.close();
    await grpcError(publish(direct, { tenant_id: tenant.id, type: 'grpc.x', data_json: json({}) }, api.adminKey), status.UNAVAILABLE);
    direct.close();
  });

  async function eventCount(tenantId = stack.tenantId): Promise<number> {
    const { PrismaService } = await import('@hookline/database');
    return stack.api.app.get(PrismaService).event.count({ where: { tenantId } });
  }
});
