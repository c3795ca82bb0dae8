import type { PrismaService } from '@hookline/database';
import { newId } from '@hookline/ids';
import type { TestApi } from '../../../../test/support';

/** Nothing listens there: these tests never deliver, and loopback is allowed by the test config. */
export const RECEIVER_URL = 'http://127.0.0.1:9/hook';

export const subscriptionsOf = (tenantId: string) => `/v1/tenants/${tenantId}/subscriptions`;

export async function createSubscription(api: TestApi, tenantId: string, body: Record<string, unknown> = {}, key?: string) {
  const response = await api.http
    .post(subscriptionsOf(tenantId))
    .set(api.auth(key))
    .send({ url: RECEIVER_URL, ...body })
    .expect(201);
  return response.body as Record<string, unknown> & { id: string; secret?: string; publicKey?: string };
}

/** One event and one delivery per status for the subscription, written straight to the database. */
export async function insertDeliveries(prisma: PrismaService, tenantId: string, subscriptionId: string) {
  const event = await prisma.event.create({ data: { id: newId('evt'), tenantId, type: 'invoice.paid', data: { n: 1 } } });
  const ids: Record<string, string> = {};
  for (const status of ['pending', 'failed', 'succeeded', 'dead'] as const) {
    ids[status] = newId('dlv');
    await prisma.delivery.create({ data: { id: ids[status], tenantId, eventId: event.id, eventType: event.type, subscriptionId, status, nextAttemptAt: new Date() } });
  }
  return ids as Record<'pending' | 'failed' | 'succeeded' | 'dead', string>;
}

export async function deliveryStatuses(prisma: PrismaService, ids: Record<string, string>) {
  const rows = await prisma.delivery.findMany({ where: { id: { in: Object.values(ids) } }, select: { id: true, status: true } });
  return Object.fromEntries(Object.entries(ids).map(([label, id]) => [label, rows.find((row) => row.id === id)?.status]));
}

/** Rows a test's tenant owns, to prove a refused request wrote nothing. */
export async function rowCounts(prisma: PrismaService, tenantId: string) {
  return {
    subscriptions: await prisma.subscription.count({ where: { tenantId } }),
    secrets: await prisma.subscriptionSecret.count({ where: { subscription: { tenantId } } }),
  };
}
