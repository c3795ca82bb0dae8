import { Injectable } from '@nestjs/common';
import { DisabledReason, Prisma, PrismaService, SubscriptionStatus } from '@hookline/database';
import { ProblemException } from '@hookline/http-problem';
import { newId } from '@hookline/ids';
import { Page, toPage } from '@hookline/pagination';
import { EndpointPolicy } from './endpoint-policy.service';
import { newSigningSecret, RevealedSecret, revealSigningSecret, SignatureSchemeName } from './signing-material';
import { SubscriptionChanges } from './subscription-changes.service';
import { assertSecretFitsScheme, SubscriptionSecretsService } from './subscription-secrets.service';
import { SubscriptionView, subscriptionView } from './subscription.view';

export interface SubscriptionFields {
  url: string;
  /** Names or `prefix.*` wildcards; empty means every type. */
  eventTypes?: string[];
  description?: string | null;
  headers?: Record<string, string>;
  rateLimitPerSecond?: number | null;
  metadata?: Record<string, unknown> | null;
}

export interface SubscriptionCreateInput extends SubscriptionFields {
  secret?: string;
  signatureScheme?: SignatureSchemeName;
}

export type SubscriptionUpdateInput = Partial<SubscriptionFields>;

export interface SubscriptionListQuery {
  limit: number;
  cursor?: string;
  status?: SubscriptionStatus;
}

type Tx = Prisma.TransactionClient;

