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
  { selector: "node.more", style: {
    shape: "round-rectangle", "background-color": "#e2e8f0", "border-width": 1,
    "border-color": "#64748b", width: 22, height: 14, "font-style": "italic" } },
  { selector: "edge", style: {
    width: 1.2, "line-color": "#94a3b8", "target-arrow-color": "#94a3b8",
    "target-arrow-shape": "triangle", "curve-style": "haystack", "arrow-scale": 0.7 } },
  { selector: "edge.more", style: { "line-style": "dashed" } },
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
  // rings of at most `perRing` nodes, further out each time, so a big page stays legible
  const perRing = Math.max(8, Math.round(arc * 9));
  added.forEach((element, index) => {
    const ring = Math.floor(index / perRing);
    const onRing = Math.min(perRing, added.length - ring * perRing);
    const angle = facing - arc / 2 + (arc * ((index % perRing) + 0.5)) / onRing +
      (ring % 2 ? arc / (2 * onRing) : 0);
    const radius = 110 + ring * 55;
    element.position({ x: centre.x + radius * Math.cos(angle), y: centre.y + radius * Math.sin(angle) });
  });
}
