import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { PrismaService } from '@hookline/database';
import { ProblemException } from '@hookline/http-problem';
import { newId } from '@hookline/ids';
import { SecretKeyring } from '@hookline/secrets';
import { newSigningSecret, RevealedSecret, revealSigningSecret, SignatureSchemeName } from './signing-material';
import { SubscriptionChanges } from './subscription-changes.service';

export const DEFAULT_ROTATION_GRACE_SECONDS = 86_400;

export interface RotateSecretInput {
  /** A caller-chosen `whsec_` secret (v1 only); generated when absent. */
  secret?: string;
  graceSeconds?: number;
}

/**
 * Signing secrets of subscriptions, encrypted at rest under SECRETS_KEY (SECRETS_KEY_PREVIOUS
 * still opens what older keys sealed). The newest row is the
 * current secret (`expiresAt` null); older rows keep signing until their `expiresAt`.
 */
@Injectable()
export class SubscriptionSecretsService {
  private readonly keyring: SecretKeyring;

  constructor(
    private readonly prisma: PrismaService,
    private readonly changes: SubscriptionChanges,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.keyring = new SecretKeyring(config.SECRETS_KEY, config.SECRETS_KEY_PREVIOUS);
  }

  /**
   * Every secret that signs right now, decrypted, newest (current) first: `whsec_…` for v1 or
   * `whsk_…` (Ed25519 seed) for v1a. The delivery worker signs each request with all of them.
   */
  async liveSigningSecrets(subscriptionId: string): Promise<string[]> {
    const rows = await this.prisma.subscriptionSecret.findMany({
      where: { subscriptionId, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      select: { ciphertext: true },
    });
    return rows.map((row) => this.open(row.ciphertext));
  }

  seal(secret: string): string {
    return this.keyring.seal(secret);
  }

  /** The current secret of a live subscription, or for v1a its public key. */
  async reveal(tenantId: string, subscriptionId: string): Promise<RevealedSecret> {
    const row = await this.prisma.subscriptionSecret.findFirst({
      where: { subscriptionId, subscription: { tenantId, deletedAt: null } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      select: { ciphertext: true },
    });
    if (!row) throw ProblemException.notFound('Subscription');
    return revealSigningSecret(this.open(row.ciphertext));
  }

  /**
   * Makes a new secret current and cuts every older live one to at most `graceSeconds` more life.
   * The subscription row is locked, so concurrent rotations apply one after the other.
   */
  async rotate(tenantId: string, subscriptionId: string, input: RotateSecretInput): Promise<RevealedSecret> {
    const graceSeconds = input.graceSeconds ?? DEFAULT_ROTATION_GRACE_SECONDS;
    const revealed = await this.prisma.$transaction(async (tx) => {
      const [subscription] = await tx.$queryRaw<{ signature_scheme: SignatureSchemeName }[]>`
        SELECT signature_scheme FROM subscriptions
        WHERE id = ${subscriptionId} AND tenant_id = ${tenantId} AND deleted_at IS NULL
        FOR UPDATE`;
      if (!subscription) throw ProblemException.notFound('Subscription');
      const scheme = subscription.signature_scheme;
      assertSecretFitsScheme(scheme, input.secret);

      const now = new Date();
      const graceEnds = new Date(now.getTime() + graceSeconds * 1000);
      const newest = await tx.subscriptionSecret.findFirst({ where: { subscriptionId }, orderBy: { createdAt: 'desc' }, select: { createdAt: true } });
      // Readers take the newest row as current, so the new one must sort first even if clocks disagree.
      const createdAt = newest && newest.createdAt >= now ? new Date(newest.createdAt.getTime() + 1) : now;

      await tx.subscriptionSecret.updateMany({ where: { subscriptionId, expiresAt: null }, data: { expiresAt: graceEnds } });
      await tx.subscriptionSecret.updateMany({ where: { subscriptionId, expiresAt: { gt: graceEnds } }, data: { expiresAt: graceEnds } });
      const secret = newSigningSecret(scheme, input.secret);
      await tx.subscriptionSecret.create({ data: { id: newId('sec'), subscriptionId, ciphertext: this.seal(secret), createdAt } });
      return revealSigningSecret(secret);
    });
    this.changes.announce(subscriptionId);
    return revealed;
  }

  private open(ciphertext: string): string {
    return this.keyring.open(ciphertext);
  }
}

/** A v1a key pair is always generated: a caller-chosen `whsec_` secret cannot be an Ed25519 key. */
export function assertSecretFitsScheme(scheme: SignatureSchemeName, secret: string | undefined): void {
  if (scheme === 'v1a' && secret !== undefined) {
    throw ProblemException.invalid('secret', 'cannot be given for a v1a subscription: its Ed25519 key pair is generated');
  }
}
