// "New entity type" and "New relation type": a form, Preview (previewDefinitions: the SDL it
// adds or changes, refusals at their fields), then Apply (applyDefinitions).
import { graphql } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import {
  ERROR_FIELDS, NAME_PATTERNS, button, clearIssues, errorIssues, field, formAlert, issuesOf,
  showIssues, statusLine,
} from "./common.js";
import { emptyProperty, propertyInput, propertyRows } from "./property-form.js";

const PREVIEW = `query PreviewDefinitions($operations: [DefinitionOperationInput!]!) {
  previewDefinitions(operations: $operations) {
    currentVersion version refusals { code message path }
    schemaChanges { name change added removed }
  }
}`;
const APPLY = `mutation ApplyDefinitions($operations: [DefinitionOperationInput!]!) {
  applyDefinitions(operations: $operations) {
    __typename
    ... on DefinitionsPayload { schemaVersion changes { kind name } }
    ${ERROR_FIELDS}
  }
}`;
// a refusal's path: ["operations", "0", "defineEntityType", ...the form's field]
const SKIP = 3;

function blank(kind) {
  return kind === "entity"
    ? { name: "", label: "", description: "", labelProperty: "", properties: [emptyProperty()] }
    : { name: "", label: "", description: "", from: "", to: "", properties: [] };
}
const drafts = { entity: blank("entity"), relation: blank("relation") };

function operation(kind, draft) {
  const input = {
    name: draft.name.trim(),
    description: draft.description,
    label: draft.label.trim() || null,
    properties: draft.properties.map(propertyInput),
  };
  if (kind === "entity") {
    return { defineEntityType: { ...input, labelProperty: draft.labelProperty || null } };
  }
  return { defineRelationType: { ...input, from: draft.from, to: draft.to } };
}

function text(draft, key, attributes = {}) {
  const input = h("input", { type: "text", value: draft[key], ...attributes });
  input.addEventListener("input", () => { draft[key] = input.value; });
  return input;
}

function select(draft, key, options, fieldKey, id, blank = t("schema.choose")) {
  const control = h("select", { "data-field": fieldKey, id });
  const fill = () => {
    const names = typeof options === "function" ? options() : options;
    control.replaceChildren(h("option", { value: "" }, blank),
      ...names.map((name) => h("option", { value: name, selected: draft[key] === name }, name)));
  };
  fill();
  control.refill = fill;
  control.addEventListener("change", () => { draft[key] = control.value; });
  return control;
}

function changeList(changes) {
  return h("div", { class: "sdl-changes" }, changes.map((change, index) => h("details", { open: index < 2 },
    h("summary", {}, `${change.name} · ${t(`schema.change.${change.change}`)}`),
    h("pre", { class: "sdl" }, [
      ...change.removed.map((line) => h("del", {}, `- ${line}\n`)),
      ...change.added.map((line) => h("ins", {}, `+ ${line}\n`)),
    ]))));
}

/** The form for a new `kind` ("entity" or "relation") type. */
export function renderNewType(container, ctx, kind) {
  const draft = drafts[kind];
  const entityNames = ctx.data.entityTypes.map((type) => type.name);
  const preview = h("section", { class: "preview", "aria-labelledby": "preview-title", hidden: true },
    h("h2", { id: "preview-title", tabindex: "-1" }, t("schema.previewTitle")));
  const status = statusLine();
  const alert = formAlert();
  const labelProperty = kind === "entity"
    ? select(draft, "labelProperty", () => draft.properties
      .filter((p) => p.kind === "STRING" && p.name.trim()).map((p) => p.name.trim()),
    "labelProperty", "type-label-property", t("schema.labelPropertyDefault"))
    : null;
  const nameHint = t(kind === "entity" ? "schema.entityNameHint" : "schema.relationNameHint");
  const form = h("form", { class: "card wide", "aria-labelledby": "page-title", novalidate: true },
    field(t("schema.apiName"), text(draft, "name", {
      id: "type-name", pattern: NAME_PATTERNS[kind], required: true, autocomplete: "off", spellcheck: "false",
    }), { hint: nameHint, fieldKey: "name" }),
    field(t("schema.displayLabel"), text(draft, "label", { id: "type-label" }),
      { hint: t("schema.displayLabelHint"), fieldKey: "label" }),
    kind === "relation"
      ? h("div", { class: "pair" },
        field(t("schema.from"), select(draft, "from", entityNames, "from", "type-from")),
        field(t("schema.to"), select(draft, "to", entityNames, "to", "type-to")))
      : null,
    field(t("schema.description"), h("textarea", { rows: 2, "data-field": "description", id: "type-description",
      oninput: (event) => { draft.description = event.target.value; } }, draft.description)),
    h("h2", {}, t("schema.properties")),
    propertyRows(draft.properties, () => labelProperty?.refill(),
      kind === "entity" ? { typeName: null, registry: ctx.data } : null),
    labelProperty
      ? field(t("schema.labelProperty"), labelProperty, { hint: t("schema.labelPropertyHint") })
      : null,
    alert,
    h("div", { class: "actions" },
      button(t("schema.preview"), () => run(false), { quiet: true, id: "preview-button" }),
      h("button", { type: "submit", class: "button", id: "apply-button" }, t("schema.apply"))),
    status,
  );
  let busy = false;
  async function run(apply) {
    if (busy) {
      return; // one call at a time: a second Apply must not define the type twice
    }
    busy = true;
    form.setAttribute("aria-busy", "true");
    try {
      await ask(apply);
    } finally {
      busy = false;
      form.removeAttribute("aria-busy");
    }
  }
  async function ask(apply) {
    clearIssues(form);
    status.textContent = t(apply ? "schema.applying" : "schema.previewing");
    const operations = [operation(kind, draft)];
    let issues = [];
    try {
      if (!apply) {
        const answer = (await graphql(PREVIEW, { operations })).previewDefinitions;
        issues = answer.refusals;
        preview.replaceChildren(preview.firstChild, issues.length
          ? h("p", {}, t("schema.previewRefused"))
          : h("p", {}, t("schema.previewVersion", { version: answer.version })),
        changeList(answer.schemaChanges));
        preview.hidden = false;
      } else {
        const answer = (await graphql(APPLY, { operations })).applyDefinitions;
        if (answer.__typename === "DefinitionsPayload") {
          drafts[kind] = blank(kind);
          await ctx.go({ view: "type", type: operations[0][Object.keys(operations[0])[0]].name,
            notice: t("schema.defined", { name: draft.name.trim(), version: answer.schemaVersion }) });
          return;
        }
        issues = errorIssues(answer);
      }
    } catch (error) {
      issues = issuesOf(error);
    }
    status.textContent = issues.length ? t("schema.refused", { count: issues.length }) : "";
    const focus = issues.length ? showIssues(form, issues, SKIP) : preview.firstChild;
    focus?.focus();
  }
  // the label property is one of the rows' text properties: its choices follow them
  form.addEventListener("input", (event) => {
    if (labelProperty && event.target !== labelProperty) {
      labelProperty.refill();
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(true);
  });
  container.replaceChildren(form, preview);
}
