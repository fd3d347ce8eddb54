// The list view: pick a type, filter it by its properties, sort by a column, page with
// cursors. Everything it shows is in the URL: type, where, sort, size, the cursors walked.
import { graphql } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { alert, dataTable, head, recordHref, views } from "./common.js";
import { filterFields, filterForm, rowsOf, whereOf } from "./filters.js";
import { cellText, number, propertyLabel, typeLabel } from "./meta.js";
import { go, parseJson } from "./state.js";

export const LIST_QUERY = `query ExploreList($type: String!, $where: JSON, $orderBy: [OrderByInput!], $first: Int!, $after: String) {
  entities(type: $type, where: $where, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    edges { node { id type key properties } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const SIZES = [10, 25, 50, 100];

function sortHeading(state, property) {
  const [field, direction] = (state.sort || "").split(":");
  const sorted = field === property.name;
  const next = sorted && direction !== "desc" ? "desc" : "asc";
  return h("th", {
    scope: "col", "aria-sort": sorted ? (direction === "desc" ? "descending" : "ascending") : null,
  }, h("button", {
    type: "button", class: "explore-sort", id: `sort-${property.name}`,
    "aria-label": t(`explore.sort.${next}`, { property: propertyLabel(property) }),
    onclick: () => go({ ...state, sort: `${property.name}:${next}`, cursors: "" }, `sort-${property.name}`),
  }, propertyLabel(property), sorted ? (direction === "desc" ? " ▼" : " ▲") : ""));
}

function typePicker(meta, state) {
  const select = h("select", { id: "explore-type" },
    [...meta.types.values()].map((type) => h("option", {
      value: type.name, selected: type.name === state.type,
    }, `${typeLabel(meta, type.name)} · ${number(type.count)}`)));
  return h("form", { class: "explore-type", onsubmit: (event) => {
    event.preventDefault();
    go({ type: select.value }, "explore-type");
  } }, h("label", { for: "explore-type" }, t("explore.type")), select,
  h("button", { type: "submit", class: "button" }, t("explore.show")));
}

export function listVariables(state, fields) {
  const cursors = (state.cursors || "").split(",").filter(Boolean);
  const [field, direction] = (state.sort || "").split(":");
  const where = parseJson(state.where, null);
  return {
    type: state.type,
    where,
    orderBy: field ? [{ field, direction: direction === "desc" ? "DESC" : "ASC" }] : null,
    first: SIZES.includes(Number(state.size)) ? Number(state.size) : 25,
    after: cursors.at(-1) ?? null,
    rows: rowsOf(where, fields),
    cursors,
  };
}

export async function renderList(main, current, meta, state) {
  state = { ...state, type: meta.types.has(state.type) ? state.type : [...meta.types.keys()][0] };
  const type = meta.types.get(state.type);
  const fields = filterFields(type);
  const { rows, cursors, ...variables } = listVariables(state, fields);
  let data = null;
  let failure = null;
  try {
    data = (await graphql(LIST_QUERY, variables)).entities;
  } catch (error) {
    failure = error;
  }
  if (!current()) {
    return;
  }
  const form = filterForm("filter", fields, rows);
  const size = h("select", { id: "explore-size", onchange: () =>
    go({ ...state, size: size.value, cursors: "" }, "explore-size") },
  SIZES.map((value) => h("option", { value, selected: value === variables.first }, String(value))));
  const filters = h("form", { class: "card explore-filter-card", "aria-labelledby": "filters-title",
    onsubmit: (event) => {
      event.preventDefault();
      const where = whereOf(form.read(), fields);
      go({ ...state, where: where ? JSON.stringify(where) : "", cursors: "" }, "results");
    } },
  h("h2", { id: "filters-title" }, t("explore.filters")), form.element,
  h("div", { class: "explore-buttons" },
    h("button", { type: "submit", class: "button", id: "apply-filters" }, t("explore.apply")),
    h("button", { type: "button", class: "button quiet", onclick: () =>
      go({ type: state.type, size: state.size }, "apply-filters") }, t("explore.clear"))));
  let results;
  if (failure) {
    const path = failure.path?.[0] === "where" ? failure.path.slice(1) : null;
    const atField = path && form.showError(path, failure.message);
    results = atField ? h("p", { class: "error", role: "alert", id: "results", tabindex: "-1" },
      t("explore.fixFilter")) : alert(failure, "results");
  } else {
    const columns = [{ name: "key", kind: "STRING", label: t("explore.key") }, ...type.properties];
    results = h("section", { "aria-labelledby": "results-caption" },
      dataTable(h("span", { id: "results-caption" },
        t("explore.matching", { type: typeLabel(meta, type.name), count: number(data.totalCount) })),
      columns.map((property) => sortHeading(state, property)),
      data.edges.map(({ node }) => h("tr", {},
        h("th", { scope: "row" }, h("a", { href: recordHref(node.id) }, node.key)),
        type.properties.map((property) => h("td", {}, cellText(node.properties[property.name]))))),
      { id: "results", tabindex: "-1" }),
      h("div", { class: "explore-pager" },
        h("button", { type: "button", class: "button quiet", id: "page-previous", disabled: !cursors.length,
          onclick: () => go({ ...state, cursors: cursors.slice(0, -1).join(",") }, "page-previous") },
        t("explore.previous")),
        h("span", {}, t("explore.pageNumber", { page: cursors.length + 1 })),
        h("button", { type: "button", class: "button quiet", id: "page-next",
          disabled: !data.pageInfo.hasNextPage, onclick: () =>
            go({ ...state, cursors: [...cursors, data.pageInfo.endCursor].join(",") }, "page-next") },
        t("explore.next")),
        h("label", { for: "explore-size" }, t("explore.pageSize")), size));
  }
  main.replaceChildren(
    head(t("page.explore"), LIST_QUERY, variables), views("list", state),
    typePicker(meta, state), filters, results);
}
