// The sign-in form: a pasted API key, checked by asking the server who it is.
import { h } from "../dom.js";
import { t } from "../i18n.js";

/** Renders the form into `main`; `onKey(key)` resolves to an error message or null. */
export function renderSignIn(main, onKey, message = "") {
  const error = h("p", { id: "signin-error", class: "error", role: "alert" }, message);
  const input = h("input", {
    id: "api-key",
    name: "api-key",
    type: "password",
    autocomplete: "off",
    spellcheck: "false",
    required: true,
    "aria-describedby": "signin-intro signin-error",
  });
  const submit = h("button", { type: "submit", class: "button" }, t("signin.submit"));
  const form = h(
    "form",
    {
      class: "card signin",
      "aria-labelledby": "page-title",
      onsubmit: async (event) => {
        event.preventDefault();
        const key = input.value.trim();
        if (!key) {
          input.focus();
          return;
        }
        submit.disabled = true;
        error.textContent = t("signin.checking");
        const refused = await onKey(key);
        if (refused) {
          submit.disabled = false;
          error.textContent = refused;
          input.select();
          input.focus();
        }
      },
    },
    h("p", { id: "signin-intro" }, t("signin.intro")),
    h("label", { for: "api-key" }, t("signin.key")),
    input,
    submit,
    error,
  );
  main.replaceChildren(h("h1", { id: "page-title", tabindex: "-1" }, t("signin.title")), form);
  input.focus();
}
