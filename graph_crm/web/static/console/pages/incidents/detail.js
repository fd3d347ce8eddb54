// One incident (#/incidents?id=inc-…): its header with the status and the actions the
// role may take (acknowledge, resolve, assign an owner, add a note), its versions newest
// first with their diffs, the checklist and the notes. Every change names the revision
// the page read: if someone changed the incident since, the server refuses it
// (STALE_REVISION), the page says so and shows the incident as it is now.
import { ApiError, graphql } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { signedInKey } from "../../session.js";
import { signedOut } from "../admin/parts.js";
import { number } from "../impact/format.js";
import { checklistSection } from "./checklist.js";
import { change, ERROR_FIELDS, moment, routeHref, statusBadge } from "./common.js";
import { SHOWN_VERSIONS, VERSION_FIELDS, versionsSection } from "./versions.js";

export const DETAIL_QUERY = `query IncidentDetail($id: ID!, $since: Int!, $first: Int!, $full: Boolean!) {
  incident(id: $id) {
    id source status owner revision version delayDays startsAt note openedAt openedBy
    acknowledgedAt acknowledgedBy resolvedAt resolvedBy updatedAt
    notes { at author text }
    checklist { target label action done by at }
    versions(since: $since, first: $first) @include(if: $full) { hasMore items { ${VERSION_FIELDS} } }
  }
}`;
const RESULT = `__typename ${ERROR_FIELDS} ... on IncidentPayload { incident { id revision } }`;
const MUTATIONS = {
  acknowledgeIncident: `mutation Acknowledge($id: ID!, $revision: Int) {
    acknowledgeIncident(id: $id, revision: $revision) { ${RESULT} } }`,
  resolveIncident: `mutation Resolve($id: ID!, $revision: Int) {
    resolveIncident(id: $id, revision: $revision) { ${RESULT} } }`,
  assignIncident: `mutation Assign($id: ID!, $owner: String!, $revision: Int) {
    assignIncident(id: $id, owner: $owner, revision: $revision) { ${RESULT} } }`,
  addIncidentNote: `mutation AddNote($id: ID!, $text: String!, $revision: Int) {
    addIncidentNote(id: $id, text: $text, revision: $revision) { ${RESULT} } }`,
  checkIncidentAction: `mutation CheckAction($id: ID!, $target: ID!, $action: String!,
      $done: Boolean!, $revision: Int) {
    checkIncidentAction(id: $id, target: $target, action: $action, done: $done,
                        revision: $revision) { ${RESULT} } }`,
};
// what the page keeps per incident across renders: the checklist's page
const views = new Map();
let viewsOf = null; // the key they were kept for: another sign-in starts afresh

function facts(incident) {
  const row = (label, value) => [h("dt", {}, label), h("dd", {}, value)];
  const by = (who, at) => who ? [who, " · ", moment(at)] : h("span", { class: "muted" }, "—");
  return h("dl", { class: "facts", id: "incident-facts" },
    row(t("incidents.status"), statusBadge(incident.status)),
    row(t("incidents.column.delay"), number(incident.delayDays, 1)),
    row(t("incidents.startsAt"), moment(incident.startsAt)),
    row(t("incidents.column.owner"), incident.owner ?? h("span", { class: "muted" }, "—")),
    row(t("incidents.openedBy"), by(incident.openedBy, incident.openedAt)),
    row(t("incidents.acknowledgedBy"), by(incident.acknowledgedBy, incident.acknowledgedAt)),
    row(t("incidents.resolvedBy"), by(incident.resolvedBy, incident.resolvedAt)),
    row(t("incidents.note"), incident.note || h("span", { class: "muted" }, "—")),
    row(t("incidents.revision"), String(incident.revision)));
}

function textForm(id, label, control, submitText) {
  control.id = `${id}-input`;
  control.setAttribute("aria-describedby", `${id}-input-error`);
  return h("form", { class: "incident-inline-form", id, novalidate: true },
    h("div", { class: "field" }, h("label", { for: `${id}-input` }, label), control,
      h("p", { id: `${id}-input-error`, class: "error field-error", role: "alert" })),
    h("button", { type: "submit", class: "button", id: `${id}-submit` }, submitText));
}

function notesSection(incident, noteForm) {
  return h("section", { id: "incident-notes", "aria-labelledby": "incident-notes-title" },
    h("h2", { id: "incident-notes-title" }, t("incidents.notes", { count: incident.notes.length })),
    incident.notes.length
      ? h("ol", { class: "incident-notes" }, incident.notes.map((note) => h("li", { class: "card" },
        h("p", { class: "hint" }, note.author, " · ", moment(note.at)),
        h("p", { class: "incident-note-text" }, note.text))))
      : h("p", { class: "muted" }, t("incidents.noNotes")),
    noteForm);
}

