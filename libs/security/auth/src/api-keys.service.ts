import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { Prisma, PrismaService } from '@hookline/database';
import { ProblemException } from '@hookline/http-problem';
import { newId } from '@hookline/ids';
import { Page, toPage } from '@hookline/pagination';
import { ChangeAnnouncer } from '@hookline/queue';
import { generateApiKey, hashApiKey, PORTAL_TOKEN_PREFIX, sameHash } from './api-key.crypto';
import { ApiKeyCache, CachedApiKey } from './api-key-cache';
import { Principal } from './principal';
import { PrincipalLookups } from './principal-lookups';

/** `lastUsedAt` is refreshed at most this often, so authentication is not a write on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiKeyView {
  id: string;
  name: string | null;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** The one response that carries the key itself. */
export interface CreatedApiKey {
  id: string;
  key: string;
  prefix: string;
  name: string | null;
  createdAt: Date;
}

@Injectable()
export class ApiKeysService {
  private readonly adminKeyHash: string;

  constructor(
    private readonly prisma: PrismaService,
    private readonly lookups: PrincipalLookups,
    private readonly cache: ApiKeyCache,
    private readonly announcer: ChangeAnnouncer,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.adminKeyHash = hashApiKey(config.ADMIN_API_KEY);
  }

  /**
   * Resolves a bearer token (API key or portal token); null when it is unknown, revoked or expired.
   * A live API key comes from ApiKeyCache when it holds it (revocation reaches every process's cache
   * at once); portal tokens are looked up every time.
   */
  async authenticate(token: string): Promise<Principal | null> {
    const hash = hashApiKey(token);
    if (sameHash(hash, this.adminKeyHash)) return { kind: 'admin' };
    if (token.startsWith(PORTAL_TOKEN_PREFIX)) return this.authenticatePortal(hash);
    const key = this.cache.get(hash) ?? (await this.lookUpKey(hash));
    if (!key) return null;
    if (key.lastUsedAt === null || Date.now() - key.lastUsedAt >= LAST_USED_RESOLUTION_MS) {
      // Set first, so the requests that arrive during the write do not write too.
      key.lastUsedAt = Date.now();
      await this.prisma.apiKey.updateMany({ where: { id: key.keyId }, data: { lastUsedAt: new Date(key.lastUsedAt) } });
    }
    return { kind: 'tenant', tenantId: key.tenantId, keyId: key.keyId };
  }

  private async lookUpKey(hash: string): Promise<CachedApiKey | null> {
    const ticket = this.cache.ticket();
    const row = await this.lookups.keyByHash(hash);
    if (!row || row.revokedAt || !sameHash(row.hash, hash)) return null;
    const key = { keyId: row.id, tenantId: row.tenantId, lastUsedAt: row.lastUsedAt?.getTime() ?? null };
    this.cache.set(hash, ticket, key);
    return key;
  }

  private async authenticatePortal(hash: string): Promise<Principal | null> {
    const session = await this.lookups.portalSessionByHash(hash);
    if (!session || session.revokedAt || session.expiresAt.getTime() <= Date.now() || !sameHash(session.hash, hash)) return null;
    return { kind: 'portal', tenantId: session.tenantId, sessionId: session.id, readOnly: session.readOnly, expiresAt: session.expiresAt };
  }

  async create(tenantId: string, name?: string): Promise<CreatedApiKey> {
    const { key, prefix, hash } = generateApiKey();
    try {
      const row = await this.prisma.apiKey.create({ data: { id: newId('key'), tenantId, name: name ?? null, prefix, hash } });
      return { id: row.id, key, prefix, name: row.name, createdAt: row.createdAt };
    } catch (error) {
      // The tenant was deleted between the guard's check and this insert.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2003') throw ProblemException.notFound('Tenant');
      throw error;
    }
  }

  /** Live keys only, newest first; never the key or its hash. */
  async list(tenantId: string, limit: number, cursor?: string): Promise<Page<ApiKeyView>> {
    const rows = await this.prisma.apiKey.findMany({
      where: { tenantId, revokedAt: null, ...(cursor ? { id: { lt: cursor } } : {}) },
      orderBy: { id: 'desc' },
      take: limit + 1,
      select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true },
    });
    return toPage(rows, limit);
  }

  /** 404 when the key is unknown, another tenant's, or already revoked. */
  async revoke(tenantId: string, keyId: string): Promise<void> {
    const { count } = await this.prisma.apiKey.updateMany({
      where: { id: keyId, tenantId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (count === 0) throw ProblemException.notFound('Api key');
    await this.announcer.announce(this.cache, tenantId);
  }
}
