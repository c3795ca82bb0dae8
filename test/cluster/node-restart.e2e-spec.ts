import { DeliveryQueues } from '@hookline/queue';
import { publish, subscribe } from '../delivery/delivery-test-kit';
import { waitUntil } from '../support';
import { clusterScript, expectEveryDeliveryMade, masterOfShard, onClusterOfItsOwn } from './cluster-test-kit';

/**
 * A cluster of its own (other ports, so the test files sharing the pass's cluster are not hit by
 * the restart): one master is killed and started again on its port, from its nodes.conf but with
 * none of its data, while deliveries flow over three shards. Every delivery still succeeds and the
 * receiver sees each one: what the restarted node held comes back through the sweeper.
 */
const PORTS = [7111, 7112, 7113];
const cluster = clusterScript({ REDIS_CLUSTER_PORTS: PORTS.join(' '), REDIS_CLUSTER_DIR: '/tmp/hookline-redis-cluster-restart' });

describe('a Redis Cluster node restarted while deliveries flow', () => {
  const rig = onClusterOfItsOwn(cluster);

  /** The port of the master serving each shard's hash tag. */
  const shardPorts = () => Promise.all([0, 1, 2].map((shard) => masterOfShard(rig().stack, shard, PORTS[0])));

  it('puts each shard on its own master', async () => {
    expect(new Set(await shardPorts()).size).toBe(3);
  });

  it('loses no delivery: each reaches the receiver and ends succeeded', async () => {
    const { stack, receiver } = rig();
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

    await expectEveryDeliveryMade(stack, receiver, total);
  }, 120_000);
});
