// An incident's versions, newest first: why each was made, its totals, and its diff to
// the one before, per policy (who entered, who left, whose tier changed and why). A
// version's diff is asked for when it is opened (the newest is, at once): one read of
// every version's diff would exceed what one query may cost.
import { graphql } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { amount, number } from "../impact/format.js";
import { moment } from "./common.js";

export const VERSION_FIELDS = `number reason createdAt delayDays changes
  totals { affected predictedBreaches exposureAtRisk byTier { tier count } }`;
export const DIFF_QUERY = `query IncidentDiff($id: ID!, $since: Int!) {
  incident(id: $id) { versions(since: $since, first: 1) { items { number
    diff { policy unchanged complete
      entered { target label tier rank } left { target label tier rank }
      tierChanges { target label fromTier toTier fromRank toRank reason } } } } }
}`;
// The most versions the page reads (the API's limit for one read).
export const SHOWN_VERSIONS = 20;

// rows a diff table shows before "Show all"
const FIRST_ROWS = 10;

/** The table's body rows, those after the first FIRST_ROWS hidden until "Show all". */
function limited(id, table, rows) {
  rows.forEach((row, index) => { row.hidden = index >= FIRST_ROWS; });
  table.append(h("tbody", {}, rows));
  if (rows.length <= FIRST_ROWS) {
    return h("div", { class: "table-scroll" }, table);
  }
  const more = h("button", { type: "button", class: "button quiet", id: `${id}-all`,
    "aria-controls": id }, t("incidents.showAll", { count: number(rows.length) }));
  more.addEventListener("click", () => {
    rows.forEach((row) => { row.hidden = false; });
    more.remove();
    rows[FIRST_ROWS].querySelector("th")?.setAttribute("tabindex", "-1");
    rows[FIRST_ROWS].querySelector("th")?.focus();
  });
  return h("div", { class: "table-scroll" }, table, more);
}

function targets(id, title, rows) {
  if (!rows.length) {
    return null;
  }
  return limited(id, h("table", { class: "data incident-diff", id },
    h("caption", {}, t(title, { count: number(rows.length) })),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, t("impact.column.label")),
      h("th", { scope: "col" }, t("impact.column.tier")),
      h("th", { scope: "col", class: "num" }, t("impact.column.rank"))))),
  rows.map((row) => h("tr", { "data-target": row.target },
    h("th", { scope: "row" }, row.label), h("td", {}, row.tier),
    h("td", { class: "num" }, number(row.rank)))));
}

function tierChanges(id, rows) {
  if (!rows.length) {
    return null;
  }
  return limited(id, h("table", { class: "data incident-diff", id },
    h("caption", {}, t("impact.tierChanges", { count: number(rows.length) })),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, t("impact.column.label")),
      h("th", { scope: "col" }, t("impact.fromTo")),
      h("th", { scope: "col" }, t("incidents.diffReason"))))),
  rows.map((row) => h("tr", { "data-target": row.target },
    h("th", { scope: "row" }, row.label),
    h("td", { class: "nowrap" }, `${row.fromTier} #${row.fromRank} → ${row.toTier} #${row.toRank}`),
    h("td", {}, row.reason))));
}

function policyDiff(version, diff) {
  const id = `v${version.number}-${diff.policy.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  const nothing = !diff.entered.length && !diff.left.length && !diff.tierChanges.length;
  return h("div", { class: "incident-policy-diff", "data-policy": diff.policy },
    h("h4", {}, t("incidents.diffTitle", { policy: diff.policy })),
    h("p", { class: "hint" }, t("incidents.diffSummary", { entered: number(diff.entered.length),
      left: number(diff.left.length), changed: number(diff.tierChanges.length),
      unchanged: number(diff.unchanged) })),
    diff.complete ? null : h("p", { class: "hint" }, t("incidents.diffIncomplete")),
    nothing ? h("p", {}, t("incidents.diffNothing")) : null,
    tierChanges(`${id}-changed`, diff.tierChanges),
    targets(`${id}-entered`, "impact.entered", diff.entered),
    targets(`${id}-left`, "impact.left", diff.left));
}

/** Fills `area` with the version's diff, read once. */
async function loadDiff(area, incidentId, version) {
  if (area.dataset.state) {
    return;
  }
  area.dataset.state = "loading";
  area.setAttribute("aria-busy", "true");
  area.replaceChildren(h("p", { class: "loading" }, t("loading")));
  try {
    const data = await graphql(DIFF_QUERY, { id: incidentId, since: version.number - 1 });
    const found = data.incident?.versions.items[0];
    area.replaceChildren(...(found ? found.diff.map((diff) => policyDiff(version, diff)) : []));
    area.dataset.state = "loaded";
  } catch (error) {
    area.replaceChildren(h("p", { class: "error", role: "alert" },
      error.code ? `${error.message} (${error.code})` : String(error)));
    delete area.dataset.state;
  } finally {
    area.removeAttribute("aria-busy");
  }
}

function versionItem(version, incidentId, newest) {
  const totals = version.totals;
  const area = h("div", { class: "incident-diff-area", id: `version-${version.number}-diff` });
  const details = h("details", { open: newest, class: "incident-diff-details" },
    h("summary", {}, t("incidents.diff")), area);
  details.addEventListener("toggle", () => details.open && loadDiff(area, incidentId, version));
  if (newest) {
    loadDiff(area, incidentId, version);
  }
  return h("li", { class: "card incident-version", "data-version": version.number },
    h("h3", { id: `version-${version.number}-title` }, t("incidents.versionTitle", {
      number: version.number, reason: t(`incidents.reason.${version.reason.replace(/[^a-z]/g, "_")}`) })),
    h("p", { class: "hint" }, moment(version.createdAt), " · ",
      t("incidents.versionDelay", { days: number(version.delayDays, 1) })),
    version.changes.length
      ? h("p", { class: "hint incident-changes" },
        t("incidents.changes", { changes: version.changes.join(", ") }))
      : null,
    h("ul", { class: "incident-totals", "aria-label": t("impact.kpis") },
      h("li", {}, h("strong", {}, number(totals.affected)), " ", t("impact.affected")),
      h("li", {}, h("strong", {}, number(totals.predictedBreaches)), " ", t("impact.breaches")),
      h("li", {}, h("strong", {}, amount(totals.exposureAtRisk)), " ", t("impact.exposure")),
      totals.byTier.map((tier) => h("li", {}, h("strong", {}, number(tier.count)), " ", tier.tier))),
    details);
}

/** The section of versions, newest first (`page` is the API's IncidentVersionPage of the
 * last SHOWN_VERSIONS, oldest first). */
export function versionsSection(page, incident) {
  const newestFirst = [...page.items].reverse();
  return h("section", { id: "incident-versions", "aria-labelledby": "incident-versions-title" },
    h("h2", { id: "incident-versions-title" }, t("incidents.versions", { count: incident.version })),
    incident.version > newestFirst.length
      ? h("p", { class: "hint" }, t("incidents.olderVersions", { count: newestFirst.length }))
      : null,
    h("ol", { class: "incident-version-list", reversed: true },
      newestFirst.map((version, index) => versionItem(version, incident.id, index === 0))));
}
