import type { ReceivedRecord } from './receiver-protocol';

export interface FirstArrival {
  webhookId: string;
  deliveryId: string;
  arrivedAt: number;
}

/** The first attempt of each delivery whose path starts with `pathPrefix`, in arrival order. */
export function firstAttempts(records: readonly ReceivedRecord[], pathPrefix: string): FirstArrival[] {
  const seen = new Set<string>();
  const arrivals: FirstArrival[] = [];
  for (const [arrivedAt, webhookId, deliveryId, attempt, path] of records) {
    if (attempt !== 1 || !path.startsWith(pathPrefix) || seen.has(deliveryId)) continue;
    seen.add(deliveryId);
    arrivals.push({ webhookId, deliveryId, arrivedAt });
  }
  return arrivals;
}

/** Publish (request sent) → first attempt at the receiver, for every arrival whose event the bench published. */
export function publishToFirstAttempt(arrivals: readonly FirstArrival[], sentAt: ReadonlyMap<string, number>): number[] {
  const latencies: number[] = [];
  for (const arrival of arrivals) {
    const sent = sentAt.get(arrival.webhookId);
    if (sent !== undefined) latencies.push(arrival.arrivedAt - sent);
  }
  return latencies;
}

export function countUnder(records: readonly ReceivedRecord[], pathPrefix: string): number {
  return records.reduce((n, record) => (record[4].startsWith(pathPrefix) ? n + 1 : n), 0);
}

/**
 * How long a latency phase publishes, unmeasured, before its measured window: alone, the processes'
 * pools and compiled code are still growing; beside a neighbour, the worker has just taken the
 * neighbour's first jobs. Phases then compare steady states; the settling seconds are reported apart.
 */
export const SETTLE_SECONDS = 5;

/** Events sent before `from` (settling) and from it on (measured). */
export function splitBySentAt(sentAt: ReadonlyMap<string, number>, from: number): [Map<string, number>, Map<string, number>] {
  const before = new Map<string, number>();
  const after = new Map<string, number>();
  for (const [id, at] of sentAt) (at < from ? before : after).set(id, at);
  return [before, after];
}
