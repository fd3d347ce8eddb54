// The run form: policy, source (type-ahead), delay in days, as-of time (UTC), Run. A
// refusal with an argument path is shown at that field, the rest above the button; the
// form keeps what was typed.
import { ApiError } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { sourceCombobox } from "./combobox.js";

/** "2026-11-23T09:00" (what a datetime-local field holds) for now, in UTC. */
export function utcMinute(date = new Date()) {
  return date.toISOString().slice(0, 16);
}

/** The field's value as the API's asOf: that minute in UTC. */
export function asOfArgument(value) {
  return value ? `${value}:00Z` : null;
}

export function field(id, label, control, hint) {
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    control,
    hint ? h("p", { id: `${id}-hint`, class: "hint" }, hint) : null,
    h("p", { id: `${id}-error`, class: "error field-error", role: "alert" }));
}

/** Shows `error` at the control its inputPath names (else in `fallback`) and focuses it;
 * null clears what an earlier refusal showed. */
export function showRefusal(form, error, fields, fallback) {
  for (const node of form.querySelectorAll(".field-error")) {
    node.textContent = "";
  }
  for (const node of form.querySelectorAll("[aria-invalid]")) {
    node.removeAttribute("aria-invalid");
  }
  fallback.textContent = "";
  if (!error) {
    return;
  }
  const text = error.code ? `${error.message} (${error.code})` : String(error);
  const id = fields[(error.inputPath || []).join(".")];
  const control = id && form.querySelector(`#${id}`);
  if (control) {
    control.setAttribute("aria-invalid", "true");
    form.querySelector(`#${id}-error`).textContent = text;
    control.focus();
  } else {
    fallback.textContent = text;
  }
}

/** The form; `onRun({policy, source, sourceLabel, delayDays, asOfField})` runs it (a
 * promise; a refusal is shown at its field), `onPolicy(name)` follows another policy. */
export function runForm({ policies, values, onRun, onPolicy }) {
  const policy = policies.find((p) => p.name === values.policy) ?? policies[0];
  const source = sourceCombobox({
    id: "impact-source", type: policy.source, labelProperty: policy.labelProperty,
    value: values.source, describedBy: "impact-source-hint impact-source-error",
  });
  const select = h("select", { id: "impact-policy" },
    policies.map((p) => h("option", { value: p.name, selected: p.name === policy.name },
      `${p.name} (${p.source} → ${p.target})`)));
  const delay = h("input", { id: "impact-delay", type: "number", min: "0", max: "365",
    step: "0.5", required: true, inputmode: "decimal", "aria-describedby": "impact-delay-error" });
  delay.value = String(values.delayDays ?? 6);
  const asOf = h("input", { id: "impact-asof", type: "datetime-local", step: "60",
    required: true, "aria-describedby": "impact-asof-hint impact-asof-error" });
  asOf.value = values.asOf ?? utcMinute();
  const problem = h("p", { class: "error", role: "alert", id: "impact-form-error" });
  const button = h("button", { type: "submit", class: "button", id: "impact-run" },
    t("impact.run"));
  const form = h("form", { class: "card impact-form", id: "impact-run-form", "aria-labelledby": "impact-form-title",
    novalidate: true },
    h("h2", { id: "impact-form-title" }, t("impact.formTitle")),
    h("div", { class: "impact-fields" },
      field("impact-policy", t("impact.policy"), select),
      field("impact-source", t("impact.source", { type: policy.source }), source.element,
        t("impact.sourceHint")),
      field("impact-delay", t("impact.delay"), delay),
      field("impact-asof", t("impact.asOf"), asOf, t("impact.asOfHint"))),
    problem, button);
  select.addEventListener("change", () => onPolicy(select.value));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const picked = source.selected();
    const args = { policy: select.value, source: picked?.id ?? "", sourceLabel: picked?.label,
      delayDays: delay.value === "" ? NaN : Number(delay.value), asOfField: asOf.value };
    button.disabled = true;
    try {
      if (!Number.isFinite(args.delayDays)) {
        throw new ApiError("INVALID_INPUT", t("impact.delayInvalid"), null, ["delayDays"]);
      }
      await onRun(args);
    } catch (error) {
      showRefusal(form, error, { policy: "impact-policy", source: "impact-source",
        delayDays: "impact-delay", asOf: "impact-asof" }, problem);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
