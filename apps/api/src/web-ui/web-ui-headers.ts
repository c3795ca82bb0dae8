import type { AppConfig } from '@hookline/config';

export type BrandingConfig = Pick<AppConfig, 'PORTAL_TITLE' | 'PORTAL_LOGO_URL' | 'PORTAL_ACCENT_COLOR' | 'PORTAL_REFRESH_URL' | 'PORTAL_FRAME_ANCESTORS'>;

/**
 * The pages run no inline script or style and talk only to this origin, so the policy can be
 * strict; the one outside origin allowed is the configured logo's.
 */
export function contentSecurityPolicy(config: BrandingConfig): string {
  const logoOrigin = config.PORTAL_LOGO_URL ? ` ${new URL(config.PORTAL_LOGO_URL).origin}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data:${logoOrigin}`,
    "connect-src 'self'",
    `frame-ancestors ${config.PORTAL_FRAME_ANCESTORS}`,
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

export function securityHeaders(config: BrandingConfig): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(config),
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
  };
}

/** What the pages read from `/portal/config.json` (no inline script can carry it under the CSP). */
export function brandingView(config: BrandingConfig) {
  return {
    title: config.PORTAL_TITLE,
    logoUrl: config.PORTAL_LOGO_URL ?? null,
    accentColor: config.PORTAL_ACCENT_COLOR,
    refreshUrl: config.PORTAL_REFRESH_URL ?? null,
  };
}
