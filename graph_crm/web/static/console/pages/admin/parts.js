// What the Admin page's parts share: times in the browser's zone, refusals shown at
// their field, the sign-out that a revoked key's next request gets, a secret shown once.
import { ApiError } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";

/** A <time> in the browser's zone, written the page's language's way; the ISO value in
 * its datetime and its tooltip. */
export function when(iso) {
  if (!iso) {
    return h("span", { class: "muted" }, "—");
  }
  const format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    dateStyle: "medium", timeStyle: "medium" });
  return h("time", { datetime: iso, title: iso }, format.format(new Date(iso)));
}

/** The role's name in the page's language: ApiKeyRole "CONFIG_OFFICER" or "config_officer". */
export function roleName(role) {
  return t(`role.${String(role).toLowerCase()}`);
}

/** A message of an ApiError (or of anything thrown) with its code. */
export function describe(error) {
  return error instanceof ApiError || error.code ? `${error.message} (${error.code})`
    : String(error);
}

/**
 * A form field: its label, the control, a hint and an error line (role="alert"), tied to
 * the control by aria-describedby. `field.refuse(message)` marks it invalid.
 */
export function field(id, label, control, hint = null) {
  const hintId = hint ? `${id}-hint` : null;
  const error = h("p", { id: `${id}-error`, class: "error field-error", role: "alert" });
  control.id = id;
  control.setAttribute("aria-describedby", [hintId, `${id}-error`].filter(Boolean).join(" "));
  const wrapper = h("div", { class: "field" },
    h("label", { for: id }, label), control,
    hint ? h("p", { id: hintId, class: "hint" }, hint) : null, error);
  return {
    element: wrapper,
    control,
    refuse(message) {
      error.textContent = message;
      control.setAttribute("aria-invalid", "true");
    },
    clear() {
      error.textContent = "";
      control.removeAttribute("aria-invalid");
    },
  };
}

/**
 * Shows `error` at the field its path names (fields: {argument: field}), else in `general`;
 * returns the field that took it, to move the focus there. Nothing typed is cleared.
 */
export function refuseAt(fields, general, error, path) {
  Object.values(fields).forEach((each) => each.clear());
  general.textContent = "";
  const at = fields[(path || [])[0]];
  const message = `${t("admin.refused")}: ${describe(error)}`;
  if (at) {
    at.refuse(message);
    return at;
  }
  general.textContent = message;
  return null;
}

/** True if `error` means the signed-in key no longer works: the console signs out. */
export function signedOut(error) {
  if (error instanceof ApiError && error.code === "UNAUTHENTICATED") {
    document.dispatchEvent(new CustomEvent("unauthenticated", { detail: error }));
    return true;
  }
  return false;
}

/**
 * Shows a secret once (a key's token, a webhook's secret) in a modal dialog in `section`,
 * with a Copy button; texts: {id, title, warning, label}. The secret leaves the page with
 * the dialog; `onClose()` runs after.
 */
export function showSecret(section, texts, secret, onClose) {
  const { id } = texts;
  // a textarea, so the whole secret shows (wrapped), not a scrolled part of it
  const input = h("textarea", { readonly: true, class: "token", rows: 2, spellcheck: "false",
    autocomplete: "off" }, secret);
  const copied = h("p", { class: "hint", role: "status" });
  const copy = h("button", { type: "button", class: "button", autofocus: true,
    onclick: async () => {
      input.select();
      try {
        await navigator.clipboard.writeText(secret);
        copied.textContent = t("admin.copied");
      } catch {
        copied.textContent = document.execCommand("copy") ? t("admin.copied")
          : t("admin.copyByHand");
      }
    } }, t("admin.copy"));
  const dialog = h("dialog", { id: `${id}-dialog`, class: "admin-dialog",
    "aria-labelledby": `${id}-title`, "aria-describedby": `${id}-warning` },
  h("h2", { id: `${id}-title` }, texts.title),
  h("p", { id: `${id}-warning`, class: "warning" }, texts.warning),
  field(`new-${id}`, texts.label, input).element,
  h("div", { class: "actions" }, copy,
    h("button", { type: "button", class: "button quiet", onclick: () => dialog.close() },
      t("admin.done"))),
  copied);
  dialog.addEventListener("close", () => {
    dialog.remove();
    onClose();
  });
  section.append(dialog);
  dialog.showModal();
}
