// The incidents list: a filter (status, source), a page of incidents newest first (the
// API's first/after; the cursors walked are in the URL, so Back returns to a page), an
// empty state, and for a role that may, the "Report a disruption" form.
import { ApiError, graphql } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { number } from "../impact/format.js";
import { moment, routeHref, statusBadge, STATUSES } from "./common.js";
import { reportForm } from "./report.js";

export const LIST_QUERY = `query IncidentList($filter: IncidentFilter, $first: Int!, $after: String) {
  impactPolicies { source }
  incidents(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { cursor node { id source status delayDays owner openedAt version } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const DEFAULT_SIZE = 20;

/** The list's state as the URL holds it. */
export function listState(params) {
  let cursors = [];
  try {
    const parsed = JSON.parse(params.get("cursors") || "[]");
    cursors = Array.isArray(parsed) ? parsed.filter((c) => typeof c === "string") : [];
  } catch {
    cursors = [];
  }
  const size = Number(params.get("size"));
  return {
    status: STATUSES.includes(params.get("status")) ? params.get("status") : "",
    source: params.get("source") || "",
    size: Number.isInteger(size) && size >= 1 && size <= 200 ? size : DEFAULT_SIZE,
    cursors,
  };
}

function hrefOf(state, cursors) {
  return routeHref({ status: state.status, source: state.source,
    size: state.size === DEFAULT_SIZE ? "" : state.size,
    cursors: cursors.length ? JSON.stringify(cursors) : "" });
}

/** The affected count of each incident's latest version, by id: one request (an alias
 * per incident, each asking its last version only). */
async function affectedCounts(nodes) {
  if (!nodes.length) {
    return new Map();
  }
  const variables = {};
  const fields = nodes.map((node, index) => {
    variables[`i${index}`] = node.id;
    return `i${index}: incident(id: $i${index}) { versions(since: ${Math.max(0, node.version - 1)}, first: 1) { items { totals { affected } } } }`;
  });
  const declared = nodes.map((_, index) => `$i${index}: ID!`).join(", ");
  const data = await graphql(`query IncidentAffected(${declared}) { ${fields.join(" ")} }`,
    variables);
  return new Map(nodes.map((node, index) => [node.id,
    data[`i${index}`]?.versions.items[0]?.totals.affected ?? null]));
}

function filterForm(state, refused = null) {
  const status = h("select", { id: "incidents-status", name: "status" },
    h("option", { value: "" }, t("incidents.anyStatus")),
    STATUSES.map((s) => h("option", { value: s, selected: s === state.status },
      t(`incidents.status.${s}`))));
  const source = h("input", { id: "incidents-source", name: "source", type: "text",
    value: state.source, placeholder: "Warehouse:RTM-02",
    "aria-describedby": "incidents-source-hint incidents-source-error",
    "aria-invalid": refused ? "true" : null });
  const message = refused ? `${refused.message} (${refused.code})` : "";
  const form = h("form", { class: "card incidents-filter", id: "incidents-filter",
    "aria-labelledby": "incidents-filter-title" },
  h("h2", { id: "incidents-filter-title" }, t("incidents.filterTitle")),
  h("div", { class: "incident-fields" },
    h("div", { class: "field" }, h("label", { for: "incidents-status" }, t("incidents.status")), status),
    h("div", { class: "field" }, h("label", { for: "incidents-source" }, t("incidents.source")), source,
      h("p", { class: "hint", id: "incidents-source-hint" }, t("incidents.sourceHint")),
      h("p", { class: "error field-error", id: "incidents-source-error", role: "alert" }, message))),
  h("button", { type: "submit", class: "button", id: "incidents-apply" }, t("incidents.apply")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    window.location.hash = hrefOf({ ...state, status: status.value, source: source.value.trim() }, []);
  });
  return form;
}

function table(edges, affected, connection, state) {
  const caption = t("incidents.caption", { shown: number(edges.length),
    total: number(connection.totalCount), page: state.cursors.length + 1 });
  if (!edges.length) {
    return h("p", { class: "card incidents-empty", id: "incidents-empty", role: "status" },
      state.status || state.source ? t("incidents.noneMatch") : t("incidents.none"));
  }
  const columns = ["source", "delay", "status", "owner", "opened", "versions", "affected"];
  return h("div", { class: "table-scroll" }, h("table", { class: "data", id: "incidents-table" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col",
      class: ["delay", "versions", "affected"].includes(c) ? "num" : null }, t(`incidents.column.${c}`))))),
    h("tbody", {}, edges.map(({ node }) => h("tr", { "data-id": node.id },
      h("th", { scope: "row" }, h("a", { href: routeHref({ id: node.id }) }, node.source)),
      h("td", { class: "num" }, number(node.delayDays, 1)),
      h("td", {}, statusBadge(node.status)),
      h("td", {}, node.owner ?? h("span", { class: "muted" }, "—")),
      h("td", {}, moment(node.openedAt)),
      h("td", { class: "num" }, number(node.version)),
      h("td", { class: "num" }, affected.get(node.id) === null ? "—"
        : number(affected.get(node.id))))))));
}

function pager(connection, state) {
  const previous = state.cursors.slice(0, -1);
  const next = [...state.cursors, connection.pageInfo.endCursor];
  return h("nav", { class: "pager", "aria-label": t("incidents.pages") },
    state.cursors.length
      ? h("a", { class: "button quiet", id: "incidents-previous", href: hrefOf(state, previous) },
        t("impact.previous"))
      : null,
    connection.pageInfo.hasNextPage
      ? h("a", { class: "button quiet", id: "incidents-next", href: hrefOf(state, next) },
        t("impact.next"))
      : null);
}

/** The list into `main` (with the head given) unless a newer render took over. */
export async function renderList(main, current, head, { canWrite, params }) {
  const state = listState(params);
  const variables = { first: state.size, after: state.cursors.at(-1) ?? null,
    filter: { status: state.status ? [state.status] : null, source: state.source || null } };
  let data;
  try {
    data = await graphql(LIST_QUERY, variables);
  } catch (error) {
    // the filter refused (a source that is no global id): shown at its field
    if (!(error instanceof ApiError) || !(error.inputPath || []).includes("source")) {
      throw error;
    }
    if (current()) {
      main.replaceChildren(head, filterForm(state, error));
      main.querySelector("#incidents-source").focus();
    }
    return;
  }
  const edges = data.incidents.edges;
  const affected = await affectedCounts(edges.map((edge) => edge.node));
  if (!current()) {
    return;
  }
  const types = [...new Set(data.impactPolicies.map((policy) => policy.source))].sort();
  main.replaceChildren(head,
    h("p", {}, t("incidents.intro")),
    filterForm(state),
    h("section", { id: "incidents-list", "aria-labelledby": "incidents-list-title" },
      h("h2", { id: "incidents-list-title" }, t("incidents.listTitle")),
      table(edges, affected, data.incidents, state),
      pager(data.incidents, state)),
    canWrite && types.length ? reportForm(types) : null);
}
