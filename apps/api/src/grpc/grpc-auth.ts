import { Metadata, status } from '@grpc/grpc-js';
import { Injectable } from '@nestjs/common';
import { ApiKeysService, Principal, PrincipalLookups } from '@hookline/auth';
import { unsafeStringReason } from '@hookline/input-safety';
import { GrpcError } from './grpc-errors';

/**
 * The REST auth rules (docs/contract.md#the-rest-api) for gRPC calls, as ApiKeyGuard applies them to REST: metadata
 * `authorization: Bearer <key>`; a missing or unknown key is UNAUTHENTICATED; a tenant key naming
 * another tenant, or the admin key naming a tenant that does not exist, is NOT_FOUND.
 */
@Injectable()
export class GrpcAuth {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly lookups: PrincipalLookups,
  ) {}

  async authenticate(metadata: Metadata): Promise<Principal> {
    const [header] = metadata.get('authorization');
    const value = typeof header === 'string' ? header : '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
    if (!match) {
      throw new GrpcError(status.UNAUTHENTICATED, value ? 'authorization must be "Bearer <key>"' : 'Missing metadata authorization: Bearer <key>');
    }
    const principal = await this.apiKeys.authenticate(match[1]);
    if (!principal) throw new GrpcError(status.UNAUTHENTICATED, 'Unknown or revoked API key');
    // Every gRPC call publishes or watches on behalf of a producer, which a portal link may not do.
    if (principal.kind === 'portal') throw new GrpcError(status.PERMISSION_DENIED, 'A portal token cannot use the gRPC API; it needs an API key');
    return principal;
  }

  async assertTenantVisible(principal: Principal, tenantId: string): Promise<void> {
    if (!tenantId) throw GrpcError.invalid('tenant_id', 'is required');
    const unsafe = unsafeStringReason(tenantId);
    if (unsafe) throw GrpcError.invalid('tenant_id', unsafe);
    const visible = principal.kind === 'admin' ? await this.lookups.tenantExists(tenantId) : principal.tenantId === tenantId;
    if (!visible) throw new GrpcError(status.NOT_FOUND, 'Tenant not found');
  }

  /** For a call that names many tenants: each is checked once per call. */
  tenantChecker(principal: Principal): (tenantId: string) => Promise<void> {
    const checked = new Map<string, Promise<void>>();
    return (tenantId) => {
      let check = checked.get(tenantId);
      if (!check) {
        check = this.assertTenantVisible(principal, tenantId);
        checked.set(tenantId, check);
        check.catch(() => undefined);
      }
      return check;
    };
  }
}
