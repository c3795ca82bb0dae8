import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ADMIN_ONLY, Principal, PUBLIC_ROUTE } from './principal';

/** No bearer token needed (health, docs). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** The admin key only; a tenant key gets 403. */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => context.switchToHttp().getRequest().principal,
);
