// JSON laid out as JSON.stringify(value, null, 2) does, with the line each path starts on,
// so a refusal at ["scoring", "weights", "urgency"] can point at its line in a text area.

/** { text, lines: Map("scoring.weights.urgency" -> line index) } */
export function layout(value) {
  const out = [];
  const lines = new Map();
  function walk(item, path, indent, prefix, trailing) {
    lines.set(path.join("."), out.length);
    const isArray = Array.isArray(item);
    const entries = item !== null && typeof item === "object"
      ? (isArray ? item.map((v, i) => [String(i), v]) : Object.entries(item)) : null;
    if (!entries || entries.length === 0) {
      out.push(`${indent}${prefix}${entries ? (isArray ? "[]" : "{}") : JSON.stringify(item)}${trailing}`);
      return;
    }
    out.push(`${indent}${prefix}${isArray ? "[" : "{"}`);
    entries.forEach(([key, child], index) => {
      walk(child, [...path, key], `${indent}  `, isArray ? "" : `${JSON.stringify(key)}: `,
        index < entries.length - 1 ? "," : "");
    });
    out.push(`${indent}${isArray ? "]" : "}"}${trailing}`);
  }
  walk(value, [], "", "", "");
  return { text: out.join("\n"), lines };
}

/** The line a path starts on: its own, else its nearest parent's (a missing key). */
export function lineOf(lines, path) {
  for (let length = path.length; length >= 0; length -= 1) {
    const line = lines.get(path.slice(0, length).join("."));
    if (line !== undefined) {
      return line;
    }
  }
  return 0;
}

/** Selects line `index` of a text area and scrolls it into view. */
export function selectLine(textarea, index) {
  const all = textarea.value.split("\n");
  const start = all.slice(0, index).reduce((sum, line) => sum + line.length + 1, 0);
  textarea.focus();
  textarea.setSelectionRange(start, start + (all[index] ?? "").length);
  const lineHeight = textarea.scrollHeight / Math.max(all.length, 1);
  textarea.scrollTop = Math.max(0, (index - 3) * lineHeight);
}
