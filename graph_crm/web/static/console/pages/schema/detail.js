// One type's detail: its label, description, label property, properties and relation types,
// and (with the define permission) the actions that change it.
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { button, dataTable, fill, formatDefault, number, typeLabel } from "./common.js";
import { detailsForm, dropTypeControl, propertyActions } from "./detail-actions.js";

function facts(type, isEntity, count) {
  const rows = [
    [t("schema.apiName"), h("code", {}, type.name)],
    [t("schema.displayLabel"), type.label ?? t("schema.none")],
    [t("schema.description"), type.description || t("schema.none")],
    isEntity
      ? [t("schema.labelProperty"), type.labelProperty ?? t("schema.labelPropertyDefault")]
      : [t("schema.endsLabel"), `${type.from} → ${type.to}`],
    [isEntity ? t("schema.entities") : t("schema.relations"), number(count)],
  ];
  return h("dl", { class: "facts" }, rows.flatMap(([term, value]) => [h("dt", {}, term),
    h("dd", {}, value)]));
}

function yesNo(value) {
  return value ? t("schema.yes") : t("schema.no");
}

/** A computed property's formula text or rollup object, as the API gives it. */
function computedCell(computed) {
  if (computed === null || computed === undefined) {
    return "";
  }
  return h("code", { class: "computed" },
    typeof computed === "string" ? computed : JSON.stringify(computed));
}

function propertyTable(type, actions) {
  const headings = [[t("schema.propertyName")], [t("schema.displayLabel")], [t("schema.kind")],
    [t("schema.required")], [t("schema.unique")], [t("schema.default")], [t("schema.enumValues")],
    [t("schema.computedColumn")]];
  if (actions) {
    headings.push([t("schema.actions")]);
  }
  return dataTable(t("schema.propertiesOf", { name: type.name }), headings,
    type.properties.map((spec) => [
      spec.name, spec.label ?? "", t(`schema.kind.${spec.kind}`), yesNo(spec.required),
      yesNo(spec.unique), formatDefault(spec.default), spec.values.join(", "),
      computedCell(spec.computed),
      ...(actions ? [actions.rowButtons(spec)] : []),
    ]), { id: "property-table" });
}

function relationTable(type, ctx) {
  const touching = ctx.data.relationTypes.filter((r) => r.from === type.name || r.to === type.name);
  if (!touching.length) {
    return h("p", {}, t("schema.noRelations"));
  }
  const open = (name) => h("a", { href: "#/schema", onclick: (event) => {
    event.preventDefault();
    ctx.go({ view: "type", type: name });
  } }, name);
  return dataTable(t("schema.relationsOf", { name: type.name }),
    [[t("schema.name")], [t("schema.direction")], [t("schema.otherType")]],
    touching.flatMap((relation) => [
      ...(relation.from === type.name ? [[open(relation.name), t("schema.out"), relation.to]] : []),
      ...(relation.to === type.name ? [[open(relation.name), t("schema.in"), relation.from]] : []),
    ]));
}

/** The detail of the type named `ctx.state.type`. */
export function renderDetail(container, ctx) {
  const name = ctx.state.type;
  const entity = ctx.data.entityTypes.find((type) => type.name === name);
  const type = entity ?? ctx.data.relationTypes.find((relation) => relation.name === name);
  if (!type) {
    container.replaceChildren(h("p", { class: "error", role: "alert" },
      t("schema.unknownType", { name })));
    return;
  }
  const counts = entity ? ctx.data.typeCounts.entities : ctx.data.typeCounts.relations;
  const count = counts.find((c) => c.name === name)?.count ?? 0;
  const actions = ctx.canDefine ? propertyActions(type, ctx) : null;
  fill(container,
    h("div", { class: "page-head" },
      h("h2", { id: "detail-title", tabindex: "-1" },
        t(entity ? "schema.entityTypeOf" : "schema.relationTypeOf", { name: typeLabel(type) })),
      button(t("schema.back"), () => ctx.go({ view: "list" }), { quiet: true })),
    facts(type, Boolean(entity), count),
    propertyTable(type, actions),
    actions ? actions.panel : null,
    entity ? relationTable(type, ctx) : null,
    ctx.canDefine ? detailsForm(type, Boolean(entity), ctx) : null,
    ctx.canDefine ? dropTypeControl(type, Boolean(entity), ctx) : null,
  );
}
