import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { TestStack } from '../support';
import { waitFor } from '../support/wait';

/** Shared by the delivery e2e files: thin HTTP helpers over a TestStack, and signature checks. */

export interface Subscription {
  id: string;
  url: string;
  secret: string;
  status: string;
  disabledReason: string | null;
}

export interface Attempt {
  id: string;
  number: number;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseBody: string | null;
  responseHeaders: Record<string, string> | null;
}

export interface Delivery {
  id: string;
  eventId: string;
  subscriptionId: string;
  status: 'pending' | 'succeeded' | 'failed' | 'dead' | 'cancelled';
  attemptCount: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  attempts: Attempt[];
}

/**
 * Every stack of a test run shares one Postgres but has its own queue prefix, so a stack's sweeper
 * sees another stack's delivery that has been due for longer than SWEEP_INTERVAL_MS (an attempt
 * in flight, a job not yet picked up) as missing from Redis, and sends it again through its own
 * worker. These files' stacks do not sweep (no test here needs the sweeper), and their tests keep
 * attempts in flight well under the 500 ms after which other files' stacks (the kit's default) would.
 */
export const NO_SWEEPER = { SWEEP_INTERVAL_MS: '600000' };

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function tenantPath(stack: TestStack, tenantId = stack.tenantId): string {
  return `/v1/tenants/${tenantId}`;
}

let namespaceCounter = 0;

/**
 * A subscription of the stack's tenant (or `tenantId`) to `<ns>.*`, where `ns` is new to this run:
 * tests of a file share a tenant, and this keeps other tests' events away from this receiver.
 * Publish `ns.<name>`.
 */
export async function subscribe(stack: TestStack, url: string, fields: Record<string, unknown> = {}, tenantId = stack.tenantId): Promise<Subscription & { ns: string }> {
  const ns = `t${process.pid}n${++namespaceCounter}`;
  const response = await stack.api.http
    .post(`${tenantPath(stack, tenantId)}/subscriptions`)
    .set(stack.api.auth())
    .send({ url, eventTypes: [`${ns}.*`], ...fields })
    .expect(201);
  return { ...response.body, ns };
}

export async function getSubscription(stack: TestStack, id: string): Promise<Subscription> {
  return (
    await stack.api.http
      .get(`${tenantPath(stack)}/subscriptions/${id}`)
      .set(stack.api.auth())
      .expect(200)
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

export async function getDelivery(stack: TestStack, id: string): Promise<Delivery> {
  return (
    await stack.api.http
      .get(`${tenantPath(stack)}/deliveries/${id}`)
      .set(stack.api.auth())
      .expect(200)
  ).body;
}

/** The single delivery of an event (for a tenant with one matching subscription). */
export async function deliveryOf(stack: TestStack, eventId: string): Promise<Delivery> {
  const event = (
    await stack.api.http
      .get(`${tenantPath(stack)}/events/${eventId}`)
      .set(stack.api.auth())
      .expect(200)
  ).body;
  expect(event.deliveries).toHaveLength(1);
  return getDelivery(stack, event.deliveries[0].id);
}

/** Polls a delivery every 25 ms until `until` holds; fails with the last state seen. */
export async function waitForDelivery(stack: TestStack, id: string, until: Delivery['status'] | ((d: Delivery) => boolean), timeoutMs = 8_000): Promise<Delivery> {
  const matches = typeof until === 'string' ? (d: Delivery) => d.status === until : until;
  return waitFor(() => getDelivery(stack, id), matches, { timeoutMs, what: `delivery ${id} in the expected state` });
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function signed(headers: IncomingHttpHeaders) {
  return {
    'webhook-id': headers['webhook-id'] as string,
    'webhook-timestamp': headers['webhook-timestamp'] as string,
    'webhook-signature': headers['webhook-signature'] as string,
  };
}

/** True when the official standardwebhooks verifier accepts the request with `secret`. */
export function verifiesWith(secret: string, request: { body: string; headers: IncomingHttpHeaders }): boolean {
  try {
    new Webhook(secret).verify(request.body, signed(request.headers));
    return true;
  } catch {
    return false;
  }
}

/** What a GitHub-style receiver expects in `x-hub-signature-256` for `secret`. */
export function hubSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function header(request: { headers: IncomingHttpHeaders }, name: string): string {
  const value = request.headers[name];
  if (typeof value !== 'string') throw new Error(`header ${name} missing or repeated: ${String(value)}`);
  return value;
}
