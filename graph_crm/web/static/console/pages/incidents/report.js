// "Report a disruption" (the risk role): source type and key, delay in days, when it
// starts (UTC; empty: now), a note. reportDisruption answers the incident it opened or
// updated, which then opens; a refusal is shown at the field its path names.
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { signedOut } from "../admin/parts.js";
import { asOfArgument, field, showRefusal } from "../impact/form.js";
import { change, ERROR_FIELDS, routeHref } from "./common.js";

export const REPORT_MUTATION = `mutation ReportDisruption($source: DisruptionSourceInput!,
    $delayDays: Float!, $startsAt: String, $note: String!) {
  reportDisruption(source: $source, delayDays: $delayDays, startsAt: $startsAt, note: $note) {
    __typename ${ERROR_FIELDS}
    ... on IncidentPayload { opened incident { id } version { number } }
  }
}`;
const FIELDS = { "source.type": "report-type", "source.key": "report-key", source: "report-key",
  delayDays: "report-delay", startsAt: "report-starts", note: "report-note" };

export function reportForm(types) {
  const described = (id, hint) => [hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(" ");
  const type = h("select", { id: "report-type", "aria-describedby": described("report-type") },
    types.map((name) => h("option", { value: name }, name)));
  const key = h("input", { id: "report-key", type: "text", required: true, autocomplete: "off",
    "aria-describedby": described("report-key", true) });
  const delay = h("input", { id: "report-delay", type: "number", min: "0", max: "365",
    step: "0.5", required: true, inputmode: "decimal", "aria-describedby": described("report-delay") });
  const starts = h("input", { id: "report-starts", type: "datetime-local", step: "60",
    "aria-describedby": described("report-starts", true) });
  const note = h("textarea", { id: "report-note", rows: "2", maxlength: "4000",
    "aria-describedby": described("report-note") });
  const problem = h("p", { class: "error", role: "alert", id: "report-error" });
  const button = h("button", { type: "submit", class: "button", id: "report-submit" },
    t("incidents.report"));
  const form = h("form", { class: "card incidents-report", id: "report-form", novalidate: true,
    "aria-labelledby": "report-title" },
  h("h2", { id: "report-title" }, t("incidents.reportTitle")),
  h("p", { class: "hint" }, t("incidents.reportIntro")),
  h("div", { class: "incident-fields" },
    field("report-type", t("incidents.sourceType"), type),
    field("report-key", t("incidents.sourceKey"), key, t("incidents.sourceKeyHint")),
    field("report-delay", t("impact.delay"), delay),
    field("report-starts", t("incidents.startsAt"), starts, t("incidents.startsAtHint"))),
  field("report-note", t("incidents.note"), note),
  problem, button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    try {
      const delayDays = delay.value === "" ? NaN : Number(delay.value);
      if (!Number.isFinite(delayDays)) {
        throw Object.assign(new Error(t("impact.delayInvalid")),
          { code: "INVALID_INPUT", inputPath: ["delayDays"] });
      }
      const answer = await change(REPORT_MUTATION, "reportDisruption", {
        source: { type: type.value, key: key.value.trim() }, delayDays,
        startsAt: asOfArgument(starts.value), note: note.value });
      window.location.hash = routeHref({ id: answer.incident.id });
    } catch (error) {
      if (signedOut(error)) {
        return; // the key was revoked: the console signs out with the reason
      }
      showRefusal(form, error, FIELDS, problem);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
