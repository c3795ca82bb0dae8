const STORAGE_KEY = 'hookline.portal.token';

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
    return fromLink;
  }
  return sessionStorage.getItem(STORAGE_KEY);
}

export function forgetPortalToken() {
  sessionStorage.removeItem(STORAGE_KEY);
}
