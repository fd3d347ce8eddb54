// The record view: an entity's properties, and its relations both ways with a count per
// relation type and direction; each list is paged (Entity.neighbors) and links onwards.
// These lists are also the graph's keyboard path.
import { graphiqlHref, graphql } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { alert, dataTable, graphHref, head, recordHref, views } from "./common.js";
import { cellText, entityLabel, number, propertyLabel, typeLabel } from "./meta.js";
import { hrefFor } from "./state.js";

export const RECORD_QUERY = `query ExploreRecord($id: ID!) {
  entity(id: $id) {
    id type key properties createdAt updatedAt
    relationCounts { relation direction otherType count }
  }
}`;
export const NEIGHBORS_QUERY = `query ExploreNeighbors($id: ID!, $relation: String!, $direction: Direction!, $first: Int!, $after: String) {
  entity(id: $id) {
    neighbors(relation: $relation, direction: $direction, first: $first, after: $after) {
      edges { node { id type key properties } properties }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;
const PAGE = 10;

const arrow = (direction) => (direction === "OUT" ? "→" : "←");

function relationList(meta, id, count, index) {
  const listId = `relation-${index}`;
  const section = h("section", { class: "card explore-relation", "aria-labelledby": `${listId}-title` });
  const cursors = [];
  const title = t(count.direction === "OUT" ? "explore.relationOut" : "explore.relationIn", {
    relation: count.relation, other: typeLabel(meta, count.otherType), count: number(count.count),
  });
  async function load(after, focus) {
    const variables = { id, relation: count.relation, direction: count.direction, first: PAGE, after };
    let page;
    try {
      page = (await graphql(NEIGHBORS_QUERY, variables)).entity.neighbors;
    } catch (error) {
      section.replaceChildren(h("h2", { id: `${listId}-title` }, title), alert(error, `${listId}-error`));
      return;
    }
    const previous = h("button", { type: "button", class: "button quiet", disabled: cursors.length === 0,
      onclick: () => { cursors.pop(); load(cursors.at(-1) ?? null, "previous"); } }, t("explore.previous"));
    const next = h("button", { type: "button", class: "button quiet", disabled: !page.pageInfo.hasNextPage,
      onclick: () => { cursors.push(page.pageInfo.endCursor); load(page.pageInfo.endCursor, "next"); } },
    t("explore.next"));
    const items = page.edges.map((edge) => h("li", {},
      h("a", { href: recordHref(edge.node.id) }, entityLabel(meta, edge.node)),
      entityLabel(meta, edge.node) === edge.node.key ? null
        : h("span", { class: "explore-muted" }, ` ${edge.node.key}`),
      Object.keys(edge.properties || {}).length
        ? h("span", { class: "explore-muted" }, ` · ${cellText(edge.properties)}`) : null));
    section.replaceChildren(
      h("div", { class: "explore-relation-head" },
        h("h2", { id: `${listId}-title`, tabindex: "-1" }, title),
        h("a", { href: graphiqlHref(NEIGHBORS_QUERY, variables), class: "explore-small" },
          t("explore.showGraphqlShort"))),
      h("ul", { class: "explore-neighbors", id: listId }, items),
      ...(page.pageInfo.hasNextPage || cursors.length ? [h("div", { class: "explore-pager" }, previous,
        h("span", {}, t("explore.pageNumber", { page: cursors.length + 1 })), next)] : []));
    if (focus) {
      (focus === "next" && !next.disabled ? next : focus === "previous" && !previous.disabled
        ? previous : section.querySelector("h2")).focus();
    }
  }
  return { section, load };
}

export async function renderRecord(main, current, meta, state) {
  const variables = { id: state.id };
  let entity = null;
  let failure = null;
  try {
    entity = (await graphql(RECORD_QUERY, variables)).entity;
  } catch (error) {
    failure = error;
  }
  if (!current()) {
    return;
  }
  if (!entity) {
    main.replaceChildren(head(t("page.explore"), RECORD_QUERY, variables), views("record", state),
      failure ? alert(failure) : h("p", { class: "error", role: "alert" }, t("explore.notFound", { id: state.id })));
    return;
  }
  const type = meta.types.get(entity.type);
  const properties = dataTable(t("explore.properties"), [t("explore.property"), t("explore.value")], [
    ["key", entity.key], ...(type?.properties ?? []).map((property) =>
      [propertyLabel(property), cellText(entity.properties[property.name])]),
    [t("explore.createdAt"), entity.createdAt], [t("explore.updatedAt"), entity.updatedAt],
  ].map(([name, value]) => h("tr", {}, h("th", { scope: "row" }, name), h("td", {}, value))));
  const touching = entity.relationCounts.filter((count) => count.count > 0);
  const lists = touching.map((count, index) => relationList(meta, entity.id, count, index));
  const counts = dataTable(t("explore.relations"),
    [t("explore.relation"), t("explore.direction"), t("explore.otherType"), t("explore.count")],
    entity.relationCounts.map((count) => h("tr", { class: count.count ? null : "explore-muted" },
      h("th", { scope: "row" }, count.relation), h("td", {}, `${arrow(count.direction)} ${t(`explore.dir.${count.direction}`)}`),
      h("td", {}, typeLabel(meta, count.otherType)), h("td", { class: "num" }, number(count.count)))));
  main.replaceChildren(
    head(`${typeLabel(meta, entity.type)}: ${entityLabel(meta, entity)}`, RECORD_QUERY, variables,
      [h("a", { class: "button quiet", id: "open-graph", href: graphHref(entity.id) }, t("explore.openGraph")),
        h("a", { class: "button quiet", id: "build-path", href: hrefFor({ view: "path", from: entity.id }) },
          t("explore.buildPath"))]),
    views("record", { type: entity.type, id: entity.id }),
    h("div", { class: "columns" }, properties, counts),
    h("div", { class: "explore-relations" }, lists.map((list) => list.section)));
  await Promise.all(lists.map((list) => list.load(null, null)));
}
