import { Injectable } from '@nestjs/common';
import { GroupCommit } from '@hookline/batching';
import { SqlPool } from '@hookline/database';

export interface ApiKeyRow {
  id: string;
  tenantId: string;
  hash: string;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

const KEYS_BY_HASH_SQL = `
SELECT id, tenant_id AS "tenantId", hash, revoked_at AS "revokedAt", last_used_at AS "lastUsedAt"
FROM api_keys WHERE hash = ANY($1::text[])`;

export interface PortalSessionRow {
  id: string;
  tenantId: string;
  hash: string;
  readOnly: boolean;
  expiresAt: Date;
  revokedAt: Date | null;
}

const PORTAL_SESSIONS_BY_HASH_SQL = `
SELECT id, tenant_id AS "tenantId", hash, read_only AS "readOnly", expires_at AS "expiresAt", revoked_at AS "revokedAt"
FROM portal_sessions WHERE hash = ANY($1::text[])`;

const EXISTING_TENANTS_SQL = `SELECT id FROM tenants WHERE id = ANY($1::text[])`;

/**
 * The reads every authenticated request makes (its key or portal session by hash; for the admin key, whether the
 * tenant in the path exists), batched across concurrent requests by group commit: one query serves
 * every request that arrived while the previous one ran. Nothing is cached here: ApiKeysService keeps
 * live keys in ApiKeyCache, which revocation clears everywhere; portal sessions and tenants are read each time.
 */
@Injectable()
export class PrincipalLookups {
  private readonly keys = new GroupCommit<string, ApiKeyRow | null>(async (hashes) => {
    const rows = await this.sql.rows<ApiKeyRow>(KEYS_BY_HASH_SQL, [[...new Set(hashes)]]);
    const byHash = new Map(rows.map((row) => [row.hash, row]));
    return hashes.map((hash) => byHash.get(hash) ?? null);
  });

  private readonly portalSessions = new GroupCommit<string, PortalSessionRow | null>(async (hashes) => {
    const rows = await this.sql.rows<PortalSessionRow>(PORTAL_SESSIONS_BY_HASH_SQL, [[...new Set(hashes)]]);
    const byHash = new Map(rows.map((row) => [row.hash, row]));
    return hashes.map((hash) => byHash.get(hash) ?? null);
  });

  private readonly tenants = new GroupCommit<string, boolean>(async (ids) => {
    const rows = await this.sql.rows<{ id: string }>(EXISTING_TENANTS_SQL, [[...new Set(ids)]]);
    const existing = new Set(rows.map((row) => row.id));
    return ids.map((id) => existing.has(id));
  });

  constructor(private readonly sql: SqlPool) {}

  keyByHash(hash: string): Promise<ApiKeyRow | null> {
    return this.keys.submit(hash);
  }

  portalSessionByHash(hash: string): Promise<PortalSessionRow | null> {
    return this.portalSessions.submit(hash);
  }

  tenantExists(tenantId: string): Promise<boolean> {
    return this.tenants.submit(tenantId);
  }
}
