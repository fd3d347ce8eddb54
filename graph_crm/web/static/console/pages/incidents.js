// The Incidents page, for the risk team (the `impact` permission, as the incident API
// asks): the list (#/incidents?status=…&source=…) with the "Report a disruption" form,
// and one incident (#/incidents?id=inc-…) with its versions, diffs, checklist and notes.
// Both are URLs, so Back and Forward move between them; the server checks every call.
import { graphql, graphiqlHref } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { routeParams } from "./incidents/common.js";
import { DETAIL_QUERY, renderDetail } from "./incidents/detail.js";
import { LIST_QUERY, renderList } from "./incidents/list.js";

const VIEWER = "query IncidentsViewer { viewer { permissions } }";

/** Renders the page into `main` unless `current()` says a newer render took over. */
export async function renderIncidents(main, current) {
  const { viewer } = await graphql(VIEWER);
  if (!current()) {
    return;
  }
  const params = routeParams();
  const id = params.get("id");
  // the incident API's changes need the same permission as its reads; the server checks
  const canWrite = viewer.permissions.includes("impact");
  const head = h("div", { class: "page-head" },
    h("h1", { id: "page-title", tabindex: "-1" }, t("page.incidents")),
    h("a", { class: "button quiet", href: id
      ? graphiqlHref(DETAIL_QUERY, { id, since: 0, first: 5, full: true })
      : graphiqlHref(LIST_QUERY, { first: 20 }) }, t("schema.showGraphql")));
  if (id) {
    await renderDetail(main, current, head, { canWrite, id });
  } else {
    await renderList(main, current, head, { canWrite, params });
  }
}
