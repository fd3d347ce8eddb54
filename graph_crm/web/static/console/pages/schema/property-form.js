// Editing properties: one property's fields, and the add/remove rows of a new type's form.
// A form keeps its draft in plain objects, so a refusal or a re-render loses nothing.
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { KINDS, NAME_PATTERNS, button, field, formatDefault, parseDefault } from "./common.js";
import { computedDraft, computedFields, computedInput } from "./computed-fields.js";

export function emptyProperty() {
  return { name: "", label: "", kind: "STRING", required: false, unique: false,
    default: "", values: "", description: "", computed: computedDraft(null) };
}

/** A property as the API gives it, as a draft. */
export function propertyDraft(spec) {
  return { name: spec.name, label: spec.label ?? "", kind: spec.kind, required: spec.required,
    unique: spec.unique, default: formatDefault(spec.default), values: spec.values.join(", "),
    description: spec.description ?? "", computed: computedDraft(spec.computed) };
}

/** A draft as a PropertySpecInput. */
export function propertyInput(draft) {
  const computed = computedInput(draft.computed);
  const stored = computed === null; // a computed property is never required, unique, defaulted
  return {
    name: draft.name.trim(),
    kind: draft.kind,
    required: stored && draft.required,
    unique: stored && draft.unique,
    default: stored ? parseDefault(draft.default, draft.kind) : null,
    description: draft.description,
    values: draft.values.split(",").map((value) => value.trim()).filter(Boolean),
    label: draft.label.trim() || null,
    computed,
  };
}

function bound(draft, key, attributes = {}) {
  const input = h("input", { type: "text", value: draft[key], ...attributes });
  input.addEventListener("input", () => { draft[key] = input.value; });
  return input;
}

function checkbox(draft, key, label, fieldKey) {
  const input = h("input", { type: "checkbox", checked: draft[key], "data-field": fieldKey });
  input.addEventListener("change", () => { draft[key] = input.checked; });
  const error = h("span", { class: "field-error", role: "alert" });
  return h("div", { class: "field check" }, h("label", {}, input, ` ${label}`), error);
}

/**
 * The fields of one property; refusals at `<prefix>name`, `<prefix>kind`... land on them.
 * `nameLocked`: the name is the property's identity (changing one), shown read-only.
 * `computed` ({typeName, registry}): an entity type's property, which may be computed.
 */
export function propertyFields(draft, prefix, { nameLocked = false, computed = null } = {}) {
  const kind = h("select", { "data-field": `${prefix}kind` },
    KINDS.map((name) => h("option", { value: name, selected: draft.kind === name },
      t(`schema.kind.${name}`))));
  kind.addEventListener("change", () => { draft.kind = kind.value; });
  const defaultInput = bound(draft, "default");
  const stored = [defaultInput]; // the controls a computed property has no use for
  const lock = (mode) => {
    const free = mode === "none";
    for (const control of stored) {
      control.disabled = !free;
      if (control.type === "checkbox") {
        // shown unticked while computed (never required or unique); the draft keeps its
        // choice for a return to a stored property
        control.checked = free && Boolean(draft[control.dataset.field.slice(prefix.length)]);
      }
    }
  };
  const grid = h("div", { class: "property-grid" },
    field(t("schema.propertyName"), bound(draft, "name", {
      pattern: NAME_PATTERNS.property, autocomplete: "off", spellcheck: "false",
      required: true, readonly: nameLocked,
    }), { hint: t("schema.propertyNameHint"), fieldKey: `${prefix}name` }),
    field(t("schema.displayLabel"), bound(draft, "label"), { fieldKey: `${prefix}label` }),
    field(t("schema.kind"), kind),
    field(t("schema.default"), defaultInput, { fieldKey: `${prefix}default` }),
    field(t("schema.enumValues"), bound(draft, "values"),
      { hint: t("schema.enumValuesHint"), fieldKey: `${prefix}values` }),
    field(t("schema.description"), bound(draft, "description"),
      { fieldKey: `${prefix}description` }),
    checkbox(draft, "required", t("schema.required"), `${prefix}required`),
    checkbox(draft, "unique", t("schema.unique"), `${prefix}unique`),
  );
  stored.push(...grid.querySelectorAll("input[type=checkbox]"));
  if (!computed) {
    return grid;
  }
  lock(draft.computed.mode);
  return h("div", {}, grid, computedFields(draft, prefix, computed, lock));
}

/** The property rows of a new type's form: add and remove rows; `changed()` after each. */
export function propertyRows(drafts, changed = () => {}, computed = null) {
  const list = h("div", { class: "property-rows" });
  const addButton = button(t("schema.addRow"), () => {
    drafts.push(emptyProperty());
    draw();
    changed();
    list.querySelectorAll("fieldset")[drafts.length - 1]?.querySelector("input")?.focus();
  }, { quiet: true });
  function draw() {
    list.replaceChildren(...drafts.map((draft, index) => h("fieldset", { class: "property-row" },
      h("legend", {}, t("schema.propertyN", { n: index + 1 })),
      propertyFields(draft, `properties.${index}.`, { computed }),
      button(t("schema.removeRow", { n: index + 1 }), () => {
        drafts.splice(index, 1);
        draw();
        changed();
        addButton.focus();
      }, { quiet: true }))));
  }
  draw();
  return h("div", {}, list, addButton);
}
