// The checklist: per affected customer, its plan's actions, each a checkbox; who ticked it
// and when. 20 customers a page; ticking one is a call the detail makes (onToggle).
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { number } from "../impact/format.js";
import { moment } from "./common.js";

const PAGE_CUSTOMERS = 20;

/** The items grouped by customer, in the checklist's order. */
function byCustomer(items) {
  const groups = new Map();
  items.forEach((item, index) => {
    if (!groups.has(item.target)) {
      groups.set(item.target, { target: item.target, label: item.label, items: [] });
    }
    groups.get(item.target).items.push({ ...item, index });
  });
  return [...groups.values()];
}

function action(item, canTick, onToggle) {
  const id = `check-${item.index}`;
  const box = h("input", { type: "checkbox", id, checked: item.done, disabled: !canTick,
    "data-target": item.target, "data-action": item.action,
    "aria-describedby": `${id}-by` });
  box.addEventListener("change", () => onToggle(item, box));
  return h("li", { class: "incident-check" },
    box, " ", h("label", { for: id }, item.action),
    h("span", { id: `${id}-by`, class: "hint incident-check-by" },
      item.by ? [t(item.done ? "incidents.doneBy" : "incidents.undoneBy", { who: item.by }), " ",
        moment(item.at)] : ""));
}

/** The checklist section; `view.page` is kept by the caller across renders. */
export function checklistSection(items, view, { canTick, onToggle, onPage }) {
  const groups = byCustomer(items);
  const pages = Math.max(1, Math.ceil(groups.length / PAGE_CUSTOMERS));
  view.page = Math.min(view.page, pages - 1);
  const shown = groups.slice(view.page * PAGE_CUSTOMERS, (view.page + 1) * PAGE_CUSTOMERS);
  const done = items.filter((item) => item.done).length;
  return h("section", { id: "incident-checklist", "aria-labelledby": "incident-checklist-title" },
    h("h2", { id: "incident-checklist-title", tabindex: "-1" }, t("incidents.checklist")),
    h("p", { class: "hint", id: "incident-checklist-summary" }, t("incidents.checklistSummary", {
      done: number(done), total: number(items.length), customers: number(groups.length) })),
    groups.length ? null : h("p", {}, t("incidents.checklistEmpty")),
    h("div", { class: "incident-checklist" }, shown.map((group) => h("fieldset", {
      class: "incident-customer", "data-target": group.target },
    h("legend", {}, group.label, " ", h("span", { class: "hint" }, group.target)),
    h("ul", {}, group.items.map((item) => action(item, canTick, onToggle)))))),
    pages > 1 ? h("nav", { class: "pager", "aria-label": t("incidents.checklistPages") },
      h("button", { type: "button", class: "button quiet", id: "checklist-previous",
        disabled: view.page === 0, onclick: () => onPage(-1) }, t("impact.previous")),
      h("span", {}, t("impact.pageOf", { page: view.page + 1, pages })),
      h("button", { type: "button", class: "button quiet", id: "checklist-next",
        disabled: view.page >= pages - 1, onclick: () => onPage(1) }, t("impact.next")))
      : null);
}
