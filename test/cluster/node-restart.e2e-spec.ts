import { DeliveryQueues, deliveryUpdatesChannel } from '@hookline/queue';
import { DeliveryWatchHub } from '../../apps/api/src/grpc/delivery-watch.hub';
import { publish, subscribe } from '../delivery/delivery-test-kit';
import { attemptAnnouncer, testConfig, waitUntil } from '../support';
import { clusterScript, expectEveryDeliveryMade, masterOfKey, masterOfShard, onClusterOfItsOwn } from './cluster-test-kit';

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

  it('carries a tenant’s live delivery updates again once the master holding its channel is back', async () => {
    const { stack } = rig();
    const heard: number[] = [];
    const unwatch = await stack.api.app.get(DeliveryWatchHub).watch(
      stack.tenantId,
      (update) => heard.push(update.attempt),
      () => undefined,
    );
    const announce = attemptAnnouncer(stack, 'sub_restart');
    try {
      announce();
      await waitUntil('the first update heard', () => heard.length === 1);
      const channel = deliveryUpdatesChannel(testConfig(stack.env).QUEUE_PREFIX, stack.tenantId);
      cluster('restart-node', String(await masterOfKey(channel, PORTS[0])));
      // Updates are a live feed: those sent while the node is away are lost. One sent once it is back is heard.
      await waitUntil(
        'an update sent after the restart heard',
        () => {
          announce();
          return heard.length > 1;
        },
        30_000,
      );
    } finally {
      unwatch();
    }
  }, 60_000);
});
