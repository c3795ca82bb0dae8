import { status } from '@grpc/grpc-js';
import { PrismaService } from '@hookline/database';
import type { TestApi } from '../../../../test/support';
import { createTenant, createTenantKey, startTestApi } from '../../../../test/support';
import type { PublishRequestMessage, PublishSummaryMessage } from './grpc-test-client';
import { bearer, grpcClient, grpcError, json } from './grpc-test-client';

const MAX_PAYLOAD_BYTES = 2048;
const COUNT = 2_000;

describe('gRPC EventService.PublishStream', () => {
  let api: TestApi;
  let client: ReturnType<typeof grpcClient>;
  let tenantId: string;
  let tenantKey: string;

  beforeAll(async () => {
    api = await startTestApi({ MAX_PAYLOAD_BYTES: String(MAX_PAYLOAD_BYTES) });
    client = grpcClient(api.app);
    tenantId = (await createTenant(api)).id;
    tenantKey = (await createTenantKey(api, tenantId)).key;
  });
  afterAll(async () => {
    client?.close();
    await api?.close();
  });

  function publishStream(key: string | undefined, requests: Iterable<PublishRequestMessage>): Promise<PublishSummaryMessage> {
    return new Promise((resolve, reject) => {
      const call = client.publishStream(bearer(key), (error, summary) => (error ? reject(error) : resolve(summary)));
      // Honour flow control as a producer should: wait for 'drain' when write() says so.
      const iterator = requests[Symbol.iterator]();
      const pump = () => {
        for (let next = iterator.next(); !next.done; next = iterator.next()) {
          if (!call.write(next.value)) return void call.once('drain', pump);
        }
        call.end();
      };
      pump();
    });
  }

  it('publishes 2,000 events, rejecting the bad ones by index with their codes and fields, and keeping the good ones', async () => {
    const other = await createTenant(api);
    const bad: Record<number, Partial<PublishRequestMessage>> = {
      7: { type: 'bad type!' },
      500: { data_json: Buffer.from('{not json') },
      1234: { tenant_id: other.id },
      1500: { data_json: json({ blob: 'x'.repeat(MAX_PAYLOAD_BYTES) }) },
      1999: { idempotency_key: 'stream-key', data_json: json({ different: true }) },
    };
    function* requests(): Generator<PublishRequestMessage> {
      for (let i = 0; i < COUNT; i++) {
        const base = { tenant_id: tenantId, type: 'stream.item', data_json: json({ i }) };
        // Index 10 claims a key, index 11 repeats it exactly (a replay), index 1999 reuses it with other data (a conflict).
        const keyed = i === 10 || i === 11 ? { idempotency_key: 'stream-key', data_json: json({ i: 10 }) } : {};
        yield { ...base, ...keyed, ...bad[i] };
      }
    }

    const summary = await publishStream(tenantKey, requests());

    expect(summary).toMatchObject({ accepted: COUNT - 5, rejected: 5, replayed: 1, errors_truncated: false });
    expect(summary.errors.map((e) => [e.index, status[e.code], e.field_errors.map((f) => f.field)])).toEqual([
      [7, 'INVALID_ARGUMENT', ['type']],
      [500, 'INVALID_ARGUMENT', ['data_json']],
      [1234, 'NOT_FOUND', []],
      [1500, 'RESOURCE_EXHAUSTED', ['data_json']],
      [1999, 'ALREADY_EXISTS', ['idempotency_key']],
    ]);
    expect(summary.errors[0].message).toContain('type');

    const prisma = api.app.get(PrismaService);
    expect(await prisma.event.count({ where: { tenantId } })).toBe(COUNT - 5 - 1);
    expect(await prisma.event.count({ where: { tenantId: other.id } })).toBe(0);
    const stored = await prisma.event.findMany({ where: { tenantId }, select: { data: true } });
    const indexes = new Set(stored.map((e) => (e.data as { i: number }).i));
    expect([7, 11, 500, 1234, 1500, 1999].filter((i) => indexes.has(i))).toEqual([]);
    expect(indexes.size).toBe(COUNT - 6);
  }, 20_000);

  it('accepts an empty stream', async () => {
    expect(await publishStream(tenantKey, [])).toMatchObject({ accepted: 0, rejected: 0, errors: [] });
  });

  it('fails the whole call with UNAUTHENTICATED for a bad key, and publishes nothing', async () => {
    const prisma = api.app.get(PrismaService);
    const before = await prisma.event.count({ where: { tenantId } });
    const items = Array.from({ length: 10 }, (_, i) => ({ tenant_id: tenantId, type: 'stream.item', data_json: json({ i }) }));
    await grpcError(publishStream('hk_wrong_key_0123456789abcdef', items), status.UNAUTHENTICATED);
    await grpcError(publishStream(undefined, items), status.UNAUTHENTICATED);
    expect(await prisma.event.count({ where: { tenantId } })).toBe(before);
  });
});
