import Redis from 'ioredis';
import { DeliveryQueues } from '@hookline/queue';
import { publish, subscribe } from '../delivery/delivery-test-kit';
import { waitUntil } from '../support';
import { clusterScript, expectEveryDeliveryMade, masterOfShard, onClusterOfItsOwn } from './cluster-test-kit';

/**
 * A cluster of its own with a replica per master (six nodes, other ports than the pass's cluster):
 * the master serving one shard is killed for good while deliveries flow over three shards, its
 * replica is promoted once the others have not heard from it for the node timeout (1 s here), and
 * Hookline carries on against the new master. Every delivery still succeeds and the receiver sees
 * each one: what the promoted replica had not yet received comes back through the sweeper.
 */
const PORTS = [7121, 7122, 7123, 7124, 7125, 7126];
const cluster = clusterScript({
  REDIS_CLUSTER_PORTS: PORTS.join(' '),
  REDIS_CLUSTER_DIR: '/tmp/hookline-redis-cluster-failover',
  REDIS_CLUSTER_REPLICAS: '1',
  REDIS_CLUSTER_NODE_TIMEOUT: '1000',
});

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
  let lost: number | undefined;
  // The lost master comes back (as a replica) before the stack closes: in CI, closing with a node
  // still down outlasted the hook's 30 s (see the issue note). The next run starts from a cluster
  // made afresh.
  const rig = onClusterOfItsOwn(cluster, { stopAfter: true, beforeClose: () => lost && cluster('start-node', String(lost)) });

  it('loses no delivery: each reaches the receiver and ends succeeded', async () => {
    const { stack, receiver } = rig();
    const queues = stack.api.app.get(DeliveryQueues);
    const subscriptions: Awaited<ReturnType<typeof subscribe>>[] = [];
    while (new Set(subscriptions.map((s) => queues.shardOf(s.id))).size < 3) subscriptions.push(await subscribe(stack, receiver.url));
    const shard = queues.shardOf(subscriptions[0].id);
    const victim = await masterOfShard(stack, shard, PORTS[0]);
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
    lost = victim;
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
    expect(await masterOfShard(stack, shard, witness)).toBe(replica!.port);
    await publishing;

    await expectEveryDeliveryMade(stack, receiver, total);
  }, 120_000);
});
