export type Principal =
  | { kind: 'admin' }
  | { kind: 'tenant'; tenantId: string; keyId: string }
  /** A customer portal link's `hkp_` token: one tenant's customer routes only (see PortalAccess). */
  | { kind: 'portal'; tenantId: string; sessionId: string; readOnly: boolean; expiresAt: Date };

/** What rate limits and logs key a caller by: the admin, an API key id or a portal session id. */
export function principalId(principal: Principal): string {
  if (principal.kind === 'admin') return 'admin';
  return principal.kind === 'tenant' ? principal.keyId : principal.sessionId;
}

export const PUBLIC_ROUTE = 'hookline:public';
export const ADMIN_ONLY = 'hookline:admin-only';
export const PORTAL_ACCESS = 'hookline:portal-access';
