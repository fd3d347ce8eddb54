// API keys: a table (active, revoked or all), a form that makes a key and shows its token
// once, and a revocation that names the key and asks first. Admins only: the server checks.
import { graphql } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { describe, field, refuseAt, roleName, showSecret, signedOut, when } from "./parts.js";

export const KEYS_QUERY = `query AdminKeys {
  apiKeys(includeRevoked: true) { id name role createdAt createdBy revokedAt active }
}`;
const CREATE_KEY = `mutation CreateKey($name: String!, $role: ApiKeyRole!) {
  createApiKey(name: $name, role: $role) {
    __typename
    ... on ApiKeyCreatePayload { token apiKey { id name role } }
    ... on Error { code message path }
  }
}`;
const REVOKE_KEY = `mutation RevokeKey($id: ID!) {
  revokeApiKey(id: $id) {
    __typename
    ... on ApiKeyRevokePayload { apiKey { id name revokedAt } }
    ... on Error { code message path }
  }
}`;
const ROLES = ["ANALYST", "RISK", "CONFIG_OFFICER", "INTEGRATION", "ADMIN"];
const COLUMNS = ["keyName", "keyRole", "keyId", "keyCreated", "keyCreatedBy", "keyRevoked",
  "keyActions"];
const SHOWN = { active: (key) => key.active, revoked: (key) => !key.active, all: () => true };

function keysTable(keys, onRevoke) {
  return h("table", { class: "data", id: "keys-table" },
    h("caption", {}, t("admin.keysCaption", { count: keys.length })),
    h("thead", {}, h("tr", {}, COLUMNS.map((key) =>
      h("th", { scope: "col" }, t(`admin.${key}`))))),
    h("tbody", {}, keys.length === 0
      ? h("tr", {}, h("td", { colspan: COLUMNS.length, class: "muted" }, t("admin.noKeys")))
      : keys.map((key) => h("tr", { "data-key-id": key.id },
        h("th", { scope: "row" }, key.name),
        h("td", {}, roleName(key.role)),
        h("td", {}, h("code", {}, key.id)),
        h("td", {}, when(key.createdAt)),
        h("td", { class: "actor" }, key.createdBy),
        h("td", {}, when(key.revokedAt)),
        h("td", {}, key.active
          ? h("button", { type: "button", class: "button quiet small",
            "aria-label": t("admin.revokeNamed", { name: key.name }),
            onclick: (event) => onRevoke(key, event.currentTarget) }, t("admin.revoke"))
          : t("admin.revokedState"))))));
}

function revokeDialog(key, onConfirm, onClose) {
  const error = h("p", { id: "revoke-error", class: "error", role: "alert" });
  const confirm = h("button", { type: "button", class: "button danger" },
    t("admin.revokeNamed", { name: key.name }));
  const dialog = h("dialog", { id: "revoke-dialog", class: "admin-dialog",
    "aria-labelledby": "revoke-title", "aria-describedby": "revoke-text" },
  h("h2", { id: "revoke-title" }, t("admin.revokeTitle", { name: key.name })),
  h("p", { id: "revoke-text" }, t("admin.revokeText", { id: key.id, role: roleName(key.role) })),
  error,
  h("div", { class: "actions" },
    h("button", { type: "button", class: "button quiet", autofocus: true,
      onclick: () => dialog.close() }, t("admin.cancel")),
    confirm));
  confirm.addEventListener("click", async () => {
    confirm.disabled = true;
    const refusal = await onConfirm();
    confirm.disabled = false;
    if (refusal) {
      error.textContent = refusal;
      confirm.focus();
    } else {
      dialog.close();
    }
  });
  dialog.addEventListener("close", () => {
    dialog.remove();
    onClose();
  });
  return dialog;
}

/** The keys part into `section`; `changed()` is called after a key is made or revoked. */
export function renderKeys(section, keys, changed) {
  let shown = "active";
  let all = keys;
  const status = h("p", { id: "keys-status", class: "status", role: "status", tabindex: "-1" });
  const holder = h("div", { class: "table-scroll" });
  const show = h("select", { onchange: () => { shown = show.value; draw(); } },
    Object.keys(SHOWN).map((value) => h("option", { value }, t(`admin.show.${value}`))));
  const showField = field("keys-show", t("admin.show"), show);

  async function reload() {
    all = (await graphql(KEYS_QUERY)).apiKeys;
    draw();
  }

  function draw() {
    const listed = all.filter(SHOWN[shown]).reverse(); // newest first
    holder.replaceChildren(keysTable(listed, askRevoke));
  }

  function askRevoke(key, button) {
    status.textContent = "";
    const dialog = revokeDialog(key, async () => {
      try {
        const result = (await graphql(REVOKE_KEY, { id: key.id })).revokeApiKey;
        if (result.__typename === "Error") {
          return `${t("admin.refused")}: ${describe(result)}`;
        }
        // the key this tab uses (ownKey): the reload that follows is refused and signs out
        status.textContent = t("admin.revokedStatus", { name: key.name });
        return null;
      } catch (error) {
        return signedOut(error) ? null : `${t("admin.refused")}: ${describe(error)}`;
      }
    }, async () => {
      if (!status.textContent) {
        button.focus(); // cancelled: back where it started
        return;
      }
      await reload().catch(signedOut);
      status.focus();
      changed();
    });
    section.append(dialog);
    dialog.showModal();
  }

  const name = field("key-name", t("admin.keyName"),
    h("input", { type: "text", maxlength: 63, required: true, autocomplete: "off" }),
    t("admin.keyNameHint"));
  const roleHint = h("span");
  const role = field("key-role", t("admin.keyRole"),
    h("select", { onchange: () => { roleHint.textContent = t(`admin.roleHelp.${role.control.value}`); } },
      ROLES.map((value) => h("option", { value }, roleName(value)))),
    roleHint);
  const general = h("p", { id: "create-error", class: "error", role: "alert" });
  const submit = h("button", { type: "submit", class: "button" }, t("admin.create"));
  roleHint.textContent = t(`admin.roleHelp.${ROLES[0]}`);
  const form = h("form", { class: "card admin-form", id: "create-key",
    "aria-labelledby": "create-title", onsubmit: async (event) => {
      event.preventDefault();
      status.textContent = "";
      submit.disabled = true;
      try {
        const variables = { name: name.control.value, role: role.control.value };
        const result = (await graphql(CREATE_KEY, variables).finally(() => {
          submit.disabled = false; // focusable again, should the refusal send the focus there
        })).createApiKey;
        if (result.__typename === "Error") {
          (refuseAt({ name, role }, general, result, result.path)?.control ?? submit).focus();
          return;
        }
        [name, role].forEach((each) => each.clear());
        general.textContent = "";
        name.control.value = "";
        status.textContent = t("admin.createdStatus", { name: result.apiKey.name });
        const shown = result.apiKey.name;
        showSecret(section, { id: "token", title: t("admin.tokenTitle", { name: shown }),
          warning: t("admin.tokenOnce"), label: t("admin.tokenLabel", { name: shown }) },
        result.token, () => status.focus());
        await reload();
        changed();
      } catch (error) {
        if (!signedOut(error)) {
          (refuseAt({ name, role }, general, error, error.inputPath)?.control ?? submit).focus();
        }
      }
    } },
  h("h3", { id: "create-title" }, t("admin.createTitle")),
  h("div", { class: "create-grid" }, name.element, role.element, submit), general);

  section.replaceChildren(
    h("h2", { id: "keys-title" }, t("admin.keys")),
    h("p", {}, t("admin.keysIntro")),
    form, status, showField.element, holder);
  draw();
  return { reload };
}
