// The Explore page's state lives in the URL fragment (#/explore?type=Customer&where=...), so
// a view can be bookmarked and shared. Nothing secret goes in: the key stays in the session.
let pendingFocus = null;

/** The fragment's parameters as a plain object of strings. */
export function readState() {
  const query = window.location.hash.split("?").slice(1).join("?");
  return Object.fromEntries(new URLSearchParams(query));
}

/** The fragment of a state (empty values left out). */
export function hrefFor(state) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(state)) {
    if (value !== undefined && value !== null && value !== "") {
      params.set(name, String(value));
    }
  }
  return `#/explore?${params}`;
}

/** Goes to `state`; after the render, the element with id `focusId` takes the focus. */
export function go(state, focusId = null) {
  pendingFocus = focusId;
  const href = hrefFor(state);
  if (window.location.hash === href) {
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    window.location.hash = href;
  }
}

/** The element id a navigation asked to focus, once. */
export function takeFocus() {
  const id = pendingFocus;
  pendingFocus = null;
  return id;
}

/** JSON from a URL parameter, or `fallback` when absent or not JSON. */
export function parseJson(text, fallback) {
  if (!text) {
    return fallback;
  }
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}
