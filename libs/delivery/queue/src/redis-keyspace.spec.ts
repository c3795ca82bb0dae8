import type { RedisKeyspace } from './redis-keyspace';
import { CLUSTER_SLOTS, crc16, deliveryQueueName, deliveryQueuePrefix, deliveryShardOf, keyGroup, shardKeyGroup, shardTag, sharedQueuePrefix } from './redis-keyspace';

const single: RedisKeyspace = { prefix: 'hookline', cluster: false, shards: 1 };
const cluster: RedisKeyspace = { prefix: 'hookline', cluster: true, shards: 3 };

describe('Redis keyspace', () => {
  it('hashes as Redis Cluster does (CRC16/XMODEM; slots from the Redis Cluster specification)', () => {
    expect(crc16('123456789')).toBe(0x31c3);
    expect(crc16('foo') % CLUSTER_SLOTS).toBe(12182);
    expect(crc16('bar') % CLUSTER_SLOTS).toBe(5061);
  });

  it('keeps every key of a single Redis as it always was', () => {
    expect(deliveryQueueName(0, 1)).toBe('deliveries');
    expect(deliveryQueuePrefix(single, 0)).toBe('hookline');
    expect(sharedQueuePrefix(single)).toBe('hookline');
    expect(keyGroup(single, 'metrics')).toBe('hookline:metrics:');
    expect(shardKeyGroup(single, 0)).toBe('hookline:');
  });

  it('gives each shard on a cluster a tag of its own, in its own share of the slots', () => {
    const tags = [0, 1, 2].map((shard) => shardTag(cluster, shard));
    expect(new Set(tags).size).toBe(3);
    tags.forEach((tag, shard) => {
      expect(tag).toMatch(new RegExp(`^\\{hookline:deliveries-${shard}~\\d+\\}$`));
      const slot = crc16(tag.slice(1, -1)) % CLUSTER_SLOTS;
      expect(Math.floor((slot * 3) / CLUSTER_SLOTS)).toBe(shard);
    });
    expect(deliveryQueuePrefix(cluster, 1)).toBe(tags[1]);
    expect(shardKeyGroup(cluster, 1)).toBe(`${tags[1]}:`);
    expect(sharedQueuePrefix(cluster)).toBe('{hookline}');
    expect(keyGroup(cluster, 'metrics')).toBe('{hookline:metrics}:');
  });

  it('routes a subscription to the same shard every time, and spreads subscriptions over every shard', () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `sub_${i.toString(36).padStart(8, '0')}`);
    for (const id of ids.slice(0, 20)) expect(deliveryShardOf(id, 3)).toBe(deliveryShardOf(id, 3));
    const counts = [0, 0, 0];
    for (const id of ids) counts[deliveryShardOf(id, 3)]++;
    for (const n of counts) expect(n).toBeGreaterThan(800);
    expect(deliveryShardOf('sub_anything', 1)).toBe(0);
  });
});
