export type Principal = { kind: 'admin' } | { kind: 'tenant'; tenantId: string; keyId: string };

export const PUBLIC_ROUTE = 'hookline:public';
export const ADMIN_ONLY = 'hookline:admin-only';
