/**
 * The credentials the dashboard holds: kept in session storage (gone when the tab closes),
 * never in local storage, never logged, never put in a URL.
 */
const KEY = 'caravan.key';
const PORTAL = 'caravan.portal-token';

export type Credential = { kind: 'key'; value: string } | { kind: 'portal'; value: string };

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY),
  setKey: (value: string) => sessionStorage.setItem(KEY, value.trim()),
  portalToken: (): string | null => sessionStorage.getItem(PORTAL),
  setPortalToken: (value: string) => sessionStorage.setItem(PORTAL, value.trim()),
  clear: () => {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(PORTAL);
  },
};
