// A property's "Computed" choice: none, a formula (its text), or a rollup (aggregate, a path
// of 1–2 hops through the registry's relation types, the far property, an optional where).
// The draft keeps every choice's fields, so switching back and forth loses nothing.
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { field } from "./common.js";

export const AGGREGATES = ["count", "sum", "min", "max", "avg"];
const MODES = ["none", "formula", "rollup"];

function hopOf(step) {
  return typeof step === "string"
    ? { relation: step, direction: "OUT" }
    : { relation: step.relation, direction: step.direction ?? "OUT" };
}

/** The draft's fields for a property's `computed` (the API's value: null, text or object). */
export function computedDraft(computed) {
  const draft = { mode: "none", formula: "", rollup: "sum", hops: [null, null], property: "",
    where: "" };
  if (typeof computed === "string") {
    return { ...draft, mode: "formula", formula: computed };
  }
  if (computed && typeof computed === "object") {
    const where = computed.where ?? "";
    return { ...draft, mode: "rollup", rollup: computed.rollup,
      hops: [0, 1].map((index) => (computed.path?.[index] ? hopOf(computed.path[index]) : null)),
      property: computed.property ?? "",
      where: typeof where === "string" ? where : JSON.stringify(where) };
  }
  return draft;
}

/** The `computed` a PropertySpecInput carries for the draft. */
export function computedInput(draft) {
  if (draft.mode === "formula") {
    return draft.formula;
  }
  if (draft.mode !== "rollup") {
    return null;
  }
  const input = { rollup: draft.rollup,
    path: draft.hops.filter(Boolean).map((hop) => ({ ...hop })) };
  if (draft.property) {
    input.property = draft.property;
  }
  const where = draft.where.trim();
  if (where) {
    let filter = null;
    if (where.startsWith("{")) {
      try {
        filter = JSON.parse(where); // a filter object, as the API also takes
      } catch {
        filter = null;
      }
    }
    input.where = filter ?? where;
  }
  return input;
}

/** The hops that start at entity type `from`: [{relation, direction, to}]. */
function hopsFrom(from, relationTypes) {
  return relationTypes.flatMap((relation) => [
    ...(relation.from === from ? [{ relation: relation.name, direction: "OUT", to: relation.to }] : []),
    ...(relation.to === from ? [{ relation: relation.name, direction: "IN", to: relation.from }] : []),
  ]);
}

const hopValue = (hop) => (hop ? `${hop.relation} ${hop.direction}` : "");

function hopLabel(hop) {
  return t(hop.direction === "OUT" ? "schema.hopOut" : "schema.hopIn",
    { relation: hop.relation, type: hop.to });
}

/**
 * The Computed fields of a property draft (`draft.computed`, from computedDraft), for an
 * entity type `typeName` of the registry; `changed(mode)` after the choice changes.
 * Refusals at `<prefix>computed` (and `.where`, `.path`, `.property`...) land on them.
 */
export function computedFields(draft, prefix, { typeName, registry }, changed) {
  const c = draft.computed;
  const entityTypes = registry?.entityTypes ?? [];
  const relationTypes = registry?.relationTypes ?? [];
  const key = `${prefix}computed`;
  // a rollup needs a relation type touching the type (a new type has none yet)
  const modes = typeName && hopsFrom(typeName, relationTypes).length ? MODES : MODES.slice(0, 2);
  const mode = h("select", { "data-field": `${key}.mode` },
    modes.map((name) => h("option", { value: name, selected: c.mode === name },
      t(`schema.computed.${name}`))));
  const formula = h("textarea", { rows: 2, class: "code", spellcheck: "false",
    autocomplete: "off" }, c.formula);
  formula.addEventListener("input", () => { c.formula = formula.value; });
  const aggregate = h("select", {}, AGGREGATES.map((name) =>
    h("option", { value: name, selected: c.rollup === name }, t(`schema.aggregate.${name}`))));
  aggregate.addEventListener("change", () => { c.rollup = aggregate.value; });
  const hopSelects = [0, 1].map(() => h("select", {}));
  const property = h("select", {});
  property.addEventListener("change", () => { c.property = property.value; });
  const where = h("input", { type: "text", class: "code", value: c.where, spellcheck: "false",
    autocomplete: "off" });
  where.addEventListener("input", () => { c.where = where.value; });

  // each hop's choices start where the one before ended; the far type's properties follow
  function refill() {
    let at = typeName; // where the next hop starts: null after a hop not chosen
    let far = null; // the type the last chosen hop reaches
    hopSelects.forEach((select, index) => {
      const choices = at ? hopsFrom(at, relationTypes) : [];
      const chosen = choices.find((hop) => hopValue(hop) === hopValue(c.hops[index]));
      c.hops[index] = chosen ? { relation: chosen.relation, direction: chosen.direction } : null;
      select.disabled = index > 0 && !c.hops[0];
      select.replaceChildren(
        h("option", { value: "" }, t(index === 0 ? "schema.choose" : "schema.noSecondHop")),
        ...choices.map((hop) => h("option", { value: hopValue(hop), selected: hop === chosen },
          hopLabel(hop))));
      at = chosen ? chosen.to : null;
      far = chosen ? chosen.to : far;
    });
    const farType = entityTypes.find((type) => type.name === far);
    const names = farType ? farType.properties.map((p) => p.name).filter((n) => n !== draft.name) : [];
    if (!names.includes(c.property)) {
      c.property = "";
    }
    property.replaceChildren(h("option", { value: "" }, t("schema.rollupNoProperty")),
      ...names.map((name) => h("option", { value: name, selected: c.property === name }, name)));
  }
  hopSelects.forEach((select, index) => select.addEventListener("change", () => {
    const [relation, direction] = select.value.split(" ");
    c.hops[index] = relation ? { relation, direction } : null;
    refill();
  }));
  refill();

  const formulaPart = h("div", { class: "computed-part" },
    field(t("schema.formula"), formula, { hint: t("schema.formulaHint"), fieldKey: key }));
  const rollupPart = h("div", { class: "computed-part property-grid" },
    field(t("schema.aggregate"), aggregate, { fieldKey: `${key}.rollup` }),
    field(t("schema.hop1"), hopSelects[0], { fieldKey: `${key}.path` }),
    field(t("schema.hop2"), hopSelects[1], { fieldKey: `${key}.path.1` }),
    field(t("schema.rollupProperty"), property, { fieldKey: `${key}.property` }),
    field(t("schema.rollupWhere"), where, { hint: t("schema.rollupWhereHint"),
      fieldKey: `${key}.where` }));
  function show() {
    formulaPart.hidden = c.mode !== "formula";
    rollupPart.hidden = c.mode !== "rollup";
    // a refusal at `computed` itself lands on the formula, or on a rollup's first control
    formula.dataset.field = c.mode === "formula" ? key : `${key}.formula`;
    aggregate.dataset.field = c.mode === "rollup" ? key : `${key}.rollup`;
  }
  mode.addEventListener("change", () => {
    c.mode = mode.value;
    show();
    changed(c.mode);
  });
  show();
  return h("div", { class: "computed-fields" },
    field(t("schema.computed"), mode, { hint: t("schema.computedHint") }),
    formulaPart, rollupPart);
}
