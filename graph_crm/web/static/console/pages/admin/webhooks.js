// Webhooks: a table of the outbound webhooks, a form that makes one and shows its secret
// once, and the dead letters (deliveries that ran out of attempts), each with a Replay
// button. Admins only: the server checks. Revoking is in GraphQL and the command line.
import { graphql } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { describe, field, refuseAt, showSecret, signedOut, when } from "./parts.js";

export const WEBHOOKS_QUERY = `query AdminWebhooks {
  webhooks { id name url active createdAt createdBy filter { sourceTypes versionsOnly } }
  webhookDeliveries(status: DEAD, first: 50) {
    items { id webhookId seq incidentId attempts { number at statusCode error } }
  }
}`;
const CREATE_WEBHOOK = `mutation CreateWebhook($name: String!, $url: String!,
    $filter: WebhookFilterInput) {
  createWebhook(name: $name, url: $url, filter: $filter) {
    __typename
    ... on WebhookCreatePayload { secret webhook { id name } }
    ... on Error { code message path }
  }
}`;
const REPLAY = `mutation ReplayDelivery($id: ID!) {
  replayDelivery(id: $id) {
    __typename
    ... on WebhookReplayPayload { delivery { id status } }
    ... on Error { code message path }
  }
}`;

function table(id, caption, columns, rows, empty) {
  return h("table", { class: "data", id },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, columns.map((key) => h("th", { scope: "col" }, t(key))))),
    h("tbody", {}, rows.length === 0
      ? h("tr", {}, h("td", { colspan: columns.length, class: "muted" }, empty)) : rows));
}

function wanted(filter) {
  const types = filter.sourceTypes?.join(", ") || t("admin.webhookAnySource");
  return filter.versionsOnly ? `${types} · ${t("admin.webhookVersionsOnly")}` : types;
}

function webhooksTable(webhooks) {
  return table("webhooks-table", t("admin.webhooksCaption", { count: webhooks.length }),
    ["admin.webhookName", "admin.webhookUrl", "admin.webhookFilter", "admin.keyCreated",
      "admin.keyCreatedBy", "admin.webhookState"],
    webhooks.map((hook) => h("tr", { "data-webhook-id": hook.id },
      h("th", { scope: "row" }, hook.name),
      h("td", {}, h("code", {}, hook.url)),
      h("td", {}, wanted(hook.filter)),
      h("td", {}, when(hook.createdAt)),
      h("td", { class: "actor" }, hook.createdBy),
      h("td", {}, hook.active ? t("admin.webhookActive") : t("admin.revokedState")))),
    t("admin.noWebhooks"));
}

function deadTable(dead, names, onReplay) {
  return table("dead-letters-table", t("admin.deadLettersCaption", { count: dead.length }),
    ["admin.delivery", "admin.webhookName", "admin.deliveryIncident", "admin.deliveryLast",
      "admin.keyActions"],
    dead.map((delivery) => {
      const last = delivery.attempts[delivery.attempts.length - 1];
      return h("tr", { "data-delivery-id": delivery.id },
        h("th", { scope: "row" }, h("code", {}, delivery.id)),
        h("td", {}, names[delivery.webhookId] ?? delivery.webhookId),
        h("td", {}, h("code", {}, delivery.incidentId)),
        h("td", {}, last ? [when(last.at), ` ${last.error ?? last.statusCode}`] : "—"),
        h("td", {}, h("button", { type: "button", class: "button quiet small",
          "aria-label": t("admin.replayNamed", { id: delivery.id }),
          onclick: (event) => onReplay(delivery, event.currentTarget) }, t("admin.replay"))));
    }),
    t("admin.noDeadLetters"));
}

/** The webhooks part into `section`, from WEBHOOKS_QUERY's answer; `changed()` is called
 * after a webhook is made or a dead letter replayed (the audit log has news). */
