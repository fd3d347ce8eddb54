// A filter form generated from a type's properties: per property, the operators its kind
// allows (docs/graphql.md), turned into the API's `where` JSON and back. The server judges
// the values; a refusal comes back at its path (["where", property, operator]).
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { propertyLabel } from "./meta.js";

const TEXT_OPS = ["eq", "ne", "contains", "startsWith", "in", "isNull", "notNull"];
const NUMBER_OPS = ["eq", "ne", "gt", "gte", "lt", "lte", "between", "in", "isNull", "notNull"];
const DATE_OPS = ["gte", "lte", "gt", "lt", "eq", "between", "lastDays", "isNull", "notNull"];
const OPS = {
  STRING: TEXT_OPS,
  INT: NUMBER_OPS,
  FLOAT: NUMBER_OPS,
  DATE: DATE_OPS,
  DATETIME: DATE_OPS,
  ENUM: ["eq", "ne", "in", "isNull", "notNull"],
  BOOLEAN: ["eq", "isNull", "notNull"],
  JSON: ["isNull", "notNull"],
};
const KEY = { name: "key", kind: "STRING", values: [], label: null };
const DAY = 86_400_000;

/** The properties a filter form offers for a type: its key, then its own. */
export const filterFields = (type) => [KEY, ...type.properties];

function day(text, kind, end) {
  if (kind !== "DATETIME" || !/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    return text;
  }
  return `${text}T${end ? "23:59:59.999" : "00:00:00"}Z`;
}

function scalar(text, kind, end = false) {
  if ((kind === "INT" || kind === "FLOAT") && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text.trim())) {
    return Number(text);
  }
  if (kind === "BOOLEAN") {
    return text === "true";
  }
  return day(text.trim(), kind, end);
}

/** The ISO date (DATE) or date-time (DATETIME) `days` days before now. */
export function daysAgo(days, kind) {
  const since = new Date(Date.now() - Number(days) * DAY);
  return kind === "DATE" ? since.toISOString().slice(0, 10) : `${since.toISOString().slice(0, 10)}T00:00:00Z`;
}

/** One row's condition ({gte: ...}), or null when the row asks nothing. */
export function condition(row, property) {
  const { op, a = "", b = "" } = row;
  const kind = property.kind;
  if (op === "isNull" || op === "notNull") {
    return { isNull: op === "isNull" };
  }
  if (op === "between") {
    const bounds = {};
    if (a !== "") bounds.gte = scalar(a, kind);
    if (b !== "") bounds.lte = scalar(b, kind, true);
    return Object.keys(bounds).length ? bounds : null;
  }
  if (op === "in") {
    const items = Array.isArray(a) ? a : a.split(",").map((item) => item.trim()).filter(Boolean);
    return items.length ? { in: items.map((item) => scalar(item, kind)) } : null;
  }
  if (!op || a === "") {
    return null;
  }
  if (op === "lastDays") {
    return { gte: /^\d+$/.test(a) ? daysAgo(a, kind) : a };
  }
  return { [op]: scalar(a, kind, op === "lte" || op === "lt") };
}

/** The `where` of a form's rows ({property: row}), null when it asks nothing. */
export function whereOf(rows, fields) {
  const where = {};
  for (const property of fields) {
    const asked = rows[property.name] ? condition(rows[property.name], property) : null;
    if (asked) {
      where[property.name] = asked;
    }
  }
  return Object.keys(where).length ? where : null;
}

const shown = (value, kind) =>
  kind === "DATETIME" && typeof value === "string" ? value.slice(0, 10) : String(value);

/** The form rows a `where` made by whereOf stands for (what a bookmark reopens). */
export function rowsOf(where, fields) {
  const rows = {};
  for (const property of fields) {
    const asked = where?.[property.name];
    if (!asked || typeof asked !== "object") {
      continue;
    }
    const ops = Object.keys(asked);
    const kind = property.kind;
    if (ops.includes("isNull")) {
      rows[property.name] = { op: asked.isNull ? "isNull" : "notNull" };
    } else if (ops.includes("in")) {
      const items = (asked.in || []).map((item) => shown(item, kind));
      rows[property.name] = { op: "in", a: kind === "ENUM" ? items : items.join(", ") };
    } else if (ops.length === 2 && "gte" in asked && "lte" in asked) {
      rows[property.name] = { op: "between", a: shown(asked.gte, kind), b: shown(asked.lte, kind) };
    } else if (ops.length) {
      rows[property.name] = { op: ops[0], a: shown(asked[ops[0]], kind) };
    }
  }
  return rows;
}

