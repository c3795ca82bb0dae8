import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Redis from 'ioredis';
import { PrismaService } from '@hookline/database';
import { DeliveryQueues, shardTag, redisKeyspace } from '@hookline/queue';
import { header, publish, subscribe } from '../delivery/delivery-test-kit';
import type { IsolatedDatabase, TestStack } from '../support';
import { createIsolatedDatabase, RecordingReceiver, startTestStack, testConfig, waitFor, waitUntil } from '../support';

/**
 * A cluster of its own with a replica per master (six nodes, other ports than the pass's cluster):
 * the master serving one shard is killed for good while deliveries flow over three shards, its
 * replica is promoted once the others have not heard from it for the node timeout (1 s here), and
 * Hookline carries on against the new master. Every delivery still succeeds and the receiver sees
 * each one: what the promoted replica had not yet received comes back through the sweeper.
 */
const PORTS = [7121, 7122, 7123, 7124, 7125, 7126];
const script = join(__dirname, '..', '..', 'scripts', 'redis-cluster.sh');
const clusterEnv = {
  ...process.env,
  REDIS_CLUSTER_PORTS: PORTS.join(' '),
  REDIS_CLUSTER_DIR: '/tmp/hookline-redis-cluster-failover',
  REDIS_CLUSTER_REPLICAS: '1',
  REDIS_CLUSTER_NODE_TIMEOUT: '1000',
};
const cluster = (...args: string[]) => execFileSync(script, args, { env: clusterEnv, encoding: 'utf8' }).trim();

interface ClusterNode {
  id: string;
  port: number;
  master: boolean;
  failed: boolean;
  /** The master it replicates, for a replica. */
  masterId: string | null;
}

/** CLUSTER NODES as one node sees it. */
async function clusterNodes(port: number): Promise<ClusterNode[]> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const text = (await client.cluster('NODES')) as string;
    return text
      .trim()
      .split('\n')
      .map((line) => {
        const [id, address, flags, masterId] = line.split(' ');
        const flagSet = new Set(flags.split(','));
        return { id, port: Number(address.split(':')[1].split('@')[0]), master: flagSet.has('master'), failed: flagSet.has('fail'), masterId: masterId === '-' ? null : masterId };
      });
  } finally {
    client.disconnect();
  }
}

describe('a Redis Cluster master lost for good, its replica promoted, while deliveries flow', () => {
  let db: IsolatedDatabase;
  let stack: TestStack;
  let receiver: RecordingReceiver;

  beforeAll(async () => {
    const nodes = cluster('start');
    db = await createIsolatedDatabase();
    receiver = await RecordingReceiver.start(() => ({ status: 200, delayMs: 20 }));
    stack = await startTestStack({ DATABASE_URL: db.url, REDIS_CLUSTER_NODES: nodes, QUEUE_SHARDS: '3', SWEEP_INTERVAL_MS: '500', WORKER_CONCURRENCY: '6' });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
    await db?.drop();
    // The next run starts from a cluster made afresh (the killed master would rejoin as a replica).
    cluster('stop');
  });

  /** The port of the master that serves `shard`'s hash tag, as `port`'s node sees the slots. */
  async function masterOfShard(shard: number, port: number): Promise<number> {
    const client = new Redis({ host: '127.0.0.1', port });
    try {
      const keyspace = redisKeyspace(testConfig(stack.env));
      const slot = Number(await client.cluster('KEYSLOT', `${shardTag(keyspace, shard)}:deliveries-${shard}:wait`));
      const ranges = await client.cluster('SLOTS');
      return ranges.find(([from, to]) => slot >= from && slot <= to)![2][1];
    } finally {
      client.disconnect();
    }
  }

  it('loses no delivery: each reaches the receiver and ends succeeded', async () => {
    const queues = stack.api.app.get(DeliveryQueues);
    const subscriptions: Awaited<ReturnType<typeof subscribe>>[] = [];
    while (new Set(subscriptions.map((s) => queues.shardOf(s.id))).size < 3) subscriptions.push(await subscribe(stack, receiver.url));
    const shard = queues.shardOf(subscriptions[0].id);
    const victim = await masterOfShard(shard, PORTS[0]);
    const witness = PORTS.find((port) => port !== victim)!;
    const victimId = (await clusterNodes(witness)).find((node) => node.port === victim)!.id;
    const replica = (await clusterNodes(witness)).find((node) => node.masterId === victimId);
    expect(replica).toBeDefined();

    const total = 90;
    const publishSome = async (from: number, to: number) => {
      for (let n = from; n < to; n++) await publish(stack, `${subscriptions[n % subscriptions.length].ns}.flow`, { n });
    };
    await publishSome(0, total / 2);
    await waitUntil('a third of the deliveries received', () => receiver.requests.length >= total / 3, 30_000);
    cluster('kill-node', String(victim));
    // Published while the master is gone and its replica not yet promoted, and on after it.
    const publishing = publishSome(total / 2, total);
    await waitUntil(
      'the replica promoted',
      async () => {
        const seen = await clusterNodes(witness);
        return Boolean(seen.find((node) => node.id === victimId)?.failed && seen.find((node) => node.id === replica!.id)?.master);
      },
      30_000,
    );
    expect(await masterOfShard(shard, witness)).toBe(replica!.port);
    await publishing;

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
    // At least once: a failover may repeat an attempt whose outcome it interrupted, never many.
    expect(received.length).toBeLessThanOrEqual(total + total / 3);
  }, 120_000);
});