export function renderWebhooks(section, answer, changed) {
  let current = answer;
  const status = h("p", { id: "webhooks-status", class: "status", role: "status",
    tabindex: "-1" });
  const hooks = h("div", { class: "table-scroll" });
  const dead = h("div", { class: "table-scroll" });

  function draw() {
    const names = Object.fromEntries(current.webhooks.map((hook) => [hook.id, hook.name]));
    hooks.replaceChildren(webhooksTable([...current.webhooks].reverse()));
    dead.replaceChildren(deadTable(current.webhookDeliveries.items, names, replay));
  }

  async function reload() {
    current = await graphql(WEBHOOKS_QUERY);
    draw();
  }

  async function replay(delivery, button) {
    status.textContent = "";
    button.disabled = true;
    try {
      const result = (await graphql(REPLAY, { id: delivery.id })).replayDelivery;
      status.textContent = result.__typename === "Error"
        ? `${t("admin.refused")}: ${describe(result)}`
        : t("admin.replayedStatus", { id: delivery.id });
      await reload();
      changed();
    } catch (error) {
      if (!signedOut(error)) {
        status.textContent = `${t("admin.refused")}: ${describe(error)}`;
      }
    }
    button.disabled = false;
    status.focus();
  }

  const name = field("webhook-name", t("admin.webhookName"),
    h("input", { type: "text", maxlength: 63, required: true, autocomplete: "off" }),
    t("admin.keyNameHint"));
  const url = field("webhook-url", t("admin.webhookUrl"),
    h("input", { type: "url", maxlength: 2048, required: true, autocomplete: "off" }),
    t("admin.webhookUrlHint"));
  const types = field("webhook-source-types", t("admin.webhookSourceTypes"),
    h("input", { type: "text", autocomplete: "off" }), t("admin.webhookSourceTypesHint"));
  const general = h("p", { id: "create-webhook-error", class: "error", role: "alert" });
  const submit = h("button", { type: "submit", class: "button" }, t("admin.createWebhook"));
  const fields = { name, url, filter: types };
  const form = h("form", { class: "card admin-form", id: "create-webhook",
    "aria-labelledby": "create-webhook-title", onsubmit: async (event) => {
      event.preventDefault();
      status.textContent = "";
      submit.disabled = true;
      const sourceTypes = types.control.value.split(",").map((each) => each.trim())
        .filter(Boolean);
      const variables = { name: name.control.value, url: url.control.value,
        filter: sourceTypes.length ? { sourceTypes } : null };
      try {
        const result = (await graphql(CREATE_WEBHOOK, variables).finally(() => {
          submit.disabled = false;
        })).createWebhook;
        if (result.__typename === "Error") {
          (refuseAt(fields, general, result, result.path)?.control ?? submit).focus();
          return;
        }
        Object.values(fields).forEach((each) => { each.clear(); each.control.value = ""; });
        general.textContent = "";
        const made = result.webhook.name;
        status.textContent = t("admin.webhookCreatedStatus", { name: made });
        showSecret(section, { id: "secret", title: t("admin.secretTitle", { name: made }),
          warning: t("admin.secretOnce"), label: t("admin.secretLabel", { name: made }) },
        result.secret, () => status.focus());
        await reload();
        changed();
      } catch (error) {
        if (!signedOut(error)) {
          (refuseAt(fields, general, error, error.inputPath)?.control ?? submit).focus();
        }
      }
    } },
  h("h3", { id: "create-webhook-title" }, t("admin.createWebhookTitle")),
  h("div", { class: "create-grid" }, name.element, url.element, types.element, submit),
  general);

  section.replaceChildren(
    h("h2", { id: "webhooks-title" }, t("admin.webhooks")),
    h("p", {}, t("admin.webhooksIntro")),
    form, status, hooks,
    h("h3", { id: "dead-letters-title" }, t("admin.deadLetters")),
    h("p", {}, t("admin.deadLettersIntro")),
    dead);
  draw();
  return { reload };
}
