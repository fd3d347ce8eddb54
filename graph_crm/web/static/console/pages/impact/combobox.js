// The source field: a type-ahead over the policy's source type, as the ARIA combobox
// pattern says (an input with a listbox popup, arrow keys move, Enter picks, Escape
// closes). Candidates come from `entities(type, where)`: key starts with, or the label
// property contains, what was typed.
import { graphql } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";

const SEARCH = `query ImpactSourceSearch($type: String!, $where: JSON) {
  entities(type: $type, where: $where, first: 10) { edges { node { id key properties } } }
}`;
const WAIT_MS = 200;

function whereFor(text, labelProperty) {
  const byKey = { key: { startsWith: text } };
  return labelProperty ? { or: [byKey, { [labelProperty]: { contains: text } }] } : byKey;
}

/** The field and its popup; `selected()` is {id, label} or null. */
export function sourceCombobox({ id, type, labelProperty, value, describedBy }) {
  let chosen = value;
  let options = [];
  let active = -1;
  let timer = null;
  let asked = 0;
  const listbox = h("ul", { id: `${id}-listbox`, role: "listbox", class: "combo-list",
    "aria-label": t("impact.sourceOptions") });
  listbox.hidden = true;
  const status = h("p", { class: "visually-hidden", role: "status" });
  const input = h("input", {
    id, type: "text", role: "combobox", autocomplete: "off", spellcheck: "false",
    "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": listbox.id,
    "aria-describedby": describedBy, placeholder: t("impact.sourcePlaceholder", { type }),
  });
  input.value = chosen ? chosen.label : "";

  const show = (open) => {
    listbox.hidden = !open;
    input.setAttribute("aria-expanded", String(open));
    if (!open) {
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
  };
  const highlight = (index) => {
    active = index;
    listbox.querySelectorAll("[role=option]").forEach((option, i) =>
      option.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", `${id}-option-${index}`);
      listbox.children[index].scrollIntoView({ block: "nearest" });
    }
  };
  const pick = (index) => {
    chosen = options[index];
    input.value = chosen.label;
    show(false);
  };
  const search = async () => {
    const text = input.value.trim();
    const number = ++asked;
    if (!text) {
      options = [];
      show(false);
      return;
    }
    let data;
    try {
      data = await graphql(SEARCH, { type, where: whereFor(text, labelProperty) });
    } catch (error) {
      status.textContent = `${error.message}`;
      return;
    }
    if (number !== asked) {
      return; // a later keystroke asked again
    }
    options = data.entities.edges.map(({ node }) => {
      const name = labelProperty ? node.properties[labelProperty] : null;
      return { id: node.id, label: name ? `${node.key} · ${name}` : node.key };
    });
    listbox.replaceChildren(...options.map((option, index) => h("li", {
      id: `${id}-option-${index}`, role: "option", "aria-selected": "false",
      "data-id": option.id,
      onmousedown: (event) => event.preventDefault(), // keep the focus in the field
      onclick: () => pick(index),
    }, option.label)));
    status.textContent = options.length
      ? t("impact.sourceFound", { count: options.length }) : t("impact.sourceNone");
    show(options.length > 0);
  };

  input.addEventListener("input", () => {
    chosen = null;
    clearTimeout(timer);
    timer = setTimeout(search, WAIT_MS);
  });
  input.addEventListener("keydown", (event) => {
    const open = !listbox.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!open) {
        show(options.length > 0);
      }
      if (options.length) {
        const step = event.key === "ArrowDown" ? 1 : -1;
        highlight((active + step + options.length) % options.length);
      }
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault(); // pick, do not submit yet
      pick(active);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      show(false);
    }
  });
  input.addEventListener("blur", () => show(false));

  const element = h("div", { class: "combo" }, input, listbox, status);
  return {
    element,
    input,
    /** What was picked; else the text itself when it is a global id ("Warehouse:RTM-02"). */
    selected() {
      if (chosen) {
        return chosen;
      }
      const text = input.value.trim();
      return text ? { id: text.includes(":") ? text : `${type}:${text}`, label: text } : null;
    },
  };
}
