import type { AppConfig } from '@hookline/config';
import { DELIVERIES_QUEUE } from './delivery-job';

/**
 * Where Hookline's keys live in Redis. On a single Redis every key is `<QUEUE_PREFIX>:…`, as it
 * always was. On a Redis Cluster each group of keys that one command or script touches together
 * carries its own hash tag (`{<QUEUE_PREFIX>:<group>}:…`), so it stays in one slot, and different
 * groups spread over the nodes. See docs/decisions/sharding.md.
 */
export interface RedisKeyspace {
  prefix: string;
  cluster: boolean;
  /** Delivery queues (QUEUE_SHARDS). */
  shards: number;
}

export function redisKeyspace(config: Pick<AppConfig, 'QUEUE_PREFIX' | 'QUEUE_SHARDS' | 'REDIS_CLUSTER_NODES'>): RedisKeyspace {
  return { prefix: config.QUEUE_PREFIX, cluster: Boolean(config.REDIS_CLUSTER_NODES?.length), shards: config.QUEUE_SHARDS };
}

/** The start of every key of one group: `prefix:` on a single Redis, `{prefix:group}:` on a cluster. */
export function keyGroup(keyspace: RedisKeyspace, group: string): string {
  return keyspace.cluster ? `{${keyspace.prefix}:${group}}:` : `${keyspace.prefix}:${group}:`;
}

/**
 * The shard of a subscription's deliveries: FNV-1a of its id, so every process, every release and
 * every path (publish, sweeper, replay, retry) agrees without asking anyone.
 */
export function deliveryShardOf(subscriptionId: string, shards: number): number {
  if (shards <= 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < subscriptionId.length; i++) {
    hash ^= subscriptionId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

/** `deliveries` with one shard (the name it always had), `deliveries-0` … `deliveries-<n-1>` with more. */
export function deliveryQueueName(shard: number, shards: number): string {
  return shards <= 1 ? DELIVERIES_QUEUE : `${DELIVERIES_QUEUE}-${shard}`;
}

export function deliveryQueueNames(keyspace: RedisKeyspace): string[] {
  return Array.from({ length: keyspace.shards }, (_, shard) => deliveryQueueName(shard, keyspace.shards));
}

/** Redis Cluster's slots: a key's slot is CRC16 of its hash tag, modulo this. */
export const CLUSTER_SLOTS = 16_384;

/** CRC16/XMODEM, as Redis Cluster hashes keys to slots. */
export function crc16(text: string): number {
  let crc = 0;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/**
 * A delivery shard's hash tag on a cluster (`{prefix:deliveries-<i>~<n>}`): the first `n` whose slot
 * falls in the shard's own share of the slot space (shard i of N: the i-th N-th). A cluster made
 * with its slots split evenly over N masters (as `redis-cli --cluster create` does) so holds one
 * shard per master; with N a multiple of the masters, the same number of shards on each.
 */
export function shardTag(keyspace: RedisKeyspace, shard: number): string {
  const cacheKey = `${keyspace.prefix}|${keyspace.shards}|${shard}`;
  let tag = shardTags.get(cacheKey);
  if (tag === undefined) shardTags.set(cacheKey, (tag = findShardTag(keyspace, shard)));
  return tag;
}

/** Computed once per shard: endpoint health keys ask for it on every attempt. */
const shardTags = new Map<string, string>();

function findShardTag(keyspace: RedisKeyspace, shard: number): string {
  const name = deliveryQueueName(shard, keyspace.shards);
  const from = Math.ceil((shard * CLUSTER_SLOTS) / keyspace.shards);
  const to = Math.ceil(((shard + 1) * CLUSTER_SLOTS) / keyspace.shards);
  for (let n = 0; ; n++) {
    const tag = `${keyspace.prefix}:${name}~${n}`;
    const slot = crc16(tag) % CLUSTER_SLOTS;
    if (slot >= from && slot < to) return `{${tag}}`;
  }
}

/** BullMQ's prefix for a delivery shard's queue: on a cluster the shard's hash tag (BullMQ requires one there), so shards spread over the nodes. */
export function deliveryQueuePrefix(keyspace: RedisKeyspace, shard: number): string {
  return keyspace.cluster ? shardTag(keyspace, shard) : keyspace.prefix;
}

/** BullMQ's prefix for the other queues (replays, operator events, bulk chunks): light traffic, one tag for all of them on a cluster. */
export function sharedQueuePrefix(keyspace: RedisKeyspace): string {
  return keyspace.cluster ? `{${keyspace.prefix}}` : keyspace.prefix;
}

/**
 * The group of the endpoint health keys of one shard's subscriptions (breaker, probe, rate limit,
 * the set of open breakers): the shard's queue tag on a cluster, so the worker that takes a job from
 * that queue talks to the same node for the job and for the endpoint's state; `prefix:` on a single Redis.
 */
export function shardKeyGroup(keyspace: RedisKeyspace, shard: number): string {
  return keyspace.cluster ? `${shardTag(keyspace, shard)}:` : `${keyspace.prefix}:`;
}

export function subscriptionKeyGroup(keyspace: RedisKeyspace, subscriptionId: string): string {
  return shardKeyGroup(keyspace, deliveryShardOf(subscriptionId, keyspace.shards));
}
