import { status } from '@grpc/grpc-js';
import { PrismaService } from '@hookline/database';
import type { IsolatedDatabase, TestApi } from '../../../../test/support';
import { createIsolatedDatabase, createTenant, refuseRows, startTestApi } from '../../../../test/support';
import type { PublishRequestMessage, PublishSummaryMessage } from './grpc-test-client';
import { bearer, grpcClient, json } from './grpc-test-client';
import { PUBLISH_STREAM_LIMITS } from './publish-stream';

/**
 * PublishStream writes a batch with one statement per tenant. When Postgres refuses one message's
 * row, that message alone is rejected; every other message, of its tenant or another, is
 * committed, and the summary counts exactly what was committed.
 */
describe('gRPC PublishStream with a message the database refuses', () => {
  let db: IsolatedDatabase;
  let api: TestApi;
  let client: ReturnType<typeof grpcClient>;
  const limits = { ...PUBLISH_STREAM_LIMITS };

  beforeAll(async () => {
    // A trigger is added to the schema: a database of this file's own.
    db = await createIsolatedDatabase();
    api = await startTestApi({ DATABASE_URL: db.url });
    client = grpcClient(api.app);
    // However slowly the messages arrive, the stream's end closes the only batch: every message is
    // written together with the refused one.
    PUBLISH_STREAM_LIMITS.lingerMs = 10 * 60_000;
  });
  afterAll(async () => {
    Object.assign(PUBLISH_STREAM_LIMITS, limits);
    client?.close();
    await api?.close();
    await db?.drop();
  });

  function publishStream(requests: PublishRequestMessage[]): Promise<PublishSummaryMessage> {
    return new Promise((resolve, reject) => {
      const call = client.publishStream(bearer(api.adminKey), (error, summary) => (error ? reject(error) : resolve(summary)));
      for (const request of requests) call.write(request);
      call.end();
    });
  }

  it("accepts and counts tenant A's messages and tenant B's good ones, rejecting only B's refused message", async () => {
    const a = await createTenant(api);
    const b = await createTenant(api);
    await refuseRows(db.url, 'events', `NEW.tenant_id = '${b.id}' AND NEW.data->>'poison' IS NOT NULL`);
    const message = (tenantId: string, data: object) => ({ tenant_id: tenantId, type: 'stream.isolated', data_json: json(data) });
    const requests = [...Array.from({ length: 5 }, (_, i) => message(a.id, { i })), message(b.id, { i: 5, poison: true }), message(b.id, { i: 6 }), message(b.id, { i: 7 })];

    const summary = await publishStream(requests);

    expect(summary).toMatchObject({ accepted: 7, rejected: 1, replayed: 0, errors_truncated: false });
    expect(summary.errors.map((e) => [e.index, status[e.code]])).toEqual([[5, 'INTERNAL']]);
    expect(summary.errors[0].message).toBe('Internal server error');

    const prisma = api.app.get(PrismaService);
    const stored = await prisma.event.findMany({ where: { tenantId: { in: [a.id, b.id] } }, select: { tenantId: true, data: true } });
    const indexes = (tenantId: string) =>
      stored
        .filter((e) => e.tenantId === tenantId)
        .map((e) => (e.data as { i: number }).i)
        .sort();
    expect(indexes(a.id)).toEqual([0, 1, 2, 3, 4]);
    expect(indexes(b.id)).toEqual([6, 7]);
    expect(stored).toHaveLength(summary.accepted);
  });
});
