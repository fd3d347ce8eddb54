// The Schema page: every type with its count and a diagram (any role that reads); a type's
// detail; and, for roles with the define permission, the forms that change the model:
// new types (preview, then apply), property patches, impact policies, and the history.
// Which view is shown is kept here, so a re-render (the language changed) keeps it.
import { graphql, graphiqlHref } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { fill } from "./schema/common.js";
import { renderDetail } from "./schema/detail.js";
import { renderHistory, resetHistory } from "./schema/history.js";
import { renderNewType } from "./schema/new-type.js";
import { renderOverview } from "./schema/overview.js";
import { renderPolicies } from "./schema/policies.js";

const PROPERTY = "name label kind required unique default values description computed";
export const SCHEMA_QUERY = `query SchemaPage {
  viewer { permissions }
  entityTypes { name label description labelProperty properties { ${PROPERTY} } }
  relationTypes { name label from to description properties { ${PROPERTY} } }
  typeCounts { entities { name count } relations { name count } }
}`;
// views: list, type (state.type), newEntity, newRelation, policies, history
let state = { view: "list" };

const SECTIONS = [
  { view: "list", key: "schema.sectionTypes" },
  { view: "policies", key: "schema.sectionPolicies" },
  { view: "history", key: "schema.sectionHistory", define: true },
];

function sectionNav(ctx) {
  const active = ["type", "newEntity", "newRelation"].includes(state.view) ? "list" : state.view;
  return h("nav", { class: "subnav", "aria-label": t("schema.sections") },
    h("ul", {}, SECTIONS.filter((s) => !s.define || ctx.canDefine).map((section) =>
      h("li", {}, h("button", {
        type: "button",
        id: `schema-section-${section.view}`,
        "aria-current": section.view === active ? "true" : false,
        onclick: () => ctx.go({ view: section.view }),
      }, t(section.key))))));
}

const VIEWS = {
  list: renderOverview,
  type: renderDetail,
  newEntity: (container, ctx) => renderNewType(container, ctx, "entity"),
  newRelation: (container, ctx) => renderNewType(container, ctx, "relation"),
  policies: renderPolicies,
  history: renderHistory,
};
const TITLES = { newEntity: "schema.newEntityType", newRelation: "schema.newRelationType" };

/** Renders the page into `main` unless `current()` says a newer render took over. */
export async function renderSchema(main, current, { focus = null } = {}) {
  const data = await graphql(SCHEMA_QUERY);
  if (!current()) {
    return;
  }
  const canDefine = data.viewer.permissions.includes("define");
  if (!canDefine && !["list", "type", "policies"].includes(state.view)) {
    state = { view: "list" };
  }
  const body = h("div", { id: "schema-view" });
  const notice = h("p", { class: "notice", role: "status", id: "schema-notice", tabindex: "-1" },
    state.notice ?? "");
  notice.hidden = !state.notice;
  const ctx = {
    data,
    canDefine,
    current,
    state,
    /** Shows another view (data fetched again), with an optional notice. */
    go: async (next) => {
      state = next;
      if (next.view === "history" || next.notice) {
        resetHistory();
      }
      await renderSchema(main, current, {
        focus: next.notice ? "#schema-notice" : next.view === "type" ? "#detail-title" : "#view-title",
      });
    },
  };
  const title = TITLES[state.view];
  fill(main,
    h("div", { class: "page-head" },
      h("h1", { id: "page-title", tabindex: "-1" }, t("page.schema")),
      h("a", { class: "button quiet", href: graphiqlHref(SCHEMA_QUERY) }, t("schema.showGraphql"))),
    sectionNav(ctx),
    notice,
    title ? h("h2", { id: "view-title", tabindex: "-1" }, t(title)) : null,
    body,
  );
  if (!title && state.view !== "type") {
    // the view's own heading for the focus: its section's name
    const section = SECTIONS.find((s) => s.view === state.view);
    body.before(h("h2", { id: "view-title", tabindex: "-1", class: "visually-hidden" },
      t(section.key)));
  }
  await VIEWS[state.view](body, ctx);
  if (focus && current()) {
    main.querySelector(focus)?.focus();
  }
  state = { ...state, notice: undefined }; // a notice is shown once
}
