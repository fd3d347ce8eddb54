// Impact policies: the list, and an editor per policy (its JSON; every refusal listed by its
// path, each pointing at its line) to define, alter or drop one.
import { graphql } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { ERROR_FIELDS, button, dataTable, errorIssues, fill, issuesOf, refusalText } from "./common.js";
import { layout, lineOf, selectLine } from "./json-layout.js";
import { policyFields } from "./policy-fields.js";

export const POLICIES_QUERY = `query SchemaPolicies {
  impactPolicies { name revision description source target definition }
}`;
const RESULT = `__typename ... on ImpactPolicyPayload { schemaVersion policy { name revision } }
  ${ERROR_FIELDS}`;
const SAVE = (name) => `mutation SavePolicy($policy: JSON!) { ${name}(policy: $policy) { ${RESULT} } }`;
const DROP = `mutation DropPolicy($name: String!) { dropImpactPolicy(name: $name) { ${RESULT} } }`;
const TEMPLATE = {
  name: "", description: "", source: "", target: "",
  steps: [{ relation: "", direction: "IN" }],
  signals: {},
  scoring: { weights: { urgency: 1 } },
  tiers: [{ tier: "T1", label: "", when: {} }],
};
let editing = null; // { name: null for a new policy, text }
// the server numbers revisions: the editor shows what a config officer writes
const withoutRevision = ({ revision: _, ...definition }) => definition;

function editor(ctx, policy, reload) {
  const isNew = editing.name === null;
  const area = h("textarea", { id: "policy-json", class: "code", rows: 22, spellcheck: "false",
    "aria-describedby": "policy-hint policy-refusals" }, editing.text);
  area.addEventListener("input", () => { editing.text = area.value; });
  const refusals = h("div", { id: "policy-refusals", class: "error", role: "alert" });
  const confirm = h("div", { class: "confirm", hidden: true });
  const fields = policyFields(area, ctx.data.entityTypes.map((type) => type.name), isNew,
    (text) => { editing.text = text; });
  function show(issues) {
    fields.mark(issues);
    let lines = new Map();
    try { // laid out again, the same content, so each path has its line
      ({ text: editing.text, lines } = layout(JSON.parse(area.value)));
      area.value = editing.text;
    } catch { /* not JSON: the refusal says where */ }
    area.setAttribute("aria-invalid", "true");
    refusals.replaceChildren(h("p", {}, t("schema.refused", { count: issues.length })),
      h("ul", {}, issues.map((issue) => {
        const line = lineOf(lines, issue.path ?? []);
        const where = (issue.path ?? []).join(".") || t("schema.policyWhole");
        return h("li", {}, button(t("schema.policyAt", { path: where, line: line + 1 }),
          () => selectLine(area, line), { quiet: true, class: "link" }),
        ` ${refusalText(issue)}`);
      })));
    refusals.querySelector("button")?.focus();
  }
  async function call(query, variables, field, notice) {
    refusals.replaceChildren();
    fields.mark([]);
    area.removeAttribute("aria-invalid");
    let issues;
    try {
      const answer = (await graphql(query, variables))[field];
      issues = answer.__typename === "Error" ? errorIssues(answer) : null;
    } catch (error) {
      issues = issuesOf(error);
    }
    if (issues) {
      show(issues);
      return;
    }
    editing = null;
    await reload(notice);
  }
  function save() {
    let parsed;
    try {
      parsed = JSON.parse(area.value);
    } catch (error) {
      show([{ code: "INVALID_JSON", message: String(error.message), path: [] }]);
      return;
    }
    const name = isNew ? "defineImpactPolicy" : "alterImpactPolicy";
    call(SAVE(name), { policy: parsed }, name,
      t("schema.policySaved", { name: parsed.name ?? "" }));
  }
  confirm.append(h("p", {}, t("schema.dropPolicyConfirm", { name: editing.name })),
    button(t("schema.dropConfirmButton", { name: editing.name }), () =>
      call(DROP, { name: editing.name }, "dropImpactPolicy",
        t("schema.policyDropped", { name: editing.name })), { danger: true, id: "drop-policy-confirm" }),
    button(t("schema.cancel"), () => { confirm.hidden = true; }, { quiet: true }));
  return h("section", { class: "card wide", "aria-labelledby": "policy-editor-title" },
    h("h3", { id: "policy-editor-title", tabindex: "-1" },
      isNew ? t("schema.newPolicy") : t("schema.editPolicy", { name: editing.name })),
    fields.element,
    h("label", { for: "policy-json" }, t("schema.policyJson")),
    h("p", { id: "policy-hint", class: "hint" }, t("schema.policyHint")),
    area, refusals,
    h("div", { class: "actions" },
      button(isNew ? t("schema.definePolicy") : t("schema.save"), save, { id: "save-policy" }),
      isNew ? null : button(t("schema.dropPolicy"), () => {
        confirm.hidden = false;
        confirm.querySelector("button").focus();
      }, { danger: true, quiet: true }),
      button(t("schema.cancel"), () => { editing = null; reload(); }, { quiet: true })),
    confirm);
}

export async function renderPolicies(container, ctx) {
  const { impactPolicies } = await graphql(POLICIES_QUERY);
  if (!ctx.current()) {
    return;
  }
  const reload = (notice) => ctx.go({ view: "policies", notice });
  const open = (policy) => {
    editing = policy
      ? { name: policy.name, text: layout(withoutRevision(policy.definition)).text }
      : { name: null, text: layout(TEMPLATE).text };
    renderPolicies(container, ctx).then(() =>
      container.querySelector("#policy-editor-title")?.focus());
  };
  const rows = impactPolicies.map((policy) => [
    ctx.canDefine ? button(policy.name, () => open(policy),
      { quiet: true, class: "link", "aria-label": t("schema.editPolicy", { name: policy.name }) })
      : policy.name,
    String(policy.revision), `${policy.source} → ${policy.target}`, policy.description]);
  fill(container,
    dataTable(t("schema.policies"), [[t("schema.name")], [t("schema.revision"), true],
      [t("schema.policyPath")], [t("schema.description")]], rows, { id: "policy-table" }),
    impactPolicies.length ? null : h("p", {}, t("schema.noPolicies")),
    ctx.canDefine && !editing ? button(t("schema.newPolicy"), () => open(null),
      { id: "new-policy" }) : null,
    ctx.canDefine && editing ? editor(ctx, null, reload) : null);
}
