// The signed-in key: in sessionStorage only (this tab, until it closes or signs out),
// never in localStorage, a cookie or a URL. GraphiQL's bootstrap reads the same item.
export const KEY_ITEM = "graph-crm.key";

export function signedInKey() {
  return window.sessionStorage.getItem(KEY_ITEM);
}

export function signIn(key) {
  window.sessionStorage.setItem(KEY_ITEM, key);
}

export function signOut() {
  window.sessionStorage.removeItem(KEY_ITEM);
}
