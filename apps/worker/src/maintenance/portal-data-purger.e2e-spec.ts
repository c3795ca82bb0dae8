import { PrismaService } from '@hookline/database';
import { newId } from '@hookline/ids';
import type { TestStack } from '../../../../test/support';
import { createTenant, startIsolatedStack } from '../../../../test/support';
import { PortalDataPurger } from './portal-data-purger';

const DAY_MS = 86_400_000;

describe('portal data purger', () => {
  let stack: TestStack;
  let prisma: PrismaService;

  beforeAll(async () => {
    // A database of its own: the purge deletes by age across all tenants.
    stack = await startIsolatedStack({ RETENTION_DAYS: '7' });
    prisma = stack.api.app.get(PrismaService);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('drops stats older than RETENTION_DAYS and sessions a day past expiry or revocation, and nothing else', async () => {
    const tenant = await createTenant(stack.api);
    const minute = (daysAgo: number) => new Date(Math.floor((Date.now() - daysAgo * DAY_MS) / 60_000) * 60_000);
    for (const daysAgo of [8, 6.9]) {
      await prisma.deliveryStatsMinute.create({ data: { tenantId: tenant.id, subscriptionId: 'sub_x', minute: minute(daysAgo), succeeded: 1, latencyCounts: [1] } });
    }
    const session = (label: string, expiresAt: Date, revokedAt: Date | null = null) =>
      prisma.portalSession.create({ data: { id: newId('pts'), tenantId: tenant.id, hash: `${label}-${Date.now()}`, readOnly: false, expiresAt, revokedAt } });
    const stale = await session('stale', new Date(Date.now() - 2 * DAY_MS));
    const lapsed = await session('lapsed', new Date(Date.now() - 60_000));
    const revokedLongAgo = await session('revoked', new Date(Date.now() + DAY_MS), new Date(Date.now() - 2 * DAY_MS));
    const live = await session('live', new Date(Date.now() + DAY_MS));

    await stack.worker.get(PortalDataPurger).tick();

    const minutes = await prisma.deliveryStatsMinute.findMany({ where: { tenantId: tenant.id } });
    expect(minutes.map((m) => m.minute)).toEqual([minute(6.9)]);
    const sessions = await prisma.portalSession.findMany({ where: { tenantId: tenant.id }, orderBy: { id: 'asc' } });
    expect(sessions.map((s) => s.id)).toEqual([lapsed.id, live.id]);
    expect([stale.id, revokedLongAgo.id].some((id) => sessions.some((s) => s.id === id))).toBe(false);
  });
});
