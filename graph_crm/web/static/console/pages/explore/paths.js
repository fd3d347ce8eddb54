// The path builder: a start (the open record, or a type and a filter), then typed steps
// (relation, direction, the far type, a filter on the entities each step lands on), run
// through `traverse`; the entities reached, with their paths. The builder's state is in the
// URL (p=...), so a path can be bookmarked, shared and opened in GraphiQL.
import { graphql } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { alert, dataTable, head, recordHref, views } from "./common.js";
import { filterFields, filterForm, whereOf } from "./filters.js";
import { entityLabel, movesFrom, number, typeLabel, typeOfId } from "./meta.js";
import { go, parseJson } from "./state.js";

export const TRAVERSE_QUERY = `query ExplorePath($from: [ID!]!, $steps: [StepInput!]!, $limit: Int!) {
  traverse(from: $from, steps: $steps, limit: $limit, pathsPerTarget: 3) {
    truncated
    reached { id type key properties }
    paths { target entityIds hops { relation direction } }
  }
}`;
export const START_QUERY = `query ExplorePathStart($type: String!, $where: JSON, $first: Int!) {
  entities(type: $type, where: $where, first: $first) { totalCount edges { node { id } } }
}`;
const STARTS = 100;
const LIMIT = 200;

function initialModel(meta, state) {
  const model = parseJson(state.p, null);
  if (model && Array.isArray(model.steps) && model.start) {
    return model;
  }
  return state.from ? { start: { id: state.from }, steps: [] }
    : { start: { type: [...meta.types.keys()][0], rows: {} }, steps: [] };
}

const startType = (start) => (start.id ? typeOfId(start.id) : start.type);

/** The type each step lands on (null after a step that no longer fits). */
function stepTypes(meta, model) {
  const types = [];
  let here = startType(model.start);
  for (const step of model.steps) {
    const [relation, direction] = (step.move || "").split("|");
    const move = movesFrom(meta, here).find((m) => m.relation === relation && m.direction === direction);
    here = move ? move.other : null;
    types.push(here);
  }
  return types;
}

