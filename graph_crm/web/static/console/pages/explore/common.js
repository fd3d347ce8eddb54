// Pieces the Explore page's views share: the heading row with its "Show the GraphQL"
// link, links to records, and a server refusal in the page's language frame.
import { ApiError, graphiqlHref } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { hrefFor } from "./state.js";

export function head(title, query, variables, extra = null) {
  return h("div", { class: "page-head" },
    h("h1", { id: "page-title", tabindex: "-1" }, title),
    h("div", { class: "explore-actions" }, extra,
      h("a", { class: "button quiet", id: "explore-graphql", href: graphiqlHref(query, variables) },
        t("explore.showGraphql"))));
}

/** The views of the page, as links: list, graph and path builder. */
export function views(active, state = {}) {
  const entries = [
    ["list", hrefFor({ type: state.type })],
    ["path", hrefFor({ view: "path", ...(state.id ? { from: state.id } : {}) })],
  ];
  return h("nav", { class: "explore-views", "aria-label": t("explore.views") },
    entries.map(([view, href]) => h("a", {
      href, class: "button quiet", "aria-current": view === active ? "page" : false,
    }, t(`explore.view.${view}`))));
}

export const recordHref = (id) => hrefFor({ view: "record", id });
export const graphHref = (id) => hrefFor({ view: "graph", id });

/** A server refusal as one line: "message (CODE)". */
export function refusalText(error) {
  return error instanceof ApiError ? `${t("explore.refused")}: ${error.message} (${error.code})`
    : String(error);
}

export function alert(error, id = "explore-error") {
  return h("p", { class: "error", role: "alert", id }, refusalText(error));
}

/** A table with a caption, column headings (scope col) and rows of cells. */
export function dataTable(caption, headings, rows, attributes = {}) {
  return h("table", { class: "data", ...attributes },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, headings.map((heading) =>
      heading instanceof Node ? heading : h("th", { scope: "col" }, heading)))),
    h("tbody", {}, rows));
}
