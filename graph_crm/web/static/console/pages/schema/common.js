// Shared parts of the Schema page: refusals shown where they belong, tables, buttons.
import { ApiError } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";

export const NAME_PATTERNS = {
  entity: "[A-Z][A-Za-z0-9]{0,63}",
  relation: "[A-Z][A-Z0-9]*(_[A-Z0-9]+)*",
  property: "[a-z][A-Za-z0-9]{0,63}",
};
export const KINDS = ["STRING", "INT", "FLOAT", "BOOLEAN", "DATE", "DATETIME", "ENUM", "JSON"];
export const ERROR_FIELDS = "... on Error { code message path issues { code message path } }";

/** The text of a refusal: the server's message and code. */
export function refusalText(issue) {
  return `${issue.message} (${issue.code})`;
}

/** A thrown error (ApiError or other) as the issues of a refusal. */
export function issuesOf(error) {
  if (error instanceof ApiError) {
    return [{ code: error.code, message: error.message, path: error.path ?? [] }];
  }
  return [{ code: "ERROR", message: String(error), path: [] }];
}

/** A mutation's Error (code, message, path, issues) as its list of issues. */
export function errorIssues(result) {
  return result.issues && result.issues.length ? result.issues : [result];
}

/**
 * Shows each issue at the form's field its path names (elements marked data-field, the
 * path after `skip` segments, joined by dots; the longest matching prefix wins), the
 * rest in the form's alert; returns the element that should take the focus.
 */
export function showIssues(form, issues, skip = 0) {
  clearIssues(form);
  const general = form.querySelector(".form-alert");
  let first = null;
  const unplaced = [];
  for (const issue of issues) {
    const path = (issue.path ?? []).slice(skip);
    let field = null;
    for (let length = path.length; length > 0 && !field; length -= 1) {
      field = form.querySelector(`[data-field="${CSS.escape(path.slice(0, length).join("."))}"]`);
    }
    if (!field) {
      unplaced.push(issue);
      continue;
    }
    const note = field.closest(".field").querySelector(".field-error");
    note.textContent = [note.textContent, refusalText(issue)].filter(Boolean).join(" ");
    field.setAttribute("aria-invalid", "true");
    first = first ?? field;
  }
  general.replaceChildren(...unplaced.map((issue) => h("p", {}, refusalText(issue))));
  general.hidden = unplaced.length === 0;
  if (unplaced.length) {
    return general;
  }
  return first;
}

export function clearIssues(form) {
  for (const note of form.querySelectorAll(".field-error")) {
    note.textContent = "";
  }
  for (const field of form.querySelectorAll("[aria-invalid]")) {
    field.removeAttribute("aria-invalid");
  }
  const general = form.querySelector(".form-alert");
  general.replaceChildren();
  general.hidden = true;
}

let ids = 0;
/** A labelled control with its hint and the place its refusal is shown. */
export function field(label, control, { hint = null, fieldKey = null } = {}) {
  const id = control.id || `f${++ids}`;
  control.id = id;
  const described = [];
  const hintElement = hint ? h("span", { class: "hint", id: `${id}-hint` }, hint) : null;
  if (hintElement) {
    described.push(hintElement.id);
  }
  const error = h("span", { class: "field-error", id: `${id}-error`, role: "alert" });
  described.push(error.id);
  control.setAttribute("aria-describedby", described.join(" "));
  if (fieldKey) {
    control.dataset.field = fieldKey;
  }
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hintElement, error);
}

export function formAlert() {
  return h("div", { class: "form-alert error", role: "alert", hidden: true, tabindex: "-1" });
}

export function button(text, onclick, { quiet = false, danger = false, class: extra, ...rest } = {}) {
  const classes = ["button", quiet ? "quiet" : null, danger ? "danger" : null, extra ?? null]
    .filter(Boolean);
  return h("button", { type: "button", class: classes.join(" "), onclick, ...rest }, text);
}

/** A table with a caption, column headers and row headers (the first cell). */
export function dataTable(caption, headings, rows, attributes = {}) {
  return h("table", { class: "data", ...attributes },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, headings.map(([text, numeric]) =>
      h("th", { scope: "col", class: numeric ? "num" : null }, text)))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((cell, index) =>
      index === 0
        ? h("th", { scope: "row" }, cell)
        : h("td", { class: headings[index]?.[1] ? "num" : null }, cell))))));
}

/** A status line (role=status) for what an action did. */
export function statusLine() {
  return h("p", { class: "status", role: "status" });
}

export const number = (value) => new Intl.NumberFormat().format(value);

/** A default value as typed in a form: JSON if it parses, else the text itself. */
export function parseDefault(text, kind) {
  const trimmed = text.trim();
  if (trimmed === "") {
    return null;
  }
  if (kind === "STRING" || kind === "ENUM" || kind === "DATE" || kind === "DATETIME") {
    return trimmed;
  }
  try {
    return JSON.parse(trimmed);
  } catch {
    return trimmed; // the server says what is wrong with it, at the field
  }
}

export function formatDefault(value) {
  if (value === null || value === undefined) {
    return "";
  }
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function typeLabel(type) {
  return type.label ? `${type.label} (${type.name})` : type.name;
}

export { t };

/** `container.replaceChildren` without the nulls (which it would write as "null"). */
export function fill(container, ...children) {
  container.replaceChildren(...children.filter((child) => child !== null && child !== undefined));
}