/** Subscriptions of one tenant. Every query is scoped by tenant and skips soft-deleted rows. */
@Injectable()
export class SubscriptionsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly secrets: SubscriptionSecretsService,
    private readonly endpoints: EndpointPolicy,
    private readonly changes: SubscriptionChanges,
  ) {}

  async create(tenantId: string, input: SubscriptionCreateInput): Promise<SubscriptionView & RevealedSecret> {
    const scheme = input.signatureScheme ?? 'v1';
    assertSecretFitsScheme(scheme, input.secret);
    await this.endpoints.assertAllowed(input.url);
    const secret = newSigningSecret(scheme, input.secret);
    const id = newId('sub');
    const row = await this.prisma.$transaction(async (tx) => {
      const created = await tx.subscription.create({
        data: {
          id,
          tenantId,
          url: input.url,
          description: input.description ?? null,
          eventTypes: input.eventTypes ?? [],
          headers: input.headers ?? {},
          rateLimitPerSecond: input.rateLimitPerSecond ?? null,
          metadata: jsonOrDbNull(input.metadata ?? null),
          signatureScheme: scheme,
        },
      });
      await tx.subscriptionSecret.create({ data: { id: newId('sec'), subscriptionId: id, ciphertext: this.secrets.seal(secret) } });
      return created;
    });
    return { ...subscriptionView(row), ...revealSigningSecret(secret) };
  }

  async list(tenantId: string, query: SubscriptionListQuery): Promise<Page<SubscriptionView>> {
    const rows = await this.prisma.subscription.findMany({
      where: { tenantId, deletedAt: null, ...(query.status ? { status: query.status } : {}), ...(query.cursor ? { id: { lt: query.cursor } } : {}) },
      orderBy: { id: 'desc' },
      take: query.limit + 1,
    });
    return toPage(rows, query.limit, subscriptionView);
  }

  /** Every tenant's subscriptions (operators), newest first, e.g. the disabled ones with their reason. */
  async listAll(query: SubscriptionListQuery & { tenantId?: string; disabledReason?: DisabledReason }): Promise<Page<SubscriptionView>> {
    const rows = await this.prisma.subscription.findMany({
      where: {
        deletedAt: null,
        ...(query.tenantId ? { tenantId: query.tenantId } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.disabledReason ? { disabledReason: query.disabledReason } : {}),
        ...(query.cursor ? { id: { lt: query.cursor } } : {}),
      },
      orderBy: { id: 'desc' },
      take: query.limit + 1,
    });
    return toPage(rows, query.limit, subscriptionView);
  }

  async get(tenantId: string, id: string): Promise<SubscriptionView> {
    const row = await this.prisma.subscription.findFirst({ where: { id, tenantId, deletedAt: null } });
    if (!row) throw ProblemException.notFound('Subscription');
    return subscriptionView(row);
  }

  async update(tenantId: string, id: string, input: SubscriptionUpdateInput): Promise<SubscriptionView> {
    if (input.url !== undefined) await this.endpoints.assertAllowed(input.url);
    const { count } = await this.prisma.subscription.updateMany({
      where: { id, tenantId, deletedAt: null },
      data: {
        url: input.url,
        description: input.description,
        eventTypes: input.eventTypes,
        headers: input.headers,
        rateLimitPerSecond: input.rateLimitPerSecond,
        metadata: input.metadata === undefined ? undefined : jsonOrDbNull(input.metadata),
      },
    });
    if (count === 0) throw ProblemException.notFound('Subscription');
    this.changes.announce(id);
    return this.get(tenantId, id);
  }

  enable(tenantId: string, id: string): Promise<SubscriptionView> {
    return this.changeState(tenantId, id, { status: 'active', disabledReason: null, disabledAt: null });
  }

  /** Disabled by hand; its pending and retrying deliveries are cancelled with it (docs/contract.md#delivery-semantics). */
  disable(tenantId: string, id: string): Promise<SubscriptionView> {
    return this.changeState(tenantId, id, { status: 'disabled', disabledReason: 'manual', disabledAt: new Date() }, { cancelDeliveries: true });
  }

  /**
   * Disabled by the worker from what the endpoint answers (`gone` on 410, `failing` after days of
   * failures), across tenants; a no-op for one already disabled or deleted. True when it changed.
   */
  async disableUnhealthy(id: string, reason: 'gone' | 'failing'): Promise<boolean> {
    const changed = await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.subscription.updateMany({
        where: { id, status: 'active', deletedAt: null },
        data: { status: 'disabled', disabledReason: reason, disabledAt: new Date() },
      });
      if (count === 1) await cancelOpenDeliveries(tx, id);
      return count === 1;
    });
    if (changed) this.changes.announce(id);
    return changed;
  }

  /** Soft delete: attempts stay for history; open deliveries are cancelled; the id is 404 from now on. */
  async remove(tenantId: string, id: string): Promise<void> {
    await this.changeState(tenantId, id, { deletedAt: new Date() }, { cancelDeliveries: true });
  }

  private async changeState(tenantId: string, id: string, data: Prisma.SubscriptionUpdateManyMutationInput, { cancelDeliveries = false } = {}): Promise<SubscriptionView> {
    const row = await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.subscription.updateMany({ where: { id, tenantId, deletedAt: null }, data });
      if (count === 0) throw ProblemException.notFound('Subscription');
      if (cancelDeliveries) await cancelOpenDeliveries(tx, id);
      return tx.subscription.findUniqueOrThrow({ where: { id } });
    });
    this.changes.announce(id);
    return subscriptionView(row);
  }
}

/**
 * A delivery a worker has claimed (its attempt in flight) is left to finish: the worker cancels it
 * when it records the attempt, unless it succeeded. Rows are locked in id order, as workers claim
 * them, so the two never deadlock.
 */
async function cancelOpenDeliveries(tx: Tx, subscriptionId: string): Promise<void> {
  await tx.$executeRaw`
    UPDATE deliveries d SET status = 'cancelled', next_attempt_at = NULL, updated_at = now()
    FROM (
      SELECT id FROM deliveries
      WHERE subscription_id = ${subscriptionId} AND status IN ('pending', 'failed') AND (in_flight_until IS NULL OR in_flight_until <= now())
      ORDER BY id
      FOR UPDATE
    ) open
    WHERE d.id = open.id AND d.status IN ('pending', 'failed') AND (d.in_flight_until IS NULL OR d.in_flight_until <= now())`;
}

function jsonOrDbNull(value: Record<string, unknown> | null): Prisma.InputJsonValue | typeof Prisma.DbNull {
  return value === null ? Prisma.DbNull : (value as Prisma.InputJsonValue);
}
