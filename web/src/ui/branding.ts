import type { Branding } from '../api/models';

const FALLBACK: Branding = { title: 'Webhooks', logoUrl: null, accentColor: '#4f46e5', refreshUrl: null };

/** Branding from the server's config (no inline script may carry it under the CSP). */
export async function loadBranding(): Promise<Branding> {
  try {
    const response = await fetch('/portal/config.json', { headers: { Accept: 'application/json' } });
    const branding = response.ok ? ((await response.json()) as Branding) : FALLBACK;
    applyAccent(branding.accentColor);
    return branding;
  } catch {
    return FALLBACK;
  }
}

function applyAccent(color: string) {
  if (!/^#[0-9a-fA-F]{6}$/.test(color)) return;
  const root = document.documentElement.style;
  root.setProperty('--accent', color);
  // Text on the accent: dark on light colours, white otherwise (relative luminance).
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  root.setProperty('--accent-contrast', 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 ? '#1a1f36' : '#ffffff');
}