export async function renderPaths(main, current, meta, state) {
  const model = initialModel(meta, state);
  const forms = { start: null, steps: [] };
  const builder = h("div", { class: "explore-builder" });

  function sync() {
    if (forms.start) {
      model.start.rows = forms.start.read();
    }
    model.steps.forEach((step, index) => {
      if (forms.steps[index]) {
        step.rows = forms.steps[index].read();
      }
    });
  }
  function rebuild(focusId = null) {
    const types = stepTypes(meta, model);
    const startPart = h("fieldset", { class: "card" }, h("legend", {}, t("explore.start")));
    const modeSelect = h("select", { id: "path-start-mode", onchange: () => {
      sync();
      model.start = modeSelect.value === "record" ? { id: state.from || model.start.id }
        : { type: startType(model.start), rows: {} };
      model.steps = [];
      rebuild("path-start-mode");
    } }, (state.from || model.start.id) ? h("option", { value: "record", selected: !!model.start.id },
      t("explore.startRecord", { id: state.from || model.start.id })) : null,
    h("option", { value: "type", selected: !model.start.id }, t("explore.startType")));
    startPart.append(h("label", { for: "path-start-mode" }, t("explore.startFrom")), modeSelect);
    forms.start = null;
    if (!model.start.id) {
      const typeSelect = h("select", { id: "path-start-type", onchange: () => {
        model.start = { type: typeSelect.value, rows: {} };
        model.steps = [];
        rebuild("path-start-type");
      } }, [...meta.types.keys()].map((name) =>
        h("option", { value: name, selected: name === model.start.type }, typeLabel(meta, name))));
      forms.start = filterForm("start", filterFields(meta.types.get(model.start.type)), model.start.rows);
      startPart.append(h("label", { for: "path-start-type" }, t("explore.type")), typeSelect, forms.start.element);
    }
    forms.steps = [];
    const steps = model.steps.map((step, index) => {
      const here = index === 0 ? startType(model.start) : types[index - 1];
      const moves = here ? movesFrom(meta, here) : [];
      const moveSelect = h("select", { id: `step${index}-move`, onchange: () => {
        sync();
        step.move = moveSelect.value;
        step.rows = {};
        model.steps.length = index + 1;
        rebuild(`step${index}-move`);
      } }, moves.map((move) => h("option", {
        value: `${move.relation}|${move.direction}`, selected: `${move.relation}|${move.direction}` === step.move,
      }, move.direction === "OUT" ? `${move.relation} → ${typeLabel(meta, move.other)}`
        : `← ${move.relation} · ${typeLabel(meta, move.other)}`)));
      if (!step.move && moves.length) {
        step.move = moveSelect.value;
      }
      const lands = stepTypes(meta, model)[index];
      const form = lands ? filterForm(`step${index}`, filterFields(meta.types.get(lands)), step.rows || {}) : null;
      forms.steps.push(form);
      return h("li", {}, h("fieldset", { class: "card" },
        h("legend", {}, t("explore.step", { number: index + 1 })),
        h("label", { for: `step${index}-move` }, t("explore.follow")), moveSelect,
        form ? h("details", { open: Object.keys(step.rows || {}).length > 0 },
          h("summary", {}, t("explore.stepFilter", { type: typeLabel(meta, lands) })), form.element) : null));
    });
    builder.replaceChildren(startPart, h("ol", { class: "explore-steps" }, steps),
      h("div", { class: "explore-buttons" },
        h("button", { type: "button", class: "button quiet", id: "path-add", onclick: () => {
          sync();
          model.steps.push({ move: "", rows: {} });
          rebuild(`step${model.steps.length - 1}-move`);
        } }, t("explore.addStep")),
        h("button", { type: "button", class: "button quiet", id: "path-remove", disabled: !model.steps.length,
          onclick: () => { sync(); model.steps.pop(); rebuild("path-add"); } }, t("explore.removeStep")),
        h("button", { type: "submit", class: "button", id: "path-run", disabled: !model.steps.length },
          t("explore.run"))));
    if (focusId) {
      document.getElementById(focusId)?.focus();
    }
  }
  rebuild();
  const steps = () => model.steps.map((step, index) => {
    const [relation, direction] = step.move.split("|");
    const lands = stepTypes(meta, model)[index];
    const where = lands ? whereOf(step.rows || {}, filterFields(meta.types.get(lands))) : null;
    return { relation, direction, ...(where ? { where } : {}) };
  });
  const traverseVariables = (from) => ({ from, steps: steps(), limit: LIMIT });
  let results = null;
  let shownVariables = traverseVariables(model.start.id ? [model.start.id] : []);
  if (state.run && model.steps.length) {
    try {
      let from = [model.start.id];
      if (!model.start.id) {
        const where = whereOf(model.start.rows || {}, filterFields(meta.types.get(model.start.type)));
        const found = await graphql(START_QUERY, { type: model.start.type, where, first: STARTS });
        from = found.entities.edges.map((edge) => edge.node.id);
      }
      shownVariables = traverseVariables(from);
      results = pathResults(meta, from.length ? (await graphql(TRAVERSE_QUERY, shownVariables)).traverse
        : { reached: [], paths: [], truncated: false });
    } catch (error) {
      const path = error.path || [];
      const form = path[0] === "steps" ? forms.steps[Number(path[1])] : path[0] === "where" ? forms.start : null;
      const offset = path[0] === "steps" ? 3 : 1;
      const atField = form && path[offset - 1] === "where" && form.showError(path.slice(offset), error.message);
      results = atField ? h("p", { class: "error", role: "alert", id: "path-results", tabindex: "-1" },
        t("explore.fixFilter")) : alert(error, "path-results");
      if (atField) {
        builder.querySelectorAll("details").forEach((details) => {
          if (details.querySelector("[aria-invalid]")) details.open = true;
        });
      }
    }
  }
  if (!current()) {
    return;
  }
  main.replaceChildren(head(t("explore.pathTitle"), TRAVERSE_QUERY, shownVariables),
    views("path", { id: model.start.id }), h("p", {}, t("explore.pathIntro")),
    h("form", { "aria-labelledby": "page-title", onsubmit: (event) => {
      event.preventDefault();
      sync();
      go({ view: "path", from: state.from, p: JSON.stringify(model), run: "1" }, "path-results");
    } }, builder), ...(results ? [results] : []));
}

function pathResults(meta, traversal) {
  const byId = new Map(traversal.reached.map((entity) => [entity.id, entity]));
  const chain = (path) => path.entityIds.flatMap((id, index) => [
    index ? h("span", { class: "explore-hop" }, path.hops[index - 1].direction === "IN"
      ? ` ← ${path.hops[index - 1].relation} ← ` : ` → ${path.hops[index - 1].relation} → `) : null,
    h("a", { href: recordHref(id) }, id)]);
  const rows = traversal.reached.map((entity) => h("tr", {},
    h("th", { scope: "row" }, h("a", { href: recordHref(entity.id) }, entityLabel(meta, byId.get(entity.id)))),
    h("td", {}, typeLabel(meta, entity.type)),
    h("td", {}, traversal.paths.filter((path) => path.target === entity.id)
      .map((path) => h("div", { class: "explore-path" }, chain(path))))));
  return h("section", { "aria-labelledby": "path-results-caption" },
    dataTable(h("span", { id: "path-results-caption" }, t(traversal.truncated ? "explore.reachedTruncated"
      : "explore.reached", { count: number(traversal.reached.length) })),
    [t("explore.reachedEntity"), t("explore.type"), t("explore.paths")], rows,
    { id: "path-results", tabindex: "-1" }));
}
