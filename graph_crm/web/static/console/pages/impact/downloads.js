// Download buttons: the report as the CLI writes it (ImpactReport.document), fetched with
// the signed-in key in a header and saved from a Blob: no key, no query in any URL.
import { graphql } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";

export const DOCUMENT_QUERY = `query ImpactDocument($source: ID!, $policy: String,
    $delayDays: Float!, $asOf: String!, $format: ReportFormat!) {
  impactReport(source: $source, policy: $policy, delayDays: $delayDays, asOf: $asOf,
               limit: 10000) {
    document(format: $format) { fileName mediaType content }
  }
}`;
const FORMATS = [["HTML", "HTML"], ["CSV", "CSV"], ["MARKDOWN", "Markdown"], ["JSON", "JSON"]];

function save(document_) {
  const blob = new Blob([document_.content], { type: document_.mediaType });
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: document_.fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The buttons for the report run with `args` ({source, policy, delayDays, asOf}). */
export function downloads(args) {
  const status = h("p", { class: "hint", role: "status", id: "impact-download-status" });
  const problem = h("p", { class: "error", role: "alert" });
  const buttons = FORMATS.map(([format, name]) => h("button", {
    type: "button", class: "button quiet", "data-format": format,
    onclick: async (event) => {
      const button = event.currentTarget;
      button.disabled = true;
      problem.textContent = "";
      try {
        const data = await graphql(DOCUMENT_QUERY, { ...args, format });
        save(data.impactReport.document);
        status.textContent = t("impact.downloaded", { file: data.impactReport.document.fileName });
      } catch (error) {
        problem.textContent = `${error.message} (${error.code})`;
      } finally {
        button.disabled = false;
        button.focus();
      }
    },
  }, name));
  return h("div", { class: "impact-downloads", role: "group",
    "aria-labelledby": "impact-downloads-label" },
  h("span", { id: "impact-downloads-label" }, t("impact.download")), buttons, status, problem);
}
