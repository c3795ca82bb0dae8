import { BULK_JOBS_QUEUE } from './bulk-job';
import { DELIVERIES_QUEUE } from './delivery-job';
import { OPERATOR_EVENTS_QUEUE, REPLAYS_QUEUE } from './operator-jobs';

/** Every queue the apps register; each is connected and closed with the app. */
export const QUEUE_NAMES = [DELIVERIES_QUEUE, REPLAYS_QUEUE, OPERATOR_EVENTS_QUEUE, BULK_JOBS_QUEUE] as const;
