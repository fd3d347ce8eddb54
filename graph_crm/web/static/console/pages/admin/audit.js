// The audit log browser: filters (actor, kind, action, type, a time range read in the
// browser's zone), newest or oldest first, pages by cursor, a row opening to its details.
import { graphql } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { field, refuseAt, signedOut, when } from "./parts.js";

export const AUDIT_QUERY = `query AdminAudit($since: DateTime, $until: DateTime,
    $actor: String, $type: String, $kind: String, $action: String,
    $order: AuditLogOrder!, $first: Int!, $after: String) {
  auditLog(since: $since, until: $until, actor: $actor, type: $type, kind: $kind,
      action: $action, order: $order, first: $first, after: $after) {
    totalCount
    edges { node { id at actor action kind type ids before after summary } }
    pageInfo { hasNextPage endCursor }
  }
}`;
export const PAGE_SIZE = 20;
const KINDS = ["entityType", "relationType", "impactPolicy", "registry", "entity", "relation",
  "apiKey", "integration", "webhook", "incident", "operation"];
const ACTIONS = ["define", "alter", "drop", "upsert", "link", "unlink", "delete", "import",
  "key.create", "key.revoke", "integration.create", "integration.revoke", "webhook.create",
  "webhook.revoke", "webhook.replay", "incident.open", "incident.change", "access.denied"];
const SHOWN_IDS = 2;
const COLUMNS = ["at", "actor", "action", "kind", "type", "ids", "details"];
const DETAILS = ["id", "at", "actor", "ids", "summary", "before", "after"];

function choices(values, prefix) {
  return [h("option", { value: "" }, t("admin.any")),
    ...values.map((value) => h("option", { value }, t(`${prefix}.${value}`)))];
}

/** A datetime-local value (the browser's zone) as an ISO instant, or null when empty. */
function instant(value) {
  const parsed = value ? new Date(value) : null;
  return parsed && !Number.isNaN(parsed.getTime()) ? parsed.toISOString() : null;
}

function json(value) {
  return h("pre", { class: "json" }, value === null || value === undefined ? "—"
    : JSON.stringify(value, null, 2));
}

function details(record, id) {
  const item = (term, ...value) => [h("dt", {}, t(`admin.detail.${term}`)), h("dd", {}, ...value)];
  return h("tr", { id, class: "audit-details", hidden: true },
    h("td", { colspan: COLUMNS.length }, h("dl", {},
      item("id", h("code", {}, record.id)),
      item("at", h("code", {}, record.at)),
      item("actor", record.actor),
      item("ids", record.ids.length ? h("ul", {}, record.ids.map((gid) => h("li", {},
        h("code", {}, gid)))) : "—"),
      item("summary", json(record.summary)),
      item("before", json(record.before)),
      item("after", json(record.after)))));
}

function rows(records) {
  return records.flatMap((record, index) => {
    const id = `audit-details-${index}`;
    const more = record.ids.length - SHOWN_IDS;
    const open = h("button", { type: "button", class: "button quiet small",
      "aria-expanded": "false", "aria-controls": id,
      onclick: () => {
        const shown = open.getAttribute("aria-expanded") === "true";
        open.setAttribute("aria-expanded", String(!shown));
        document.getElementById(id).hidden = shown;
      } }, t("admin.details"));
    return [h("tr", { "data-action": record.action, "data-ids": record.ids.join(" ") },
      h("th", { scope: "row" }, when(record.at)),
      h("td", { class: "actor" }, record.actor),
      h("td", { class: "nowrap" }, t(`admin.action.${record.action}`)),
      h("td", { class: "nowrap" }, t(`admin.kind.${record.kind}`)),
      h("td", {}, record.type ?? "—"),
      h("td", { class: "ids" }, record.ids.slice(0, SHOWN_IDS).join(", "),
        more > 0 ? ` ${t("admin.moreIds", { count: more })}` : ""),
      h("td", {}, open)), details(record, id)];
  });
}