function valueControl(id, property, op, value, label) {
  const kind = property.kind;
  if (kind === "ENUM" || kind === "BOOLEAN") {
    const choices = kind === "ENUM" ? property.values : ["true", "false"];
    const many = op === "in";
    const picked = new Set(Array.isArray(value) ? value : [value]);
    return h("select", { id, "aria-label": label, multiple: many, size: many ? Math.min(4, choices.length) : null },
      many ? null : h("option", { value: "" }, t("explore.any")),
      choices.map((choice) => h("option", { value: choice, selected: picked.has(choice) }, choice)));
  }
  const dated = (kind === "DATE" || kind === "DATETIME") && op !== "lastDays" && op !== "in";
  return h("input", {
    id, "aria-label": label, type: dated ? "date" : "text", value: value ?? "",
    inputmode: op === "lastDays" || kind === "INT" || kind === "FLOAT" ? "decimal" : null,
    placeholder: op === "in" ? t("explore.commaSeparated") : op === "lastDays" ? t("explore.days") : null,
  });
}

function fillValues(cell, prefix, property, row) {
  const name = propertyLabel(property);
  const op = row.op || "";
  if (!op || op === "isNull" || op === "notNull") {
    cell.replaceChildren();
    return;
  }
  const first = valueControl(`${prefix}-a`, property, op, row.a,
    t(op === "between" ? "explore.valueFrom" : "explore.valueFor", { property: name }));
  cell.replaceChildren(first, ...(op === "between"
    ? [valueControl(`${prefix}-b`, property, op, row.b, t("explore.valueTo", { property: name }))]
    : []));
}

/**
 * The filter rows of `fields`, filled from `rows`; `read()` gives the rows back, and
 * `showError(path, message)` puts a refusal at its property (false if none matches).
 */
export function filterForm(idPrefix, fields, rows = {}) {
  const items = fields.map((property) => {
    const prefix = `${idPrefix}-${property.name}`;
    const row = rows[property.name] || {};
    const values = h("span", { class: "explore-values" });
    const error = h("span", { class: "error", id: `${prefix}-error` });
    const opSelect = h("select", {
      id: `${prefix}-op`,
      "aria-label": t("explore.conditionFor", { property: propertyLabel(property) }),
      onchange: () => fillValues(values, prefix, property, { op: opSelect.value }),
    }, h("option", { value: "" }, t("explore.op.none")),
    (OPS[property.kind] || OPS.JSON).map((op) =>
      h("option", { value: op, selected: op === row.op }, t(`explore.op.${op}`))));
    fillValues(values, prefix, property, row);
    const element = h("div", { class: "explore-filter", "data-property": property.name },
      h("span", { class: "explore-filter-name", title: property.name }, propertyLabel(property)),
      opSelect, values, error);
    return { property, prefix, opSelect, values, error, element };
  });
  const controlValue = (control) => control?.multiple
    ? [...control.selectedOptions].map((option) => option.value) : control?.value ?? "";
  return {
    element: h("div", { class: "explore-filters" }, items.map((item) => item.element)),
    read() {
      return Object.fromEntries(items.filter((item) => item.opSelect.value).map((item) => [
        item.property.name, {
          op: item.opSelect.value,
          a: controlValue(item.values.querySelector(`[id="${item.prefix}-a"]`)),
          b: controlValue(item.values.querySelector(`[id="${item.prefix}-b"]`)),
        }]));
    },
    showError(path, message) {
      const item = items.find((candidate) => candidate.property.name === path?.[0]);
      if (!item) {
        return false;
      }
      item.error.setAttribute("role", "alert");
      item.error.textContent = message;
      const control = item.values.querySelector("input, select") || item.opSelect;
      control.setAttribute("aria-invalid", "true");
      control.setAttribute("aria-describedby", item.error.id);
      control.dataset.focus = "";
      return true;
    },
  };
}
