// How the neighbourhood graph looks, and where new nodes go: around the node they came
// from, on an arc facing away from where that node came from, so what was drawn stays.
const PALETTE = ["#1d4ed8", "#b45309", "#047857", "#7c3aed", "#be123c", "#0e7490", "#4d7c0f",
  "#a21caf", "#c2410c", "#334155"];

/** A colour per type name, the same on every visit. */
export function colourOf(typeName) {
  let hash = 0;
  for (const character of typeName) {
    hash = (hash * 31 + character.codePointAt(0)) >>> 0;
  }
  return PALETTE[hash % PALETTE.length];
}

export const GRAPH_STYLE = [
  { selector: "node", style: {
    "background-color": "data(colour)", label: "data(label)", "font-size": 11, color: "#0f172a",
    "text-valign": "bottom", "text-margin-y": 3, width: 18, height: 18,
    "text-background-color": "#ffffff", "text-background-opacity": 0.8,
    "min-zoomed-font-size": 7 } },
  { selector: "node.expanded", style: { "border-width": 3, "border-color": "#0f172a" } },
  { selector: "node:selected", style: { "border-width": 4, "border-color": "#f59e0b" } },
  { selector: 'node[kind = "more"]', style: {
    shape: "round-rectangle", "background-color": "#e2e8f0", "border-width": 1,
    "border-color": "#64748b", width: 22, height: 14, "font-style": "italic" } },
  { selector: "edge", style: {
    width: 1.2, "line-color": "#94a3b8", "target-arrow-color": "#94a3b8",
    "target-arrow-shape": "triangle", "curve-style": "haystack", "arrow-scale": 0.7 } },
  { selector: 'edge[kind = "more"]', style: { "line-style": "dashed" } },
  { selector: ".hidden", style: { display: "none" } },
];

/** Places `added` on an arc around `node`, away from the node it was reached from. */
export function place(cy, node, added) {
  if (!added.length) {
    return;
  }
  const centre = node.position();
  const from = node.data("parentId") ? cy.getElementById(node.data("parentId")) : null;
  const facing = from?.length
    ? Math.atan2(centre.y - from.position().y, centre.x - from.position().x) : 0;
  const arc = from?.length ? Math.min(Math.PI * 1.2, 0.35 * added.length + 0.6) : Math.PI * 2;
  // rings further out as a page grows, each holding what its length allows (a node every
  // ~34 px), so a big page stays legible and a small one stays close
  const fresh = new Set(added.map((element) => element.id()));
  const before = cy.nodes().filter((other) => other.data("parentId") === node.id() && !fresh.has(other.id()));
  let ring = 0;
  let radius = Math.max(110, ...before.map((other) =>
    Math.hypot(other.position().x - centre.x, other.position().y - centre.y) + 70));
  let placed = 0;
  while (placed < added.length) {
    const room = Math.max(5, Math.floor((arc * radius) / 34));
    const onRing = Math.min(room, added.length - placed);
    for (let index = 0; index < onRing; index += 1) {
      const angle = facing - arc / 2 + (arc * (index + (ring % 2 ? 0.75 : 0.25) + 0.25)) / onRing;
      added[placed + index].position({ x: centre.x + radius * Math.cos(angle),
        y: centre.y + radius * Math.sin(angle) });
    }
    placed += onRing;
    ring += 1;
    radius += 70;
  }
}
