// A report: KPI cards, then the ranked table: sortable columns (aria-sort), a tier
// filter and a customer search, 25 rows a page. The view (sort, filter, page) lives in
// `view`, which the page keeps across renders.
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { amount, number } from "./format.js";

const PAGE_ROWS = 25;
const COLUMNS = [
  { key: "rank", numeric: true, value: (r) => r.rank, show: (r) => number(r.rank) },
  { key: "label", value: (r) => r.label.toLocaleLowerCase(), show: null },
  { key: "tier", value: (r) => r.tier, show: (r) => `${r.tier} · ${r.tierLabel}` },
  { key: "score", numeric: true, value: (r) => r.score, show: (r) => number(r.score, 3) },
  { key: "slaBufferDays", numeric: true, value: (r) => r.slaBufferDays ?? Infinity,
    show: (r) => r.slaBufferDays === null ? "—" : number(r.slaBufferDays, 1) },
  { key: "complaints", numeric: true, value: (r) => r.complaints, show: (r) => number(r.complaints) },
  { key: "exposure", numeric: true, value: (r) => r.exposure, show: null },
];

function kpis(report) {
  const totals = report.totals;
  const card = (value, label, extra) => h("li", { class: "card kpi" },
    h("span", { class: "kpi-value" }, value), h("span", { class: "kpi-label" }, label),
    extra ? h("span", { class: "kpi-extra" }, extra) : null);
  return h("ul", { class: "impact-kpis", "aria-label": t("impact.kpis") },
    card(number(totals.affected), t("impact.affected")),
    card(number(totals.predictedBreaches), t("impact.breaches")),
    card(amount(totals.exposureAtRisk, report.currency), t("impact.exposure")),
    totals.byTier.map((tier) => card(number(tier.count), `${tier.tier} · ${tier.label}`,
      tier.rule)));
}

function visibleRows(report, view) {
  const search = view.search.trim().toLocaleLowerCase();
  const column = COLUMNS.find((c) => c.key === view.sort.key) ?? COLUMNS[0];
  const sign = view.sort.direction === "descending" ? -1 : 1;
  return report.targets
    .filter((row) => !view.tier || row.tier === view.tier)
    .filter((row) => !search || row.label.toLocaleLowerCase().includes(search)
      || row.target.toLocaleLowerCase().includes(search))
    .sort((a, b) => {
      const [x, y] = [column.value(a), column.value(b)];
      return (x < y ? -1 : x > y ? 1 : 0) * sign || a.rank - b.rank;
    });
}

function header(column, view, onSort) {
  const sorted = view.sort.key === column.key;
  const label = t(`impact.column.${column.key}`);
  return h("th", { scope: "col", class: column.numeric ? "num" : null,
    "aria-sort": sorted ? view.sort.direction : "none" },
  h("button", { type: "button", class: "sort", "data-sort": column.key,
    onclick: () => onSort(column.key) }, label,
  h("span", { "aria-hidden": "true", class: "sort-mark" },
    sorted ? (view.sort.direction === "ascending" ? " ▲" : " ▼") : "")));
}

function row(target, report, selected, onOpen) {
  return h("tr", { "data-target": target.target,
    class: target.target === selected ? "selected" : null,
    onclick: (event) => event.target.closest("button") || onOpen(target) },
  COLUMNS.map((column) => {
    if (column.key === "label") {
      return h("th", { scope: "row" }, h("button", { type: "button", class: "link",
        "aria-expanded": String(target.target === selected), "aria-controls": "impact-why",
        onclick: () => onOpen(target) }, target.label));
    }
    const text = column.key === "exposure"
      ? amount(target.exposure, report.currency) : column.show(target);
    return h("td", { class: column.numeric ? "num" : null }, text);
  }));
}

/** The report's summary and table into `container`; `onChange()` re-renders it. */
export function renderResults(container, report, view, { selected, onOpen, onChange }) {
  const rows = visibleRows(report, view);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_ROWS));
  view.page = Math.min(view.page, pages - 1);
  const shown = rows.slice(view.page * PAGE_ROWS, (view.page + 1) * PAGE_ROWS);
  const onSort = (key) => {
    const same = view.sort.key === key;
    view.sort = { key, direction: same && view.sort.direction === "ascending"
      ? "descending" : "ascending" };
    view.page = 0;
    onChange(`[data-sort="${key}"]`);
  };
  const tierFilter = h("select", { id: "impact-tier-filter",
    onchange: (event) => { view.tier = event.target.value; view.page = 0; onChange("#impact-tier-filter"); } },
  h("option", { value: "" }, t("impact.allTiers")),
  report.totals.byTier.map((tier) => h("option", { value: tier.tier, selected: tier.tier === view.tier },
    `${tier.tier} · ${tier.label}`)));
  const search = h("input", { id: "impact-search", type: "search", value: view.search,
    oninput: (event) => { view.search = event.target.value; view.page = 0; onChange("#impact-search"); } });
  const move = (step, id) => () => { view.page += step; onChange(id); };
  container.replaceChildren(
    kpis(report),
    h("div", { class: "impact-filters" },
      h("div", { class: "field" }, h("label", { for: "impact-tier-filter" }, t("impact.filterTier")), tierFilter),
      h("div", { class: "field" }, h("label", { for: "impact-search" }, t("impact.search")), search)),
    h("div", { class: "table-scroll" }, h("table", { class: "data impact-table", id: "impact-table" },
      h("caption", {}, t("impact.tableCaption", { shown: number(rows.length),
        total: number(report.totals.affected) })),
      h("thead", {}, h("tr", {}, COLUMNS.map((column) => header(column, view, onSort)))),
      h("tbody", {}, shown.length ? shown.map((target) => row(target, report, selected, onOpen))
        : h("tr", {}, h("td", { colspan: COLUMNS.length }, t("impact.noRows")))))),
    h("nav", { class: "pager", "aria-label": t("impact.pages") },
      h("button", { type: "button", class: "button quiet", id: "impact-previous",
        disabled: view.page === 0, onclick: move(-1, "#impact-previous") }, t("impact.previous")),
      h("span", { role: "status" }, t("impact.pageOf", { page: view.page + 1, pages })),
      h("button", { type: "button", class: "button quiet", id: "impact-next",
        disabled: view.page >= pages - 1, onclick: move(1, "#impact-next") }, t("impact.next"))),
    ...(report.truncated ? [h("p", { class: "hint" }, t("impact.truncated"))] : []),
  );
  if (search.value) { // keep the caret at the end after a re-render while typing
    search.setSelectionRange(search.value.length, search.value.length);
  }
}