/** The audit part into `section`; actors offered from `keys`. Resolves once loaded. */
export async function renderAudit(section, keys) {
  const actor = field("audit-actor", t("admin.actor"),
    h("input", { type: "text", list: "audit-actors", autocomplete: "off" }), t("admin.actorHint"));
  const kind = field("audit-kind", t("admin.kind"), h("select", {}, choices(KINDS, "admin.kind")));
  const action = field("audit-action", t("admin.action"),
    h("select", {}, choices(ACTIONS, "admin.action")));
  const type = field("audit-type", t("admin.type"), h("input", { type: "text" }));
  const since = field("audit-since", t("admin.since"),
    h("input", { type: "datetime-local", step: 1 }), t("admin.zoneHint"));
  const until = field("audit-until", t("admin.until"),
    h("input", { type: "datetime-local", step: 1 }), t("admin.untilHint"));
  const order = field("audit-order", t("admin.order"), h("select", {},
    h("option", { value: "NEWEST_FIRST" }, t("admin.newest")),
    h("option", { value: "OLDEST_FIRST" }, t("admin.oldest"))));
  const fields = { actor, kind, action, type, since, until };
  const general = h("p", { id: "audit-error", class: "error", role: "alert" });
  const status = h("p", { id: "audit-status", class: "status", role: "status", tabindex: "-1" });
  const holder = h("div", { class: "table-scroll", id: "audit-results" });
  const previous = h("button", { type: "button", class: "button quiet", disabled: true,
    onclick: () => load(page - 1, previous) }, t("admin.previous"));
  const next = h("button", { type: "button", class: "button quiet", disabled: true,
    onclick: () => load(page + 1, next) }, t("admin.next"));
  let cursors = [null];
  let page = 0;
  let loads = 0;

  function variables(after) {
    const text = (one) => one.control.value.trim() || null;
    return { actor: text(actor), type: text(type), kind: text(kind), action: text(action),
      since: instant(since.control.value), until: instant(until.control.value),
      order: order.control.value, first: PAGE_SIZE, after };
  }

  async function load(wanted, pressed = null) {
    const mine = ++loads; // a slower, older answer must not replace a newer one
    holder.setAttribute("aria-busy", "true"); // until the newest answer has landed
    let answer;
    try {
      answer = (await graphql(AUDIT_QUERY, variables(cursors[wanted]))).auditLog;
    } catch (error) {
      if (mine === loads) {
        holder.removeAttribute("aria-busy");
        if (!signedOut(error)) {
          refuseAt(fields, general, error, error.inputPath)?.control.focus();
        }
      }
      return;
    }
    if (mine !== loads) {
      return;
    }
    holder.removeAttribute("aria-busy");
    Object.values(fields).forEach((each) => each.clear());
    general.textContent = "";
    page = wanted;
    cursors = cursors.slice(0, page + 1);
    cursors.push(answer.pageInfo.hasNextPage ? answer.pageInfo.endCursor : undefined);
    const records = answer.edges.map((edge) => edge.node);
    const first = page * PAGE_SIZE + 1;
    status.textContent = records.length === 0 ? t("admin.noRecords")
      : t("admin.recordsShown", { from: first, to: first + records.length - 1,
        total: answer.totalCount });
    holder.replaceChildren(h("table", { class: "data", id: "audit-table" },
      h("caption", {}, t("admin.auditCaption", { page: page + 1 })),
      h("thead", {}, h("tr", {}, COLUMNS.map((key) =>
        h("th", { scope: "col" }, t(`admin.column.${key}`))))),
      h("tbody", {}, rows(records))));
    previous.disabled = page === 0;
    next.disabled = !answer.pageInfo.hasNextPage;
    if (pressed?.disabled) {
      status.focus(); // the button pressed is gone: the focus goes to what changed
    }
  }

  const form = h("form", { class: "card audit-filters", id: "audit-filters",
    "aria-labelledby": "audit-filters-title", onsubmit: (event) => {
      event.preventDefault();
      cursors = [null];
      return load(0);
    } },
  h("h3", { id: "audit-filters-title" }, t("admin.filters")),
  h("div", { class: "filter-grid" },
    [actor, kind, action, type, since, until, order].map((one) => one.element)),
  h("div", { class: "actions" },
    h("button", { type: "submit", class: "button" }, t("admin.apply")),
    h("button", { type: "reset", class: "button quiet", onclick: () => {
      setTimeout(() => form.requestSubmit()); // after the form has reset its fields
    } }, t("admin.reset"))),
  general);

  section.replaceChildren(
    h("h2", { id: "audit-title" }, t("admin.audit")),
    h("p", {}, t("admin.auditIntro")),
    h("datalist", { id: "audit-actors" }, ["cli", "demo", ...keys.map((key) =>
      `key:${key.id} (${key.name})`)].map((value) => h("option", { value }))),
    form, status, holder,
    h("nav", { class: "pager", "aria-label": t("admin.pages") }, previous, next));
  await load(0);
  return { reload: () => { cursors = [null]; return load(0); } };
}
