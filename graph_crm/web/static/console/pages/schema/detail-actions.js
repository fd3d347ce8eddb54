// What a config officer does on a type's detail: add, change or drop one property (each one
// patch call), edit the type's own fields, drop the type (after a confirmation).
import { graphql } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import {
  ERROR_FIELDS, button, clearIssues, errorIssues, field, formAlert, issuesOf, refusalText,
  showIssues,
} from "./common.js";
import { emptyProperty, propertyDraft, propertyFields, propertyInput } from "./property-form.js";

const PATCH = (name) => `mutation Patch($type: String!, $property: PropertySpecInput!) {
  ${name}(type: $type, property: $property) {
    __typename ... on TypeDefinitionPayload { schemaVersion } ${ERROR_FIELDS}
  }
}`;
const DROP_PROPERTY = `mutation DropProperty($type: String!, $name: String!) {
  dropProperty(type: $type, name: $name) {
    __typename ... on TypeDefinitionPayload { schemaVersion } ${ERROR_FIELDS}
  }
}`;
const DETAILS = `mutation AlterTypeDetails($input: TypeDetailsInput!) {
  alterTypeDetails(input: $input) {
    __typename ... on TypeDefinitionPayload { schemaVersion } ${ERROR_FIELDS}
  }
}`;
const DROP_TYPE = (name) => `mutation DropType($name: String!) {
  ${name}(name: $name) { __typename ... on DroppedTypePayload { schemaVersion } ${ERROR_FIELDS} }
}`;

/** Runs a mutation answering a union with Error: null when done, else its issues. */
async function patch(query, variables, field) {
  try {
    const answer = (await graphql(query, variables))[field];
    return answer.__typename === "Error" ? errorIssues(answer) : null;
  } catch (error) {
    return issuesOf(error);
  }
}

function refusalBox(issues) {
  return [h("p", {}, t("schema.refused", { count: issues.length })),
    h("ul", {}, issues.map((issue) => h("li", {}, refusalText(issue))))];
}

/** A form of one property (new, or the one to change), saved by one patch call. */
function propertyForm(type, spec, ctx, close) {
  const draft = spec ? propertyDraft(spec) : emptyProperty();
  const mutation = spec ? "alterProperty" : "addProperty";
  const alert = formAlert();
  const form = h("form", { class: "card wide", id: "property-form",
    "aria-labelledby": "property-form-title", novalidate: true },
  h("h3", { id: "property-form-title", tabindex: "-1" },
    spec ? t("schema.changeProperty", { name: spec.name }) : t("schema.addProperty")),
  propertyFields(draft, "", { nameLocked: Boolean(spec),
    // only an entity type's properties may be computed
    computed: ctx.data.entityTypes.some((entity) => entity.name === type.name)
      ? { typeName: type.name, registry: ctx.data } : null }),
  alert,
  h("div", { class: "actions" },
    h("button", { type: "submit", class: "button" }, t("schema.save")),
    button(t("schema.cancel"), close, { quiet: true })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearIssues(form);
    const issues = await patch(PATCH(mutation),
      { type: type.name, property: propertyInput(draft) }, mutation);
    if (issues) {
      showIssues(form, issues, 1)?.focus(); // the server answers at ["property", ...the field]
      return;
    }
    ctx.go({ view: "type", type: type.name,
      notice: t(spec ? "schema.propertyChanged" : "schema.propertyAdded",
        { name: draft.name.trim() }) });
  });
  return form;
}

