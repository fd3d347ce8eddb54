// The Admin page: API keys (list, create with the token shown once, revoke), the audit
// log browser and the outbound webhooks (create with the secret shown once, dead letters). Everything goes through the public GraphQL API, which refuses non-admins.
import { graphql, graphiqlHref } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { AUDIT_QUERY, PAGE_SIZE, renderAudit } from "./admin/audit.js";
import { KEYS_QUERY, renderKeys } from "./admin/keys.js";
import { WEBHOOKS_QUERY, renderWebhooks } from "./admin/webhooks.js";

/** Renders the page into `main` unless `current()` says a newer render took over. */
export async function renderAdmin(main, current) {
  const [{ apiKeys }, webhooks] = await Promise.all([graphql(KEYS_QUERY),
    graphql(WEBHOOKS_QUERY)]);
  if (!current()) {
    return;
  }
  const keysSection = h("section", { id: "admin-keys", "aria-labelledby": "keys-title" });
  const auditSection = h("section", { id: "admin-audit", "aria-labelledby": "audit-title" });
  const webhooksSection = h("section", { id: "admin-webhooks",
    "aria-labelledby": "webhooks-title" });
  let audit = null;
  renderKeys(keysSection, apiKeys, () => audit?.reload());
  audit = await renderAudit(auditSection, apiKeys);
  renderWebhooks(webhooksSection, webhooks, () => audit?.reload());
  if (!current()) {
    return;
  }
  main.replaceChildren(
    h("div", { class: "page-head" },
      h("h1", { id: "page-title", tabindex: "-1" }, t("page.admin")),
      h("a", { class: "button quiet", href: graphiqlHref(AUDIT_QUERY,
        { order: "NEWEST_FIRST", first: PAGE_SIZE }) }, t("admin.showGraphql"))),
    keysSection,
    auditSection,
    webhooksSection,
  );
}
