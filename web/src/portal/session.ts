const STORAGE_KEY = 'hookline.portal.token';
/** Set when the session ended, so a reload says so again instead of asking for a link. */
const ENDED_KEY = 'hookline.portal.ended';

/**
 * The portal token arrives in the link's fragment (`#token=hkp_…`), which no server sees. Take it
 * out of the address bar at once (so it is not bookmarked, shared or left in history) and keep it
 * for this tab only: sessionStorage, never a cookie.
 */
export function takePortalToken(): string | null {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const fromLink = fragment.get('token');
  if (fromLink) {
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    sessionStorage.setItem(STORAGE_KEY, fromLink);
    sessionStorage.removeItem(ENDED_KEY);
    return fromLink;
  }
  return sessionStorage.getItem(STORAGE_KEY);
}

export function forgetPortalToken() {
  sessionStorage.removeItem(STORAGE_KEY);
  sessionStorage.setItem(ENDED_KEY, '1');
}

export function portalSessionEnded(): boolean {
  return sessionStorage.getItem(ENDED_KEY) === '1';
}
