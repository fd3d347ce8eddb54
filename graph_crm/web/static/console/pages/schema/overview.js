// The Schema page's overview: every entity and relation type with its count (each opens its
// detail), and a diagram: entity types as boxes, relation types as arrows (Cytoscape.js).
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { button, dataTable, fill, number } from "./common.js";

const CYTOSCAPE = "/static/vendor/cytoscape/cytoscape.esm.min.mjs";

function hub(entityTypes, relationTypes) {
  const degree = new Map(entityTypes.map((type) => [type.name, 0]));
  for (const relation of relationTypes) {
    degree.set(relation.from, degree.get(relation.from) + 1);
    degree.set(relation.to, degree.get(relation.to) + 1);
  }
  const [name] = [...degree].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? [];
  return `#${name}`;
}

async function drawDiagram(container, entityTypes, relationTypes, counts, current) {
  const { default: cytoscape } = await import(CYTOSCAPE);
  if (!current()) {
    return null; // another page took over: no layout for nobody
  }
  const elements = [
    ...entityTypes.map((type) => ({
      data: {
        id: type.name,
        label: `${type.label ?? type.name}\n${number(counts.get(type.name) ?? 0)}`,
        width: Math.max(96, (type.label ?? type.name).length * (type.label ? 16 : 9) + 28),
      },
    })),
    ...relationTypes.map((relation) => ({
      data: { id: `rel:${relation.name}`, source: relation.from, target: relation.to, label: relation.name },
    })),
  ];
  return cytoscape({
    container,
    elements,
    style: [
      { selector: "node", style: {
        shape: "round-rectangle", "background-color": "#e8eef9", "border-color": "#1d4ed8",
        "border-width": 1.5, label: "data(label)", "text-wrap": "wrap", "text-valign": "center",
        "font-size": 14, color: "#0f172a", width: "data(width)", height: 48 } },
      { selector: "edge", style: {
        "curve-style": "bezier", "target-arrow-shape": "triangle", width: 1.4,
        "line-color": "#64748b", "target-arrow-color": "#64748b", label: "data(label)",
        "font-size": 12, color: "#334155", "text-rotation": "autorotate",
        "text-background-color": "#ffffff", "text-background-opacity": 0.85,
        "text-background-padding": "2px" } },
      { selector: "edge:loop", style: { "control-point-step-size": 48 } },
    ],
    // a deterministic layout: the same schema is drawn the same way every time, rooted at
    // the type with the most relation types
    layout: { name: "breadthfirst", directed: false, roots: hub(entityTypes, relationTypes),
      spacingFactor: 1.1, padding: 24, animate: false },
    minZoom: 0.3,
    maxZoom: 2.5,
  });
}

/** Tables and diagram; a type's name opens its detail (`ctx.go`). */
export async function renderOverview(container, ctx) {
  const { data } = ctx;
  const entityCounts = new Map(data.typeCounts.entities.map((c) => [c.name, c.count]));
  const relationCounts = new Map(data.typeCounts.relations.map((c) => [c.name, c.count]));
  const open = (name) => button(name, () => ctx.go({ view: "type", type: name }),
    { class: "link" });
  const diagram = h("div", {
    id: "schema-diagram",
    class: "diagram",
    role: "img",
    "aria-label": t("schema.diagramLabel", {
      types: data.entityTypes.length, relations: data.relationTypes.length }),
  });
  fill(container,
    h("p", {}, t(ctx.canDefine ? "schema.introDefine" : "schema.introRead")),
    ctx.canDefine ? h("div", { class: "actions" },
      button(t("schema.newEntityType"), () => ctx.go({ view: "newEntity" }), { id: "new-entity-type" }),
      button(t("schema.newRelationType"), () => ctx.go({ view: "newRelation" }),
        { id: "new-relation-type" })) : null,
    h("section", { "aria-labelledby": "diagram-title" },
      h("h2", { id: "diagram-title" }, t("schema.diagram")), diagram,
      h("p", { class: "hint" }, t("schema.diagramHint"))),
    h("div", { class: "columns" },
      dataTable(t("schema.entityTypes"),
        [[t("schema.name")], [t("schema.displayLabel")], [t("schema.description")],
          [t("schema.properties"), true], [t("schema.entities"), true]],
        data.entityTypes.map((type) => [open(type.name), type.label ?? "", type.description,
          number(type.properties.length), number(entityCounts.get(type.name) ?? 0)])),
      dataTable(t("schema.relationTypes"),
        [[t("schema.name")], [t("schema.from")], [t("schema.to")], [t("schema.relations"), true]],
        data.relationTypes.map((relation) => [open(relation.name), relation.from, relation.to,
          number(relationCounts.get(relation.name) ?? 0)]))),
  );
  const cy = await drawDiagram(diagram, data.entityTypes, data.relationTypes, entityCounts,
    ctx.current);
  if (!ctx.current()) {
    cy?.destroy();
    return;
  }
  cy.on("tap", "node", (event) => ctx.go({ view: "type", type: event.target.id() }));
  cy.on("tap", "edge", (event) => ctx.go({ view: "type", type: event.target.data("label") }));
  diagram.dataset.nodes = String(cy.nodes().length);
  diagram.dataset.edges = String(cy.edges().length);
  diagram.dataset.drawn = "true";
}