/** The incident `id` into `main` (after `head`) unless a newer render took over. */
export async function renderDetail(main, current, head, { canWrite, id, message = null }) {
  // first the incident alone, then its last versions (their numbers follow from it)
  const first = await graphql(DETAIL_QUERY, { id, since: 0, first: 1, full: false }).catch((error) => {
    if (error instanceof ApiError && error.code !== "UNAUTHENTICATED") {
      return { incident: null, refused: error };
    }
    throw error;
  });
  let incident = first.incident;
  if (incident) {
    const since = Math.max(0, incident.version - SHOWN_VERSIONS);
    incident = (await graphql(DETAIL_QUERY, { id, since, first: SHOWN_VERSIONS, full: true }))
      .incident ?? incident;
  }
  if (!current()) {
    return;
  }
  const back = h("p", {}, h("a", { href: routeHref(), id: "incident-back" }, t("incidents.back")));
  if (!incident) {
    main.replaceChildren(head, back, h("p", { role: "alert", class: "error" },
      first.refused ? `${first.refused.message} (${first.refused.code})` : t("incidents.notFound")));
    return;
  }
  if (viewsOf !== signedInKey()) {
    views.clear();
    viewsOf = signedInKey();
  }
  const view = views.get(id) ?? { page: 0 };
  views.set(id, view);
  // what is typed in the owner and note fields (view.owner, view.note) outlives a
  // re-render, another action's or the language's, until it is sent
  const rerender = (next, sent = null) => {
    if (sent) {
      delete view[sent];
    }
    return renderDetail(main, current, head, { canWrite, id, message: next });
  };
  const status = h("p", { class: message?.alert ? "error status" : "status", id: "incident-message",
    role: message?.alert ? "alert" : "status", tabindex: "-1", "data-focus": message ? true : null },
  message?.text ?? "");
  const actionError = h("p", { class: "error field-error", id: "incident-status-error", role: "alert" });

  // run one change; a refusal goes to `at` (an error line and its control), a stale
  // revision reloads the incident with a clear message
  let busy = false; // one change at a time: a second click waits for the first's answer
  async function act(field, variables, done, at = null) {
    if (busy) {
      if (at?.control?.type === "checkbox") {
        at.control.checked = !at.control.checked;
      }
      return null;
    }
    busy = true;
    try {
      await change(MUTATIONS[field], field, { id, revision: incident.revision, ...variables });
    } catch (error) {
      busy = false;
      if (signedOut(error)) {
        return null; // the key was revoked: the console signs out with the reason
      }
      if (error.code === "STALE_REVISION") {
        return rerender({ alert: true,
          text: t("incidents.stale", { message: `${error.message} (${error.code})` }) });
      }
      const line = at?.line ?? actionError;
      line.textContent = error instanceof ApiError ? `${error.message} (${error.code})`
        : String(error);
      at?.control?.setAttribute("aria-invalid", "true");
      if (at?.control?.type === "checkbox") {
        at.control.checked = !at.control.checked; // not changed: show it as it is
      }
      (at?.control ?? line).focus?.();
      return null;
    }
    return rerender({ text: done }, { assignIncident: "owner", addIncidentNote: "note" }[field]);
  }

  const actions = [];
  if (canWrite) {
    const buttons = h("div", { class: "actions", id: "incident-actions" },
      incident.status === "OPEN" ? h("button", { type: "button", class: "button",
        id: "incident-acknowledge",
        onclick: () => act("acknowledgeIncident", {}, t("incidents.acknowledged")) },
      t("incidents.acknowledge")) : null,
      incident.status !== "RESOLVED" ? h("button", { type: "button", class: "button",
        id: "incident-resolve",
        onclick: () => act("resolveIncident", {}, t("incidents.resolved")) },
      t("incidents.resolve")) : null);
    actions.push(buttons, actionError);
    if (incident.status !== "RESOLVED") {
      const owner = h("input", { type: "text", value: view.owner ?? incident.owner ?? "",
        oninput: () => { view.owner = owner.value; } });
      const form = textForm("incident-assign", t("incidents.owner"), owner, t("incidents.assign"));
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        act("assignIncident", { owner: owner.value }, t("incidents.assigned"),
          { control: owner, line: form.querySelector(".field-error") });
      });
      actions.push(form);
    }
  }
  let noteForm = null;
  if (canWrite) {
    const text = h("textarea", { rows: "3", maxlength: "4000",
      oninput: () => { view.note = text.value; } });
    text.value = view.note ?? "";
    noteForm = textForm("incident-note", t("incidents.addNote"), text, t("incidents.addNoteButton"));
    noteForm.addEventListener("submit", (event) => {
      event.preventDefault();
      act("addIncidentNote", { text: text.value }, t("incidents.noteAdded"),
        { control: text, line: noteForm.querySelector(".field-error") });
    });
  }
  const canTick = canWrite && incident.status !== "RESOLVED";
  const checklist = checklistSection(incident.checklist, view, { canTick,
    onToggle: (item, box) => act("checkIncidentAction",
      { target: item.target, action: item.action, done: box.checked },
      t(box.checked ? "incidents.checked" : "incidents.unchecked",
        { action: item.action, customer: item.label }),
      { control: box, line: main.querySelector(`#${box.id}-by`) }),
    onPage: async (step) => {
      view.page += step;
      await rerender(null);
      const button = main.querySelector(step > 0 ? "#checklist-next" : "#checklist-previous");
      (button && !button.disabled ? button : main.querySelector("#incident-checklist-title"))
        ?.focus();
    } });
  main.replaceChildren(head, back,
    h("h2", { id: "incident-title", class: "incident-title" },
      t("incidents.detailTitle", { source: incident.source }), " ", statusBadge(incident.status)),
    h("p", { class: "hint" }, incident.id),
    status,
    h("div", { class: "card incident-head" }, facts(incident), ...actions),
    versionsSection(incident.versions, incident),
    checklist,
    notesSection(incident, noteForm));
  if (message) {
    status.focus();
  }
}
