import { PrismaService } from '@hookline/database';
import { SubscriptionSecretsService } from '@hookline/subscriptions';
import type { TestApi } from '../../../../test/support';
import { createTenant, startTestApi } from '../../../../test/support';
import { createSubscription, subscriptionsOf } from './subscription-test-helpers';

const DAY_MS = 86_400_000;

describe('subscription secrets', () => {
  let api: TestApi;
  let prisma: PrismaService;
  let secrets: SubscriptionSecretsService;
  beforeAll(async () => {
    api = await startTestApi();
    prisma = api.app.get(PrismaService);
    secrets = api.app.get(SubscriptionSecretsService);
  });
  afterAll(() => api.close());

  async function subscription() {
    const tenant = await createTenant(api);
    const sub = await createSubscription(api, tenant.id);
    const path = `${subscriptionsOf(tenant.id)}/${sub.id}`;
    const rotate = async (body?: Record<string, unknown>) => {
      const request = api.http.post(`${path}/rotate-secret`).set(api.auth());
      const response = await (body ? request.send(body) : request).expect(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(Object.keys(response.body)).toEqual(['secret']);
      return response.body.secret as string;
    };
    const shown = async () => (await api.http.get(`${path}/secret`).set(api.auth()).expect(200)).body.secret as string;
    const expiries = async () =>
      (await prisma.subscriptionSecret.findMany({ where: { subscriptionId: sub.id }, orderBy: { createdAt: 'asc' }, select: { expiresAt: true } })).map(
        (row) => row.expiresAt?.getTime() ?? null,
      );
    return { sub, first: sub.secret!, path, rotate, shown, expiries };
  }

  it('rotates to a generated secret that signs from now on, keeping the old one live for a day by default', async () => {
    const { sub, first, rotate, shown, expiries } = await subscription();
    const before = Date.now();
    const second = await rotate();
    const after = Date.now();

    expect(second).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(second).not.toBe(first);
    expect(await shown()).toBe(second);
    expect(await secrets.liveSigningSecrets(sub.id)).toEqual([second, first]);
    const [oldExpiry, newExpiry] = await expiries();
    expect(oldExpiry).toBeGreaterThanOrEqual(before + DAY_MS);
    expect(oldExpiry).toBeLessThanOrEqual(after + DAY_MS);
    expect(newExpiry).toBeNull();
  });

  it('rotates to a caller-chosen secret, and a zero grace retires the old one at once', async () => {
    const { sub, rotate, shown } = await subscription();
    const chosen = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
    expect(await rotate({ secret: chosen, graceSeconds: 0 })).toBe(chosen);
    expect(await shown()).toBe(chosen);
    expect(await secrets.liveSigningSecrets(sub.id)).toEqual([chosen]);
  });

  it('never extends an older grace: every older live secret ends at min(its end, now + grace)', async () => {
    const { sub, first, rotate, expiries } = await subscription();
    const second = await rotate({ graceSeconds: 60 });
    const third = await rotate({ graceSeconds: 7 * 86_400 });
    const [firstEnds, secondEnds, thirdEnds] = await expiries();
    expect(firstEnds).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(secondEnds).toBeGreaterThan(Date.now() + 7 * DAY_MS - 60_000);
    expect(thirdEnds).toBeNull();
    expect(await secrets.liveSigningSecrets(sub.id)).toEqual([third, second, first]);

    const fourth = await rotate({ graceSeconds: 3600 });
    const ends = await expiries();
    expect(ends[0]).toBe(firstEnds);
    expect(ends[1]).toBeLessThanOrEqual(Date.now() + 3_600_000);
    expect(ends[1]).toBeGreaterThan(Date.now() + 3_600_000 - 60_000);
    expect(ends[2]).toBe(ends[1]);
    expect(ends[3]).toBeNull();
    expect(await secrets.liveSigningSecrets(sub.id)).toEqual([fourth, third, second, first]);

    await prisma.subscriptionSecret.updateMany({ where: { subscriptionId: sub.id, expiresAt: { not: null } }, data: { expiresAt: new Date(Date.now() - 1) } });
    expect(await secrets.liveSigningSecrets(sub.id)).toEqual([fourth]);
  });

  it('keeps the newest secret current even when rotations arrive together', async () => {
    const { sub, rotate, shown } = await subscription();
    const rotated = await Promise.all(Array.from({ length: 5 }, () => rotate({ graceSeconds: 600 })));
    const live = await secrets.liveSigningSecrets(sub.id);
    expect(live).toHaveLength(6);
    expect(new Set(live.slice(0, 5))).toEqual(new Set(rotated));
    expect(await shown()).toBe(live[0]);
    expect(await prisma.subscriptionSecret.count({ where: { subscriptionId: sub.id, expiresAt: null } })).toBe(1);
  });

  it('stores secrets encrypted: neither the secret nor its key bytes appear in the row', async () => {
    const { sub, first, rotate } = await subscription();
    const second = await rotate({ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
    const rows = await prisma.$queryRaw<Record<string, unknown>[]>`SELECT * FROM subscription_secrets WHERE subscription_id = ${sub.id}`;
    expect(rows).toHaveLength(2);
    const raw = JSON.stringify(rows);
    for (const secret of [first, second]) {
      const base64 = secret.slice('whsec_'.length);
      const bytes = Buffer.from(base64, 'base64');
      for (const form of [secret, base64, base64.replace(/=+$/, ''), bytes.toString('base64url'), bytes.toString('hex')]) {
        expect(raw).not.toContain(form);
      }
    }
    expect(raw).not.toContain('whsec_');
  });
});