export function propertyActions(type, ctx) {
  const alert = h("div", { class: "error", role: "alert", id: "property-refusal" });
  const slot = h("div", {});
  const addButton = button(t("schema.addProperty"), () => open(null), { id: "add-property" });
  function open(spec, opener = addButton) {
    alert.replaceChildren();
    const close = () => { slot.replaceChildren(); opener.focus(); };
    slot.replaceChildren(propertyForm(type, spec, ctx, close));
    slot.querySelector(spec ? "select, input:not([readonly])" : "input")?.focus();
  }
  async function drop(spec, opener) {
    alert.replaceChildren();
    const issues = await patch(DROP_PROPERTY, { type: type.name, name: spec.name },
      "dropProperty");
    if (issues) {
      alert.replaceChildren(...refusalBox(issues));
      opener.focus();
      return;
    }
    ctx.go({ view: "type", type: type.name,
      notice: t("schema.propertyDropped", { name: spec.name }) });
  }
  return {
    rowButtons(spec) {
      const change = button(t("schema.change"), () => open(spec, change),
        { quiet: true, "aria-label": t("schema.changeProperty", { name: spec.name }) });
      const dropButton = button(t("schema.drop"), () => drop(spec, dropButton),
        { quiet: true, danger: true, "aria-label": t("schema.dropProperty", { name: spec.name }) });
      return h("span", { class: "row-actions" }, change, dropButton);
    },
    panel: h("div", { class: "property-actions" }, alert, addButton, slot),
  };
}

/** Edit the type's display label, description and (entity types) label property. */
export function detailsForm(type, isEntity, ctx) {
  const label = h("input", { type: "text", value: type.label ?? "", "data-field": "label" });
  const description = h("textarea", { rows: 2, "data-field": "description" },
    type.description);
  const labelProperty = h("select", { "data-field": "labelProperty" },
    h("option", { value: "" }, t("schema.labelPropertyDefault")),
    type.properties.filter((p) => p.kind === "STRING").map((p) =>
      h("option", { value: p.name, selected: type.labelProperty === p.name }, p.name)));
  const alert = formAlert();
  const form = h("form", { class: "card wide", id: "details-form",
    "aria-labelledby": "details-title", novalidate: true },
  h("h3", { id: "details-title" }, t("schema.editDetails")),
  field(t("schema.displayLabel"), label, { hint: t("schema.displayLabelHint") }),
  field(t("schema.description"), description),
  isEntity ? field(t("schema.labelProperty"), labelProperty) : null,
  alert,
  h("button", { type: "submit", class: "button" }, t("schema.saveDetails")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearIssues(form);
    const input = { type: type.name, label: label.value.trim() || null,
      description: description.value };
    if (isEntity) {
      input.labelProperty = labelProperty.value || null;
    }
    const issues = await patch(DETAILS, { input }, "alterTypeDetails");
    if (issues) {
      showIssues(form, issues)?.focus();
      return;
    }
    ctx.go({ view: "type", type: type.name, notice: t("schema.detailsSaved") });
  });
  return form;
}

/** "Drop this type", then a confirmation naming it. */
export function dropTypeControl(type, isEntity, ctx) {
  const mutation = isEntity ? "dropEntityType" : "dropRelationType";
  const alert = h("div", { class: "error", role: "alert", id: "drop-type-refusal" });
  const confirm = h("div", { class: "confirm", hidden: true, role: "group",
    "aria-labelledby": "drop-confirm-text" });
  const start = button(t("schema.dropType", { name: type.name }), () => {
    alert.replaceChildren();
    confirm.hidden = false;
    confirm.querySelector("button").focus();
  }, { danger: true, id: "drop-type" });
  confirm.append(
    h("p", { id: "drop-confirm-text" }, t("schema.dropConfirm", { name: type.name })),
    button(t("schema.dropConfirmButton", { name: type.name }), async () => {
      const issues = await patch(DROP_TYPE(mutation), { name: type.name }, mutation);
      if (issues) {
        confirm.hidden = true;
        alert.replaceChildren(...refusalBox(issues));
        start.focus();
        return;
      }
      ctx.go({ view: "list", notice: t("schema.typeDropped", { name: type.name }) });
    }, { danger: true, id: "drop-type-confirm" }),
    button(t("schema.cancel"), () => { confirm.hidden = true; start.focus(); },
      { quiet: true }));
  return h("section", { class: "danger-zone", "aria-labelledby": "danger-title" },
    h("h3", { id: "danger-title" }, t("schema.dangerZone")), start, confirm, alert);
}
