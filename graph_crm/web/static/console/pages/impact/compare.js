// What-if side by side (impactComparison): the report's source under two settings (two
// delays, or two as-of times): both sides' totals, who enters, who leaves, who changes tier.
import { ApiError, graphql } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { asOfArgument, field, showRefusal } from "./form.js";
import { amount, number, utcText } from "./format.js";

export const COMPARE_QUERY = `query ImpactCompare($source: ID!, $policy: String,
    $base: ImpactSettingInput!, $other: ImpactSettingInput!) {
  impactComparison(source: $source, policy: $policy, base: $base, other: $other, limit: 500) {
    complete enteredCount leftCount tierChangeCount unchanged currency
    base { delayDays asOf totals { affected predictedBreaches exposureAtRisk byTier { tier label count } } }
    other { delayDays asOf totals { affected predictedBreaches exposureAtRisk byTier { tier label count } } }
    entered { target label rank tier tierLabel tierRule }
    left { target label rank tier tierLabel }
    tierChanges { target label fromTier fromTierLabel fromRank toTier toTierLabel toRank reason }
  }
}`;

// Rows each list of the comparison holds (the query's limit); the counts are all of them.
const LISTED = 500;

function sides(result) {
  const rows = [
    [t("impact.affected"), (s) => number(s.totals.affected)],
    [t("impact.breaches"), (s) => number(s.totals.predictedBreaches)],
    [t("impact.exposure"), (s) => amount(s.totals.exposureAtRisk, result.currency)],
    ...result.base.totals.byTier.map((tier, index) =>
      [`${tier.tier} · ${tier.label}`, (s) => number(s.totals.byTier[index].count)]),
  ];
  const title = (side) => t("impact.sideTitle", { days: number(side.delayDays, 1),
    asOf: utcText(side.asOf) });
  return h("table", { class: "data", id: "impact-sides" },
    h("caption", {}, t("impact.sides")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("impact.measure")),
      h("th", { scope: "col", class: "num" }, title(result.base)),
      h("th", { scope: "col", class: "num" }, title(result.other)))),
    h("tbody", {}, rows.map(([name, value]) => h("tr", {}, h("th", { scope: "row" }, name),
      h("td", { class: "num" }, value(result.base)),
      h("td", { class: "num" }, value(result.other))))));
}

function list(id, caption, count, headings, rows) {
  return h("table", { class: "data", id },
    h("caption", {}, t(caption, { count: number(count) })),
    h("thead", {}, h("tr", {}, headings.map((text) => h("th", { scope: "col" }, text)))),
    h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: headings.length },
      t("impact.nobody")))));
}

function results(result) {
  const customer = t("impact.column.label");
  return [
    sides(result),
    list("impact-changes", "impact.tierChanges", result.tierChangeCount,
      [customer, t("impact.fromTo"), t("impact.column.rank"), t("impact.reason")],
      result.tierChanges.map((c) => h("tr", {}, h("th", { scope: "row" }, c.label),
        h("td", { class: "nowrap" }, `${c.fromTier} → ${c.toTier}`),
        h("td", { class: "nowrap" }, `${c.fromRank} → ${c.toRank}`),
        h("td", {}, c.reason)))),
    list("impact-entered", "impact.entered", result.enteredCount,
      [customer, t("impact.column.tier"), t("impact.reason")],
      result.entered.map((c) => h("tr", {}, h("th", { scope: "row" }, c.label),
        h("td", {}, `${c.tier} · ${c.tierLabel}`), h("td", {}, c.tierRule)))),
    list("impact-left", "impact.left", result.leftCount,
      [customer, t("impact.column.tier")],
      result.left.map((c) => h("tr", {}, h("th", { scope: "row" }, c.label),
        h("td", {}, `${c.tier} · ${c.tierLabel}`)))),
    h("p", { class: "hint" }, t("impact.unchanged", { count: number(result.unchanged) })),
    ...(result.complete ? [] : [h("p", { class: "hint" }, t("impact.incomplete"))]),
    ...(Math.max(result.enteredCount, result.leftCount, result.tierChangeCount) > LISTED
      ? [h("p", { class: "hint" }, t("impact.listed", { count: LISTED }))] : []),
  ];
}

/** The what-if form and its last answer; `saved` keeps both across renders. */
export function compareSection(run, saved) {
  const input = (id, type, value) => {
    const control = h("input", { id, type, "aria-describedby": `${id}-error`,
      ...(type === "number" ? { min: "0", max: "365", step: "0.5" } : { step: "60" }) });
    control.value = value;
    return control;
  };
  const values = saved.values ?? { baseDelay: "3", baseAsOf: run.asOfField,
    otherDelay: String(run.delayDays), otherAsOf: run.asOfField };
  const controls = {
    baseDelay: input("impact-base-delay", "number", values.baseDelay),
    baseAsOf: input("impact-base-asof", "datetime-local", values.baseAsOf),
    otherDelay: input("impact-other-delay", "number", values.otherDelay),
    otherAsOf: input("impact-other-asof", "datetime-local", values.otherAsOf),
  };
  const output = h("div", { id: "impact-compare-results", tabindex: "-1", role: "region",
    "aria-label": t("impact.compareResults") },
  saved.result ? results(saved.result) : []);
  const problem = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "card impact-form", novalidate: true,
    "aria-labelledby": "impact-compare-title" },
  h("h2", { id: "impact-compare-title" }, t("impact.compareTitle")),
  h("p", {}, t("impact.compareIntro")),
  h("div", { class: "impact-fields" },
    field("impact-base-delay", t("impact.baseDelay"), controls.baseDelay),
    field("impact-base-asof", t("impact.baseAsOf"), controls.baseAsOf),
    field("impact-other-delay", t("impact.otherDelay"), controls.otherDelay),
    field("impact-other-asof", t("impact.otherAsOf"), controls.otherAsOf)),
  problem,
  h("button", { type: "submit", class: "button", id: "impact-compare" }, t("impact.compare")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    saved.values = Object.fromEntries(Object.entries(controls).map(([k, c]) => [k, c.value]));
    const side = (name, delay, asOf) => {
      if (delay === "" || !Number.isFinite(Number(delay))) {
        throw new ApiError("INVALID_INPUT", t("impact.delayInvalid"), null, [name, "delayDays"]);
      }
      return { delayDays: Number(delay), asOf: asOfArgument(asOf) };
    };
    try {
      const data = await graphql(COMPARE_QUERY, { source: run.source, policy: run.policy,
        base: side("base", controls.baseDelay.value, controls.baseAsOf.value),
        other: side("other", controls.otherDelay.value, controls.otherAsOf.value) });
      saved.result = data.impactComparison;
      showRefusal(form, null, {}, problem); // clears what an earlier refusal showed
      output.replaceChildren(...results(saved.result));
      output.focus();
    } catch (error) {
      showRefusal(form, error, { "base.delayDays": "impact-base-delay",
        "base.asOf": "impact-base-asof", "other.delayDays": "impact-other-delay",
        "other.asOf": "impact-other-asof" }, problem);
    }
  });
  return h("section", { class: "impact-compare", "aria-labelledby": "impact-compare-title" },
    form, output);
}
