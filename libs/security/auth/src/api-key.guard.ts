import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ProblemException } from '@hookline/http-problem';
import { unsafeStringReason } from '@hookline/input-safety';
import { ApiKeysService } from './api-keys.service';
import { PORTAL_TOKEN_PREFIX } from './api-key.crypto';
import { ADMIN_ONLY, Principal, PORTAL_ACCESS, PUBLIC_ROUTE } from './principal';
import { PrincipalLookups } from './principal-lookups';

/**
 * The one place that enforces docs/contract.md#the-rest-api auth: 401 without a valid key, 403 for a tenant key
 * on an admin route, and 404 for any `:tenantId` route that is not the caller's own tenant (or,
 * for the admin, a tenant that does not exist), so no handler can forget tenant scoping. A portal
 * token answers as a tenant key would, and then gets 403 on any route not marked PortalAccess and,
 * when read-only, on every write.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
    private readonly lookups: PrincipalLookups,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();

    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw unauthorized(header ? 'Authorization must be "Bearer <key>"' : 'Missing Authorization: Bearer <key>');
    const principal = await this.apiKeys.authenticate(match[1]);
    if (!principal) {
      throw unauthorized(match[1].startsWith(PORTAL_TOKEN_PREFIX) ? 'Unknown, expired or revoked portal token' : 'Unknown or revoked API key');
    }
    request.principal = principal;

    if (this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets) && principal.kind !== 'admin') {
      throw new ProblemException(403, 'This route needs the admin API key');
    }
    const tenantId = (request.params as Record<string, string> | undefined)?.tenantId;
    if (tenantId !== undefined) {
      // An id Postgres could not even compare (NUL, lone surrogate) names no tenant.
      if (unsafeStringReason(tenantId)) throw ProblemException.notFound('Tenant');
      const visible = principal.kind === 'admin' ? await this.lookups.tenantExists(tenantId) : principal.tenantId === tenantId;
      if (!visible) throw ProblemException.notFound('Tenant');
    }
    if (principal.kind === 'portal') {
      if (!this.reflector.getAllAndOverride<boolean>(PORTAL_ACCESS, targets)) {
        throw new ProblemException(403, 'A portal token cannot use this route; it needs an API key');
      }
      if (principal.readOnly && !READ_METHODS.has(request.method)) {
        throw new ProblemException(403, 'This portal link is read-only');
      }
    }
    return true;
  }
}

const READ_METHODS = new Set(['GET', 'HEAD']);

function unauthorized(detail: string) {
  return new ProblemException(401, detail, undefined, undefined, { 'WWW-Authenticate': 'Bearer' });
}
