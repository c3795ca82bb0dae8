import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { PrismaService } from '@hookline/database';
import { SecretKeyring } from '@hookline/secrets';

export const REENCRYPTION_BATCH_SIZE = 500;

export interface ReencryptionProgress {
  /** Secrets not under the current key when the run started. */
  total: number;
  /** Of those, how many this run has looked at so far. */
  done: number;
}

export interface ReencryptionSummary {
  /** Every stored secret, whatever its key. */
  stored: number;
  /** Under the current key before this run: left alone (a re-run resumes where the last stopped). */
  alreadyCurrent: number;
  reencrypted: number;
  /** Changed by someone else between read and write (none today: ciphertexts are never rewritten in place); re-run to pick them up. */
  changedMeanwhile: number;
  /** Ids of secrets that open under neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS: left as they are. */
  unreadable: string[];
}

/**
 * Moves every stored signing secret (subscription_secrets.ciphertext, the only encrypted column)
 * under the current SECRETS_KEY, so SECRETS_KEY_PREVIOUS can be dropped. Safe while the API and
 * workers run: batches in id order, each one UPDATE that rewrites a row only if its ciphertext is
 * still the one read, and both keys open either ciphertext meanwhile.
 */
@Injectable()
export class SecretsReencryptionService {
  private readonly keyring: SecretKeyring;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.keyring = new SecretKeyring(config.SECRETS_KEY, config.SECRETS_KEY_PREVIOUS);
  }

  async reencryptAll(onProgress: (progress: ReencryptionProgress) => void = () => undefined, batchSize = REENCRYPTION_BATCH_SIZE): Promise<ReencryptionSummary> {
    const current = this.keyring.currentPrefix;
    const [counts] = await this.prisma.$queryRaw<{ stored: number; stale: number }[]>`
      SELECT count(*)::int AS stored, (count(*) FILTER (WHERE NOT starts_with(ciphertext, ${current})))::int AS stale
      FROM subscription_secrets`;
    const summary: ReencryptionSummary = { stored: counts.stored, alreadyCurrent: counts.stored - counts.stale, reencrypted: 0, changedMeanwhile: 0, unreadable: [] };
    const progress = { total: counts.stale, done: 0 };
    onProgress(progress);

    for (let after = ''; ;) {
      const rows = await this.prisma.$queryRaw<{ id: string; ciphertext: string }[]>`
        SELECT id, ciphertext FROM subscription_secrets
        WHERE id > ${after} AND NOT starts_with(ciphertext, ${current})
        ORDER BY id LIMIT ${batchSize}`;
      if (rows.length === 0) break;
      after = rows[rows.length - 1].id;

      const ids: string[] = [];
      const before: string[] = [];
      const resealed: string[] = [];
      for (const row of rows) {
        try {
          resealed.push(this.keyring.seal(this.keyring.open(row.ciphertext)));
          ids.push(row.id);
          before.push(row.ciphertext);
        } catch {
          summary.unreadable.push(row.id);
        }
      }
      if (ids.length > 0) {
        const updated = await this.prisma.$executeRaw`
          UPDATE subscription_secrets s SET ciphertext = u.resealed
          FROM unnest(${ids}::text[], ${before}::text[], ${resealed}::text[]) AS u(id, before, resealed)
          WHERE s.id = u.id AND s.ciphertext = u.before`;
        summary.reencrypted += updated;
        summary.changedMeanwhile += ids.length - updated;
      }
      progress.done = Math.min(progress.total, progress.done + rows.length);
      onProgress(progress);
    }
    return summary;
  }
}
