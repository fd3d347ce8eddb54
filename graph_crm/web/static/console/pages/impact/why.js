// One customer's "why": the rule that fired, each component's value × weight = points,
// its paths drawn (Cytoscape.js) and listed, and its plan's actions.
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { number } from "./format.js";

const CYTOSCAPE = "/static/vendor/cytoscape/cytoscape.esm.min.mjs";

function components(target) {
  return h("table", { class: "data" },
    h("caption", {}, t("impact.components")),
    h("thead", {}, h("tr", {}, ["component", "value", "weight", "points", "reason"].map((key) =>
      h("th", { scope: "col", class: key === "reason" || key === "component" ? null : "num" },
        t(`impact.why.${key}`))))),
    h("tbody", {}, target.components.map((c) => h("tr", {},
      h("th", { scope: "row" }, t(`impact.component.${c.name}`)),
      h("td", { class: "num" }, number(c.value, 3)),
      h("td", { class: "num" }, `× ${number(c.weight, 2)}`),
      h("td", { class: "num" }, `= ${number(c.contribution, 3)}`),
      h("td", {}, c.reason)))),
    h("tfoot", {}, h("tr", {}, h("th", { scope: "row", colspan: 3 }, t("impact.why.score")),
      h("td", { class: "num" }, number(target.score, 3)), h("td", {}, ""))));
}

function graphElements(target) {
  const nodes = new Map();
  const edges = new Map();
  for (const path of target.paths) {
    path.forEach((entity, index) => {
      nodes.set(entity.id, entity);
      if (index > 0) {
        const from = path[index - 1].id;
        edges.set(`${from}>${entity.id}`, { source: from, target: entity.id });
      }
    });
  }
  return [
    ...[...nodes.values()].map((entity) => ({ data: { id: entity.id,
      label: `${entity.label}\n${entity.id.split(":")[0]}`, focus: entity.id === target.target } })),
    ...[...edges].map(([id, edge]) => ({ data: { id, ...edge } })),
  ];
}

async function draw(container, target, root) {
  const { default: cytoscape } = await import(CYTOSCAPE);
  return cytoscape({
    container,
    elements: graphElements(target),
    style: [
      { selector: "node", style: { shape: "round-rectangle", "background-color": "#e8eef9",
        "border-color": "#1d4ed8", "border-width": 1.5, label: "data(label)",
        "text-wrap": "wrap", "text-valign": "center", "font-size": 12, color: "#0f172a",
        width: 150, height: 44, "text-max-width": 140 } },
      { selector: "node[?focus]", style: {
        "background-color": "#fde68a", "border-color": "#92400e" } },
      { selector: "edge", style: { "curve-style": "bezier", "target-arrow-shape": "triangle",
        width: 1.4, "line-color": "#64748b", "target-arrow-color": "#64748b" } },
    ],
    layout: { name: "breadthfirst", directed: true, roots: [root], spacingFactor: 1.05,
      padding: 16, animate: false },
    minZoom: 0.3,
    maxZoom: 2,
  });
}

/** The why of `target` into `container`; resolves when its diagram is drawn. */
export async function renderWhy(container, target, report, current) {
  const diagram = h("div", { id: "impact-paths", class: "diagram impact-paths", role: "img",
    "aria-label": t("impact.pathsLabel", { count: target.paths.length,
      source: report.sourceLabel, target: target.label }) });
  container.replaceChildren(
    h("h2", { id: "impact-why-title", tabindex: "-1" },
      t("impact.whyTitle", { label: target.label, rank: target.rank })),
    h("p", { class: "impact-rule" }, h("strong", {}, `${target.tier} · `), target.tierRule),
    h("p", { class: "hint" }, t("impact.formula"), " ", h("code", {}, target.tierFormula)),
    components(target),
    h("h3", {}, t("impact.paths", { count: target.pathCount, shown: target.paths.length })),
    diagram,
    h("ol", { class: "impact-path-list" }, target.paths.map((path) =>
      h("li", {}, path.map((entity) => entity.label).join(" → ")))),
    h("h3", {}, t("impact.actions")),
    target.actions.length
      ? h("ul", { class: "impact-actions" }, target.actions.map((action) => h("li", {}, action)))
      : h("p", {}, t("impact.noActions")),
  );
  container.hidden = false;
  if (!target.paths.length) {
    diagram.hidden = true;
    return;
  }
  const cy = await draw(diagram, target, report.source);
  if (!current()) {
    cy.destroy();
    return;
  }
  diagram.dataset.nodes = String(cy.nodes().length);
  diagram.dataset.drawn = "true";
}
