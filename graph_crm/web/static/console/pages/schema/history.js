// The registry's history: definitionHistory, newest first, a page at a time; each change's
// definition before and after on demand.
import { graphql } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { button } from "./common.js";

export const HISTORY_QUERY = `query SchemaHistory($first: Int!, $after: String) {
  definitionHistory(first: $first, after: $after) {
    totalCount
    edges { node { version step kind name actor at before after } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const PAGE_SIZE = 10;
// the cursors of the pages seen so far: [null (the newest), page 2's `after`, ...]
let cursors = [null];

function when(at) {
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" })
    .format(new Date(at));
}

function json(value) {
  return value === null ? t("schema.none") : JSON.stringify(value, null, 2);
}

function changeRows(node, index) {
  const id = `change-${index}`;
  const details = h("tr", { id, hidden: true, class: "change-details" },
    h("td", { colspan: 6 }, h("div", { class: "before-after" },
      h("div", {}, h("h4", {}, t("schema.before")), h("pre", {}, json(node.before))),
      h("div", {}, h("h4", {}, t("schema.after")), h("pre", {}, json(node.after))))));
  const toggle = button(t("schema.showChange"), () => {
    details.hidden = !details.hidden;
    toggle.setAttribute("aria-expanded", String(!details.hidden));
  }, { quiet: true, "aria-expanded": "false", "aria-controls": id,
    "aria-label": t("schema.showChangeOf", { name: node.name, version: node.version }) });
  return [h("tr", {},
    h("th", { scope: "row", class: "num" }, `${node.version}.${node.step}`),
    h("td", {}, when(node.at)), h("td", {}, node.actor), h("td", {}, node.kind),
    h("td", {}, node.name), h("td", {}, toggle)), details];
}

export async function renderHistory(container, ctx, { page = 0 } = {}) {
  const answer = (await graphql(HISTORY_QUERY, { first: PAGE_SIZE, after: cursors[page] }))
    .definitionHistory;
  if (!ctx.current()) {
    return;
  }
  if (answer.pageInfo.hasNextPage) {
    cursors[page + 1] = answer.pageInfo.endCursor;
  }
  const pages = Math.max(1, Math.ceil(answer.totalCount / PAGE_SIZE));
  const go = async (to, focus) => {
    await renderHistory(container, ctx, { page: to });
    const target = container.querySelector(focus);
    (target?.disabled ? container.querySelector(".pager button:not([disabled])") : target)
      ?.focus();
  };
  container.replaceChildren(
    h("table", { class: "data", id: "history-table" },
      h("caption", {}, t("schema.historyCaption", { page: page + 1, pages,
        total: answer.totalCount })),
      h("thead", {}, h("tr", {}, [t("schema.version"), t("schema.when"), t("schema.who"),
        t("schema.kind"), t("schema.name"), t("schema.definition")].map((text) =>
        h("th", { scope: "col" }, text)))),
      h("tbody", {}, answer.edges.flatMap((edge, index) => changeRows(edge.node, index)))),
    h("div", { class: "actions pager" },
      button(t("schema.newer"), () => go(page - 1, "#history-newer"),
        { quiet: true, id: "history-newer", disabled: page === 0 }),
      button(t("schema.older"), () => go(page + 1, "#history-older"),
        { quiet: true, id: "history-older", disabled: !answer.pageInfo.hasNextPage })),
  );
}

/** Starts from the newest page again (the history changed). */
export function resetHistory() {
  cursors = [null];
}
