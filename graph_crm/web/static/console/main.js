// The console: sign-in, who you are, the navigation your role allows, and the pages.
// Routes are URL fragments (#/schema); the key never appears in a URL.
import { ApiError, graphql } from "./api.js";
import { h } from "./dom.js";
import { language, setLanguage, t, translate } from "./i18n.js";
import { pagesFor } from "./nav.js";
import { renderAdmin } from "./pages/admin.js";
import { renderImpact } from "./pages/impact.js";
import { renderSchema } from "./pages/schema.js";
import { renderSignIn } from "./pages/signin.js";
import { signIn, signOut, signedInKey } from "./session.js";

const VIEWER_QUERY = "query Viewer { viewer { keyId name role permissions } }";
// Explore's and Incidents' modules load when the page is first opened, not with the console
const renderExplore = async (main, current) =>
  (await import("./pages/explore.js")).renderExplore(main, current);
const renderIncidents = async (main, current) =>
  (await import("./pages/incidents.js")).renderIncidents(main, current);
const RENDERERS = {
  schema: renderSchema, explore: renderExplore, impact: renderImpact, incidents: renderIncidents,
  admin: renderAdmin,
};
const main = document.getElementById("main");
let viewer = null;
let notice = "";
// Each render's number: a page whose data arrives after a newer render started (the
// language changed, another page was chosen) leaves the screen to the newer one.
let renders = 0;

function refusal(error) {
  const message = error instanceof ApiError ? `${error.message} (${error.code})` : String(error);
  return `${t("signin.refused")}: ${message}`;
}

function showWho() {
  document.getElementById("who").hidden = !viewer;
  document.getElementById("sign-out").hidden = !viewer;
  document.getElementById("nav").hidden = !viewer;
  if (!viewer) {
    document.getElementById("nav-list").replaceChildren();
    return;
  }
  document.getElementById("who-name").textContent = viewer.name || viewer.keyId;
  document.getElementById("who-role").textContent = t(`role.${viewer.role}`);
  document.getElementById("nav").setAttribute("aria-label", t("nav.label"));
  const current = currentPage();
  document.getElementById("nav-list").replaceChildren(
    ...pagesFor(viewer.permissions).map((page) =>
      h("li", {}, h("a", {
        href: `#/${page.id}`,
        id: `nav-${page.id}`,
        "aria-current": page.id === current ? "page" : false,
      }, t(`page.${page.id}`)))));
}

function currentPage() {
  const allowed = pagesFor(viewer.permissions).map((page) => page.id);
  const asked = window.location.hash.replace(/^#\/?/, "").split("?")[0]; // #/page?state
  return allowed.includes(asked) ? asked : allowed[0] ?? null;
}

async function render({ focus = false } = {}) {
  const generation = ++renders;
  const current = () => generation === renders;
  translate();
  if (!signedInKey()) {
    viewer = null;
    showWho();
    renderSignIn(main, tryKey, notice);
    return;
  }
  showWho();
  const page = currentPage();
  try {
    if (page === null) {
      main.replaceChildren(h("h1", { id: "page-title", tabindex: "-1" }, t("brand")),
        h("p", {}, t("page.none")));
    } else {
      main.replaceChildren(h("p", { class: "loading" }, t("loading")));
      await RENDERERS[page](main, current);
    }
  } catch (error) {
    if (!current()) {
      return;
    }
    if (error instanceof ApiError && error.code === "UNAUTHENTICATED") {
      return leave(refusal(error)); // revoked while signed in
    }
    main.replaceChildren(h("h1", { id: "page-title", tabindex: "-1" }, t("error.title")),
      h("p", { class: "error", role: "alert" }, error instanceof ApiError
        ? `${error.message} (${error.code})` : String(error)));
  }
  if (focus && current()) {
    // the element a page marked (after an action), else its heading
    (main.querySelector("[data-focus]") ?? document.getElementById("page-title"))?.focus();
  }
}

async function loadViewer() {
  viewer = (await graphql(VIEWER_QUERY)).viewer;
}

async function tryKey(key) {
  signIn(key);
  try {
    await loadViewer();
  } catch (error) {
    signOut();
    return refusal(error);
  }
  notice = "";
  await render({ focus: true });
  return null;
}

function leave(message) {
  signOut();
  viewer = null;
  notice = message;
  return render({ focus: true });
}

async function start() {
  document.querySelector(".skip-link").addEventListener("click", (event) => {
    event.preventDefault(); // the fragment is the route: focus instead of navigating
    main.focus();
  });
  const select = document.getElementById("language");
  select.value = language();
  select.addEventListener("change", () => setLanguage(select.value));
  document.addEventListener("languagechange", () => render());
  document.getElementById("sign-out").addEventListener("click", () =>
    leave(t("signin.signedOut")));
  window.addEventListener("hashchange", () => viewer && render({ focus: true }));
  // a page's action answered 401: the key was revoked, sign out with the reason
  document.addEventListener("unauthenticated", (event) => viewer && leave(refusal(event.detail)));
  if (signedInKey()) {
    try {
      await loadViewer();
    } catch (error) {
      signOut();
      notice = refusal(error);
    }
  }
  await render();
}

start();
