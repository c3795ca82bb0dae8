import type { ExecutionContext } from '@nestjs/common';
import { createParamDecorator, SetMetadata } from '@nestjs/common';
import type { Principal } from './principal';
import { ADMIN_ONLY, PORTAL_ACCESS, PUBLIC_ROUTE } from './principal';

/** No bearer token needed (health, docs). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** The admin key only; a tenant key gets 403. */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);

/**
 * A route a customer portal token may use (on a controller: all its routes). Every other route
 * answers a portal token with 403, so a new route is closed to portal links until it opts in.
 */
export const PortalAccess = () => SetMetadata(PORTAL_ACCESS, true);

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => context.switchToHttp().getRequest().principal);
