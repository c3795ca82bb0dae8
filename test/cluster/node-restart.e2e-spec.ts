import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Redis from 'ioredis';
import { PrismaService } from '@hookline/database';
import { DeliveryQueues, shardTag, redisKeyspace } from '@hookline/queue';
import { header, publish, subscribe } from '../delivery/delivery-test-kit';
import type { IsolatedDatabase, TestStack } from '../support';
import { createIsolatedDatabase, RecordingReceiver, startTestStack, testConfig, waitFor, waitUntil } from '../support';

/**
 * A cluster of its own (other ports, so the test files sharing the pass's cluster are not hit by
 * the restart): one master is killed and started again on its port, from its nodes.conf but with
 * none of its data, while deliveries flow over three shards. Every delivery still succeeds and the
 * receiver sees each one: what the restarted node held comes back through the sweeper.
 */
const script = join(__dirname, '..', '..', 'scripts', 'redis-cluster.sh');
const clusterEnv = { ...process.env, REDIS_CLUSTER_PORTS: '7111 7112 7113', REDIS_CLUSTER_DIR: '/tmp/hookline-redis-cluster-restart' };
const cluster = (...args: string[]) => execFileSync(script, args, { env: clusterEnv, encoding: 'utf8' }).trim();

describe('a Redis Cluster node restarted while deliveries flow', () => {
  let nodes: string;
  let db: IsolatedDatabase;
  let stack: TestStack;
  let receiver: RecordingReceiver;

  beforeAll(async () => {
    nodes = cluster('start');
    db = await createIsolatedDatabase();
    receiver = await RecordingReceiver.start(() => ({ status: 200, delayMs: 20 }));
    stack = await startTestStack({ DATABASE_URL: db.url, REDIS_CLUSTER_NODES: nodes, QUEUE_SHARDS: '3', SWEEP_INTERVAL_MS: '500', WORKER_CONCURRENCY: '6' });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
    await db?.drop();
  });

  /** The port of the master serving each shard's hash tag. */
  async function shardPorts(): Promise<number[]> {
    const [host, port] = nodes.split(',')[0].split(':');
    const client = new Redis({ host, port: Number(port) });
    try {
      const keyspace = redisKeyspace(testConfig(stack.env));
      const ranges = await client.cluster('SLOTS');
      return Promise.all(
        [0, 1, 2].map(async (shard) => {
          const slot = Number(await client.cluster('KEYSLOT', `${shardTag(keyspace, shard)}:deliveries-${shard}:wait`));
          return ranges.find(([from, to]) => slot >= from && slot <= to)![2][1];
        }),
      );
    } finally {
      client.disconnect();
    }
  }

  it('puts each shard on its own master', async () => {
    expect(new Set(await shardPorts()).size).toBe(3);
  });

  it('loses no delivery: each reaches the receiver and ends succeeded', async () => {
    const queues = stack.api.app.get(DeliveryQueues);
    // Subscriptions until every shard has one.
    const subscriptions: Awaited<ReturnType<typeof subscribe>>[] = [];
    while (new Set(subscriptions.map((s) => queues.shardOf(s.id))).size < 3) subscriptions.push(await subscribe(stack, receiver.url));
    const restarted = (await shardPorts())[queues.shardOf(subscriptions[0].id)];

    const total = 90;
    let published = 0;
    const publishing = (async () => {
      for (; published < total; published++) await publish(stack, `${subscriptions[published % subscriptions.length].ns}.flow`, { n: published });
    })();
    await waitUntil('a third of the deliveries received', () => receiver.requests.length >= total / 3, 30_000);
    cluster('restart-node', String(restarted));
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
    // At least once: a restart may repeat an attempt whose outcome it interrupted, never many.
    expect(received.length).toBeLessThanOrEqual(total + total / 3);
  }, 120_000);
});
