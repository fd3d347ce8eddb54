// The Schema page (read-only part): every entity and relation type with its count, and a
// diagram: entity types as boxes, relation types as labelled arrows (Cytoscape.js).
import { graphql, graphiqlHref } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";

export const SCHEMA_QUERY = `query SchemaPage {
  entityTypes { name description properties { name } }
  relationTypes { name from to description }
  typeCounts { entities { name count } relations { name count } }
}`;

const CYTOSCAPE = "/static/vendor/cytoscape/cytoscape.esm.min.mjs";
const number = (value) => new Intl.NumberFormat().format(value);

function table(caption, headings, rows) {
  return h(
    "table",
    { class: "data" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, headings.map(([text, numeric]) =>
      h("th", { scope: "col", class: numeric ? "num" : null }, text)))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((cell, index) =>
      index === 0
        ? h("th", { scope: "row" }, cell)
        : h("td", { class: headings[index][1] ? "num" : null }, cell))))),
  );
}

function hub(entityTypes, relationTypes) {
  const degree = new Map(entityTypes.map((type) => [type.name, 0]));
  for (const relation of relationTypes) {
    degree.set(relation.from, degree.get(relation.from) + 1);
    degree.set(relation.to, degree.get(relation.to) + 1);
  }
  const [name] = [...degree].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? [];
  return `#${name}`;
}

async function drawDiagram(container, entityTypes, relationTypes, counts) {
  const { default: cytoscape } = await import(CYTOSCAPE);
  const elements = [
    ...entityTypes.map((type) => ({
      data: {
        id: type.name,
        label: `${type.name}\n${number(counts.get(type.name) ?? 0)}`,
        width: Math.max(96, type.name.length * 9 + 28),
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

/** Renders the page into `main` unless `current()` says a newer render took over. */
export async function renderSchema(main, current) {
  const data = await graphql(SCHEMA_QUERY);
  if (!current()) {
    return;
  }
  const entityCounts = new Map(data.typeCounts.entities.map((c) => [c.name, c.count]));
  const relationCounts = new Map(data.typeCounts.relations.map((c) => [c.name, c.count]));
  const diagram = h("div", {
    id: "schema-diagram",
    class: "diagram",
    role: "img",
    "aria-label": t("schema.diagramLabel", {
      types: data.entityTypes.length, relations: data.relationTypes.length }),
  });
  main.replaceChildren(
    h("div", { class: "page-head" },
      h("h1", { id: "page-title", tabindex: "-1" }, t("page.schema")),
      h("a", { class: "button quiet", href: graphiqlHref(SCHEMA_QUERY) }, t("schema.showGraphql"))),
    h("p", {}, t("schema.intro")),
    h("section", { "aria-labelledby": "diagram-title" },
      h("h2", { id: "diagram-title" }, t("schema.diagram")), diagram),
    h("div", { class: "columns" },
      table(t("schema.entityTypes"),
        [[t("schema.name")], [t("schema.description")], [t("schema.properties"), true],
          [t("schema.entities"), true]],
        data.entityTypes.map((type) => [type.name, type.description,
          number(type.properties.length), number(entityCounts.get(type.name) ?? 0)])),
      table(t("schema.relationTypes"),
        [[t("schema.name")], [t("schema.from")], [t("schema.to")], [t("schema.relations"), true]],
        data.relationTypes.map((relation) => [relation.name, relation.from, relation.to,
          number(relationCounts.get(relation.name) ?? 0)]))),
  );
  const cy = await drawDiagram(diagram, data.entityTypes, data.relationTypes, entityCounts);
  if (!current()) {
    cy.destroy();
    return;
  }
  diagram.dataset.nodes = String(cy.nodes().length);
  diagram.dataset.edges = String(cy.edges().length);
  diagram.dataset.drawn = "true";
}
