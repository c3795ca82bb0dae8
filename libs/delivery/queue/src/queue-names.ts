import { BULK_JOBS_QUEUE } from './bulk-job';
import { OPERATOR_EVENTS_QUEUE, REPLAYS_QUEUE } from './operator-jobs';
import type { RedisKeyspace } from './redis-keyspace';
import { deliveryQueueNames } from './redis-keyspace';

/** The queues besides the delivery shards. */
export const SHARED_QUEUE_NAMES = [REPLAYS_QUEUE, OPERATOR_EVENTS_QUEUE, BULK_JOBS_QUEUE] as const;

/** Every queue the apps register; each is connected and closed with the app. */
export function queueNames(keyspace: RedisKeyspace): string[] {
  return [...deliveryQueueNames(keyspace), ...SHARED_QUEUE_NAMES];
}
