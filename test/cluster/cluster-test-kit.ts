import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Redis from 'ioredis';
import { PrismaService } from '@hookline/database';
import { redisKeyspace, shardTag } from '@hookline/queue';
import { header } from '../delivery/delivery-test-kit';
import type { IsolatedDatabase, TestStack } from '../support';
import { createIsolatedDatabase, RecordingReceiver, startTestStack, testConfig, waitFor } from '../support';

/** scripts/redis-cluster.sh with `env` (ports, directory, replicas) for a cluster of the test's own. */
export function clusterScript(env: Record<string, string>): (...args: string[]) => string {
  const script = join(__dirname, '..', '..', 'scripts', 'redis-cluster.sh');
  return (...args) => execFileSync(script, args, { env: { ...process.env, ...env }, encoding: 'utf8' }).trim();
}

/** The port of the master that serves `shard`'s hash tag, as the node on `port` sees the slots. */
export async function masterOfShard(stack: TestStack, shard: number, port: number): Promise<number> {
  const keyspace = redisKeyspace(testConfig(stack.env));
  return masterOfKey(`${shardTag(keyspace, shard)}:deliveries-${shard}:wait`, port);
}

/** The port of the master that serves `key`'s slot (a sharded pub/sub channel's too), as the node on `port` sees the slots. */
export async function masterOfKey(key: string, port: number): Promise<number> {
  const client = new Redis({ host: '127.0.0.1', port });
  try {
    const slot = Number(await client.cluster('KEYSLOT', key));
    const ranges = await client.cluster('SLOTS');
    return ranges.find(([from, to]) => slot >= from && slot <= to)![2][1];
  } finally {
    client.disconnect();
  }
}

/**
 * The stack's tenant has `total` deliveries, every one ends succeeded and reached the receiver;
 * at least once: a fault may repeat an attempt whose outcome it interrupted, never many.
 */
export async function expectEveryDeliveryMade(stack: TestStack, receiver: RecordingReceiver, total: number): Promise<void> {
  const prisma = stack.api.app.get(PrismaService);
  const ids = (await prisma.delivery.findMany({ where: { tenantId: stack.tenantId }, select: { id: true } })).map((d) => d.id);
  expect(ids).toHaveLength(total);
  await waitFor(
    () => prisma.delivery.count({ where: { tenantId: stack.tenantId, status: 'succeeded' } }),
    (n) => n === total,
    { what: 'every delivery succeeded', timeoutMs: 45_000 },
  );
  const received = receiver.requests.map((r) => header(r, 'x-hookline-delivery'));
  expect(new Set(received)).toEqual(new Set(ids));
  expect(received.length).toBeLessThanOrEqual(total + total / 3);
}

export interface ClusterRig {
  stack: TestStack;
  receiver: RecordingReceiver;
}

/**
 * For the describe block it is called in: an API and a worker on the cluster `cluster` starts,
 * three shards, a database of their own (the sweeper's re-queueing is what these tests rely on, so
 * no other file's deliveries may be in it), and a receiver answering 200 after 20 ms.
 * `beforeClose` runs before the stack closes (e.g. to bring back a node the test left down);
 * `stopAfter` shuts the cluster down at the end. Call the result inside a test.
 */
export function onClusterOfItsOwn(
  cluster: (...args: string[]) => string,
  { stopAfter = false, beforeClose = () => {} }: { stopAfter?: boolean; beforeClose?: () => void } = {},
): () => ClusterRig {
  let db: IsolatedDatabase | undefined;
  let rig: ClusterRig | undefined;
  beforeAll(async () => {
    const nodes = cluster('start');
    db = await createIsolatedDatabase();
    const receiver = await RecordingReceiver.start(() => ({ status: 200, delayMs: 20 }));
    const stack = await startTestStack({ DATABASE_URL: db.url, REDIS_CLUSTER_NODES: nodes, QUEUE_SHARDS: '3', SWEEP_INTERVAL_MS: '500', WORKER_CONCURRENCY: '6' });
    rig = { stack, receiver };
  }, 60_000);
  afterAll(async () => {
    beforeClose();
    await rig?.stack.close();
    await rig?.receiver.close();
    await db?.drop();
    if (stopAfter) cluster('stop');
  }, 60_000);
  return () => rig!;
}
