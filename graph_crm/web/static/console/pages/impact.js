// The Impact page, for risk teams: run a report (policy, source, delay, as-of), read its
// KPIs and ranked table, open a customer's why, download the report as the CLI writes it,
// and compare two settings side by side. It only reads; the server checks every call.
// What was asked and shown is kept here across renders (a language switch keeps it all).
import { graphql, graphiqlHref } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { signedInKey } from "../session.js";
import { compareSection } from "./impact/compare.js";
import { downloads } from "./impact/downloads.js";
import { number, utcText } from "./impact/format.js";
import { asOfArgument, runForm } from "./impact/form.js";
import { renderResults } from "./impact/results.js";
import { renderWhy } from "./impact/why.js";

const SETUP_QUERY = `query ImpactSetup {
  impactPolicies { name source target description }
  entityTypes { name labelProperty properties { name kind } }
}`;
export const REPORT_QUERY = `query ImpactPage($source: ID!, $policy: String,
    $delayDays: Float!, $asOf: String!) {
  impactReport(source: $source, policy: $policy, delayDays: $delayDays, asOf: $asOf,
               limit: 500) {
    asOf policy policyRevision currency source sourceLabel delayDays truncated
    totals { affected exposureAtRisk predictedBreaches byTier { tier label rule count } }
    targets {
      rank target label tier tierLabel tierRule tierFormula score slaBufferDays complaints
      exposure pathCount actions
      components { name value weight contribution reason }
      paths { id label }
    }
  }
}`;
const LABEL_NAMES = ["name", "title", "label"];
const fresh = () => ({ key: signedInKey(), values: {}, run: null, report: null,
  selected: null, compare: {},
  view: { sort: { key: "rank", direction: "ascending" }, tier: "", search: "", page: 0 } });
let state = fresh();

/** The property that names an entity of `type` (as the server picks it), or null. */
function labelPropertyOf(type) {
  if (!type) {
    return null;
  }
  const strings = type.properties.filter((p) => p.kind === "STRING").map((p) => p.name);
  return type.labelProperty ?? LABEL_NAMES.find((name) => strings.includes(name)) ?? null;
}

function reportTitle(report) {
  return t("impact.reportTitle", { days: number(report.delayDays, 1),
    source: report.sourceLabel, asOf: utcText(report.asOf) });
}

/** Renders the page into `main` unless `current()` says a newer render took over. */
export async function renderImpact(main, current) {
  if (state.key !== signedInKey()) {
    state = fresh(); // another sign-in: nothing of the last one's reports stays
  }
  const setup = await graphql(SETUP_QUERY);
  if (!current()) {
    return;
  }
  const types = new Map(setup.entityTypes.map((type) => [type.name, type]));
  const policies = setup.impactPolicies.map((policy) => ({ ...policy,
    labelProperty: labelPropertyOf(types.get(policy.source)) }));
  const head = h("div", { class: "page-head" },
    h("h1", { id: "page-title", tabindex: "-1" }, t("page.impact")),
    h("a", { class: "button quiet", href: graphiqlHref(REPORT_QUERY, state.run?.variables) },
      t("schema.showGraphql")));
  if (!policies.length) {
    main.replaceChildren(head, h("p", { role: "status" }, t("impact.noPolicy")));
    return;
  }
  const results = h("section", { id: "impact-results", "aria-labelledby": "impact-results-title" });
  const why = h("section", { id: "impact-why", class: "card impact-why",
    "aria-labelledby": "impact-why-title" });
  const compare = h("div", { id: "impact-compare-area" });
  results.hidden = why.hidden = true;

  const showResults = (focusSelector) => {
    const report = state.report;
    const table = h("div", { id: "impact-table-area" });
    results.replaceChildren(
      h("h2", { id: "impact-results-title", tabindex: "-1" }, reportTitle(report)),
      h("p", { class: "hint" }, t("impact.policyLine", { policy: report.policy,
        revision: report.policyRevision })),
      downloads({ source: report.source, policy: report.policy, delayDays: report.delayDays,
        asOf: report.asOf }),
      table);
    renderResults(table, report, state.view, { selected: state.selected, onOpen: openWhy,
      onChange: (selector) => {
        showResults();
        const again = results.querySelector(selector);
        (again && !again.disabled ? again : results.querySelector(".pager button:not(:disabled)"))
          ?.focus();
      } });
    results.hidden = false;
    if (focusSelector) {
      results.querySelector(focusSelector)?.focus();
    }
  };
  const showWhy = async (focus) => {
    const target = state.report.targets.find((row) => row.target === state.selected);
    if (!target) {
      why.hidden = true;
      return;
    }
    const drawn = renderWhy(why, target, state.report, current);
    if (focus) {
      why.querySelector("#impact-why-title").focus();
    }
    await drawn;
  };
  async function openWhy(target) {
    state.selected = target.target;
    showResults();
    await showWhy(true);
  }
  const showCompare = () => compare.replaceChildren(compareSection(state.run, state.compare));

  const onRun = async (args) => {
    const variables = { source: args.source, policy: args.policy, delayDays: args.delayDays,
      asOf: asOfArgument(args.asOfField) };
    const data = await graphql(REPORT_QUERY, variables);
    if (!current()) {
      return;
    }
    state.values = { policy: args.policy, source: { id: args.source, label: args.sourceLabel },
      delayDays: args.delayDays, asOf: args.asOfField };
    state.run = { ...args, variables };
    state.report = data.impactReport;
    state.selected = null;
    state.compare = {};
    state.view.page = 0;
    why.hidden = true;
    head.querySelector("a").href = graphiqlHref(REPORT_QUERY, variables);
    showResults("#impact-results-title");
    showCompare();
  };
  const renderForm = () => runForm({ policies, values: state.values, onRun,
    onPolicy: (name) => {
      state.values = { ...state.values, policy: name, source: null };
      const fresh = renderForm();
      main.querySelector("#impact-run-form").replaceWith(fresh);
      fresh.querySelector("#impact-policy").focus();
    } });
  const form = renderForm();
  main.replaceChildren(head, h("p", {}, t("impact.intro")), form, results, why, compare);
  if (state.report) {
    showResults();
    showCompare();
    await showWhy(false);
  }
}
