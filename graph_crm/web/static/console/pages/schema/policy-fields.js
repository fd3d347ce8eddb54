// The simple parts of an impact policy (name, description, source, target) as form fields,
// kept in step with its JSON text: a field changed rewrites the JSON, the JSON typed fills
// the fields.
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { field, refusalText } from "./common.js";
import { layout } from "./json-layout.js";

const SIMPLE = ["name", "description", "source", "target"];

function parsed(area) {
  try {
    const value = JSON.parse(area.value);
    return value && typeof value === "object" && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

/** The fields; `changed(text)` after a field rewrote the JSON. */
export function policyFields(area, entityNames, isNew, changed) {
  const typeSelect = (key) => h("select", { id: `policy-${key}` },
    h("option", { value: "" }, t("schema.choose")),
    entityNames.map((name) => h("option", { value: name }, name)));
  const controls = {
    name: h("input", { type: "text", id: "policy-name", readonly: !isNew, autocomplete: "off" }),
    description: h("input", { type: "text", id: "policy-description" }),
    source: typeSelect("source"),
    target: typeSelect("target"),
  };
  const status = h("p", { class: "hint", role: "status" });
  function pull() {
    const policy = parsed(area);
    status.textContent = policy ? "" : t("schema.policyNotJson");
    for (const key of SIMPLE) {
      controls[key].disabled = !policy;
      if (policy && typeof policy[key] === "string") {
        controls[key].value = policy[key];
      }
    }
  }
  for (const key of SIMPLE) {
    controls[key].addEventListener(key === "source" || key === "target" ? "change" : "input",
      () => {
        const policy = parsed(area);
        if (!policy) {
          return;
        }
        policy[key] = controls[key].value;
        area.value = layout(policy).text;
        changed(area.value);
      });
  }
  area.addEventListener("input", pull);
  pull();
  const labels = { name: "schema.name", description: "schema.description",
    source: "schema.policySource", target: "schema.policyTarget" };
  return {
    element: h("div", { class: "property-grid policy-fields" },
      SIMPLE.map((key) => field(t(labels[key]), controls[key])), status),
    /** Marks the fields a refusal's path names (["source"]...). */
    mark(issues) {
      for (const key of SIMPLE) {
        controls[key].removeAttribute("aria-invalid");
        controls[key].closest(".field").querySelector(".field-error").textContent = "";
      }
      for (const issue of issues) {
        const key = (issue.path ?? [])[0];
        if (SIMPLE.includes(key) && (issue.path ?? []).length === 1) {
          controls[key].setAttribute("aria-invalid", "true");
          controls[key].closest(".field").querySelector(".field-error").textContent =
            refusalText(issue);
        }
      }
    },
  };
}
