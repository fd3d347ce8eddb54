// The neighbourhood graph (Cytoscape.js): it starts at a record with its neighbours; a
// click on a node expands it (one request, capped per relation, a "more" node for the
// rest); checkboxes choose the relation types shown and followed. New nodes are placed
// around the node they came from and nothing already drawn moves, so 500+ nodes stay
// readable and each expansion costs what it adds. The node list and its buttons are the
// keyboard way in; the record view's relation lists are the full alternative.
import { graphql } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { alert, head, recordHref, views } from "./common.js";
import { expand, expansionQuery, movesOf } from "./expand.js";
import { entityLabel, number, typeLabel, typeOfId } from "./meta.js";
import { GRAPH_STYLE, colourOf, place } from "./graph_style.js";

const CYTOSCAPE = "/static/vendor/cytoscape/cytoscape.esm.min.mjs";
const CAPS = [25, 50, 100];
const ROOT_QUERY = "query ExploreRoot($id: ID!) { entity(id: $id) { id type key properties } }";

export async function renderGraph(main, current, meta, state) {
  const rootId = state.id;
  const enabled = new Set(meta.relations.keys());
  let cap = 50;
  const diagram = h("div", { id: "explore-graph", class: "diagram explore-graph", role: "img",
    "aria-label": t("explore.graphLabel") });
  const status = h("p", { id: "graph-status", class: "explore-muted", "aria-live": "polite" });
  const problem = h("div", { id: "graph-problem" });
  const nodeSelect = h("select", { id: "graph-node" });
  const expandButton = h("button", { type: "button", class: "button", id: "graph-expand" }, t("explore.expand"));
  const openLink = h("a", { class: "button quiet", id: "graph-open", href: recordHref(rootId) }, t("explore.openRecord"));
  const checks = [...meta.relations.values()].map((relation) => h("label", { class: "explore-check" },
    h("input", { type: "checkbox", checked: true, value: relation.name, onchange: (event) => {
      event.target.checked ? enabled.add(relation.name) : enabled.delete(relation.name);
      applyFilter();
    } }), relation.name));
  const capSelect = h("select", { id: "graph-cap", onchange: () => { cap = Number(capSelect.value); } },
    CAPS.map((value) => h("option", { value, selected: value === cap }, String(value))));
  const first = expansionQuery(rootId, movesOf(meta, rootId, enabled), cap);
  main.replaceChildren(
    head(t("explore.graphTitle", { id: rootId }), first.query, first.variables),
    views("graph", { type: typeOfId(rootId), id: rootId }),
    h("div", { class: "explore-graph-tools card" },
      h("fieldset", { class: "explore-relations-filter" }, h("legend", {}, t("explore.relationTypes")), checks),
      h("div", { class: "explore-node-tools" },
        h("label", { for: "graph-node" }, t("explore.node")), nodeSelect, expandButton, openLink,
        h("label", { for: "graph-cap" }, t("explore.cap")), capSelect,
        h("button", { type: "button", class: "button quiet", id: "graph-layout", onclick: () => relayout() },
          t("explore.relayout")))),
    problem, status, diagram);
  const { default: cytoscape } = await import(CYTOSCAPE);
  if (!current()) {
    return;
  }
  const cy = cytoscape({ container: diagram, style: GRAPH_STYLE, minZoom: 0.05, maxZoom: 3,
    textureOnViewport: true, hideEdgesOnViewport: true });
  diagram.cy = cy; // for the browser tests, which click nodes where they are drawn
  const expanded = new Map(); // "id|relation|direction" -> cursor of the next page, or null
  let busy = Promise.resolve();

  function addNode(entity, from) {
    if (cy.hasElementWithId(entity.id)) {
      return 0;
    }
    cy.add({ group: "nodes", data: { id: entity.id, kind: "entity", label: entityLabel(meta, entity).slice(0, 28),
      colour: colourOf(entity.type), depth: from ? from.data("depth") + 1 : 0, parentId: from?.id() } });
    const option = h("option", { value: entity.id }, `${entityLabel(meta, entity)} · ${typeLabel(meta, entity.type)}`);
    nodeSelect.append(option);
    return 1;
  }
  function addEdge(source, target, relation) {
    const id = `${relation}|${source}|${target}`;
    if (!cy.hasElementWithId(id)) {
      cy.add({ group: "edges", data: { id, kind: "entity", source, target, relation } });
    }
  }
  function moreNode(node, move, remaining) {
    const id = `more|${node.id()}|${move.relation}|${move.direction}`;
    cy.remove(cy.getElementById(id));
    if (remaining > 0) {
      cy.add([{ group: "nodes", data: { id, kind: "more", label: t("explore.more", { count: number(remaining), relation: move.relation }),
        more: { node: node.id(), ...move }, depth: node.data("depth") + 1, parentId: node.id() } },
      { group: "edges", data: { id: `${id}|edge`, kind: "more", source: node.id(), target: id, relation: move.relation } }]);
    }
  }
  async function grow(nodeId, moves) {
    const node = cy.getElementById(nodeId);
    const asked = moves.filter((move) => expanded.get(`${nodeId}|${move.relation}|${move.direction}`) !== null);
    if (!asked.length) {
      status.textContent = t("explore.nothingMore");
      return;
    }
    diagram.dataset.busy = "true";
    problem.replaceChildren();
    let result;
    try {
      result = await expand(nodeId, asked, cap);
    } catch (error) {
      problem.replaceChildren(alert(error, "graph-error"));
      diagram.dataset.busy = "false";
      return;
    }
    const started = performance.now();
    const added = [];
    cy.batch(() => {
      for (const page of result.pages) {
        const { relation, direction } = page.move;
        for (const entity of page.nodes) {
          if (addNode(entity, node)) {
            added.push(cy.getElementById(entity.id));
          }
          direction === "OUT" ? addEdge(nodeId, entity.id, relation) : addEdge(entity.id, nodeId, relation);
        }
        const key = `${nodeId}|${relation}|${direction}`;
        const shown = cy.edges(`[relation = "${relation}"]`).filter((edge) =>
          (direction === "OUT" ? edge.source() : edge.target()).id() === nodeId).length;
        const total = result.counts.find((c) => c.relation === relation && c.direction === direction)?.count ?? 0;
        expanded.set(key, page.hasNextPage ? page.endCursor : null);
        moreNode(node, { relation, direction, after: page.endCursor }, page.hasNextPage ? total - shown : 0);
        if (page.hasNextPage) {
          added.push(cy.getElementById(`more|${key}`));
        }
      }
      node.addClass("expanded");
      if (result.entity && node.data("label") !== entityLabel(meta, result.entity).slice(0, 28)) {
        node.data("label", entityLabel(meta, result.entity).slice(0, 28));
      }
      place(cy, node, added);
    });
    applyFilter();
    keepInView(added);
    diagram.dataset.nodes = String(cy.nodes('[kind = "entity"]').length);
    diagram.dataset.edges = String(cy.edges('[kind = "entity"]').length);
    diagram.dataset.renderMs = (performance.now() - started).toFixed(1);
    status.textContent = t("explore.graphStatus", { nodes: number(cy.nodes('[kind = "entity"]').length),
      edges: number(cy.edges('[kind = "entity"]').length) });
    diagram.dataset.busy = "false";
  }
  function queue(task) {
    busy = busy.then(task);
    return busy;
  }
  // a node's relations not asked yet; once all are, the next page of those that have one
  function expandNode(id) {
    const moves = movesOf(meta, id, enabled);
    const key = (move) => `${id}|${move.relation}|${move.direction}`;
    const fresh = moves.filter((move) => !expanded.has(key(move)));
    const asked = fresh.length ? fresh : moves.filter((move) => expanded.get(key(move)))
      .map((move) => ({ ...move, after: expanded.get(key(move)) }));
    return queue(() => grow(id, asked));
  }
  function select(id) {
    nodeSelect.value = id;
    openLink.setAttribute("href", recordHref(id));
    cy.$(":selected").unselect();
    cy.getElementById(id).select();
  }
  function applyFilter() {
    cy.batch(() => {
      cy.elements().removeClass("hidden");
      cy.edges().filter((edge) => !enabled.has(edge.data("relation"))).addClass("hidden");
      cy.nodes().filter((node) => node.id() !== rootId &&
        node.connectedEdges().every((edge) => edge.hasClass("hidden"))).addClass("hidden");
    });
  }
  function relayout() {
    // force-directed (Cytoscape's own cose), seeded from where the nodes are
    cy.elements(":visible").layout({ name: "cose", animate: false, randomize: false,
      nodeRepulsion: () => 9000, idealEdgeLength: () => 70, nodeOverlap: 12,
      numIter: 600 }).run();
    fitGently();
  }
  // the whole graph in view, never magnified past 1.2 (a few nodes would fill the frame)
  function fitGently() {
    cy.fit(cy.elements(":visible"), 30);
    if (cy.zoom() > 1.2) {
      cy.zoom(1.2);
      cy.center(cy.elements(":visible"));
    }
  }
  // what was drawn stays where it is; the view zooms out when new nodes fall outside it
  function keepInView(added) {
    const box = cy.extent();
    const outside = added.some((element) => {
      const { x, y } = element.position();
      return x < box.x1 || x > box.x2 || y < box.y1 || y > box.y2;
    });
    if (outside) {
      fitGently();
    }
  }
  cy.on("tap", "node", (event) => {
    const started = performance.now();
    const node = event.target;
    const more = node.data("more");
    if (more) {
      queue(() => grow(more.node, [{ relation: more.relation, direction: more.direction,
        after: expanded.get(`${more.node}|${more.relation}|${more.direction}`) }]));
    } else {
      select(node.id());
      expandNode(node.id());
    }
    diagram.dataset.tapMs = (performance.now() - started).toFixed(2);
    // the click to the next frame drawn with the node selected: what the user waits for
    requestAnimationFrame(() => requestAnimationFrame(() => {
      diagram.dataset.frameMs = (performance.now() - started).toFixed(1);
    }));
  });
  nodeSelect.addEventListener("change", () => select(nodeSelect.value));
  expandButton.addEventListener("click", () => expandNode(nodeSelect.value));
  // the start's own label from the first frame (a label changed later is drawn clipped)
  const root = (await graphql(ROOT_QUERY, { id: rootId })).entity;
  if (!current()) {
    cy.destroy();
    return;
  }
  addNode(root ?? { id: rootId, type: typeOfId(rootId), key: rootId.split(":").slice(1).join(":"),
    properties: {} }, null);
  cy.getElementById(rootId).position({ x: 0, y: 0 });
  select(rootId);
  await expandNode(rootId);
  if (!current()) {
    cy.destroy();
    return;
  }
  fitGently();
  diagram.dataset.drawn = "true";
}
