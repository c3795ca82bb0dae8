/** What the receiver process (receiver.ts) and the bench (receiver-client.ts) agree on. */

/** One request as it arrived: [arrival ms (clock()), webhook-id, x-hookline-delivery, x-hookline-attempt, URL path]. */
export type ReceivedRecord = [arrivedAt: number, webhookId: string, deliveryId: string, attempt: number, path: string];

/** Requests whose path starts with this are held open until the sender gives up (noisy neighbour). */
export const HANG_PREFIX = '/hang';

/** Control routes, never recorded: GET /_bench/now (the receiver's clock), GET /_bench/drain (records so far, then forgets them). */
export const CONTROL_PREFIX = '/_bench/';

export interface ReceiverReady {
  type: 'ready';
  /** Two listeners with the same handler: the second is a separate origin (its own connection pool in the sender). */
  ports: [number, number];
}

export interface DrainResponse {
  records: ReceivedRecord[];
  connections: number;
  hanging: number;
}
