import type { TestStack } from '../support';
import { waitFor } from '../support/wait';

/** Helpers shared by the operator e2e files: thin HTTP calls over a TestStack. */

/**
 * Stacks of a run share one Postgres, and a stack's sweeper re-sends another stack's overdue
 * deliveries through its own queue; these files' stacks do not sweep (no test here needs it).
 */
export const NO_SWEEPER = { SWEEP_INTERVAL_MS: '600000' };

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const tenantPath = (stack: TestStack, tenantId = stack.tenantId) => `/v1/tenants/${tenantId}`;

let namespaceCounter = 0;
/** An event type namespace new to this run, so other tests' events never reach a receiver. */
export const namespace = () => `op${process.pid}n${++namespaceCounter}`;

export interface Subscription {
  id: string;
  url: string;
  secret: string;
  status: string;
  disabledReason: string | null;
}

export async function subscribe(stack: TestStack, url: string, fields: Record<string, unknown> = {}, tenantId = stack.tenantId): Promise<Subscription> {
  return (
    await stack.api.http
      .post(`${tenantPath(stack, tenantId)}/subscriptions`)
      .set(stack.api.auth())
      .send({ url, ...fields })
      .expect(201)
  ).body;
}

export async function publish(stack: TestStack, type: string, data: unknown = {}, tenantId = stack.tenantId): Promise<{ id: string; createdAt: string; deliveryCount: number }> {
  return (
    await stack.api.http
      .post(`${tenantPath(stack, tenantId)}/events`)
      .set(stack.api.auth())
      .send({ type, data })
      .expect(202)
  ).body;
}

/** Publishes `count` events, `parallel` at a time; `data(i)` gives each one's data. */
export async function publishMany(stack: TestStack, type: string, count: number, data: (i: number) => unknown = (i) => ({ i }), parallel = 50) {
  const events: { id: string; createdAt: string }[] = new Array(count);
  for (let start = 0; start < count; start += parallel) {
    const chunk = Array.from({ length: Math.min(parallel, count - start) }, (_, k) => start + k);
    await Promise.all(chunk.map(async (i) => (events[i] = await publish(stack, type, data(i)))));
  }
  return events;
}

export interface Stats {
  deliveries: Record<'pending' | 'succeeded' | 'failed' | 'dead' | 'cancelled', number>;
  oldestPendingAgeSeconds: number | null;
  backlog: { tenantId: string; pending: number; failed: number; backlog: number; oldestPendingAgeSeconds: number | null }[];
  queues: Record<string, Record<string, number>>;
  circuitBreakersOpen: number;
}

export async function stats(stack: TestStack, tenantId = stack.tenantId): Promise<Stats> {
  return (await stack.api.http.get(`/v1/stats?tenantId=${tenantId}`).set(stack.api.auth()).expect(200)).body;
}

/** Polls until `until` holds for the tenant's stats; fails with the last ones seen. */
export async function waitForStats(stack: TestStack, until: (s: Stats) => boolean, timeoutMs = 15_000, tenantId = stack.tenantId): Promise<Stats> {
  return waitFor(() => stats(stack, tenantId), until, { timeoutMs, intervalMs: 100, what: 'stats in the expected state' });
}

export interface Replay {
  id: string;
  tenantId: string | null;
  filter: Record<string, unknown>;
  status: 'queued' | 'running' | 'completed' | 'failed';
  matched: number;
  queued: number;
  completed: number;
  createdAt: string;
  completedAt: string | null;
}

export async function waitForReplay(stack: TestStack, id: string, timeoutMs = 15_000): Promise<Replay> {
  return waitFor(
    async (): Promise<Replay> => (await stack.api.http.get(`/v1/replays/${id}`).set(stack.api.auth()).expect(200)).body,
    (replay) => replay.status === 'completed' || replay.status === 'failed',
    { timeoutMs, intervalMs: 100, what: `replay ${id} finished` },
  );
}
