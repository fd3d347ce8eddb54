// What the Incidents page's parts share: the route (#/incidents?...), a change sent as
// one mutation whose refusal (the API's Error, with its path) is thrown as an ApiError,
// so a form shows it at the field the path names.
import { ApiError, graphql } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";

export const STATUSES = ["OPEN", "ACKNOWLEDGED", "RESOLVED"];
export const ERROR_FIELDS = "... on Error { code message path }";

/** The fragment's parameters (#/incidents?id=inc-...). */
export function routeParams() {
  const hash = window.location.hash;
  const at = hash.indexOf("?");
  return new URLSearchParams(at < 0 ? "" : hash.slice(at + 1));
}

/** The URL of the page with `params` (an object; empty values left out). */
export function routeHref(params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") {
      query.set(name, value);
    }
  }
  const text = query.toString();
  return text ? `#/incidents?${text}` : "#/incidents";
}

/** Runs a mutation whose field answers IncidentResult; the payload, or an ApiError. */
export async function change(mutation, field, variables) {
  const data = await graphql(mutation, variables);
  const answer = data[field];
  if (answer.__typename === "Error") {
    throw new ApiError(answer.code, answer.message, answer.path, answer.path);
  }
  return answer;
}

/** The status as a badge, in the page's language. */
export function statusBadge(status) {
  return h("span", { class: `incident-status incident-status-${status.toLowerCase()}` },
    t(`incidents.status.${status}`));
}

/** "2026-11-23 09:00 UTC" from an ISO time, in a <time> holding the exact value. */
export function moment(iso) {
  if (!iso) {
    return h("span", { class: "muted" }, "—");
  }
  return h("time", { datetime: iso, title: iso }, `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`);
}

/** A global id "Warehouse:RTM-02" as its two parts. */
export function splitId(id) {
  const at = String(id).indexOf(":");
  return at < 0 ? [String(id), ""] : [id.slice(0, at), id.slice(at + 1)];
}
