// @ts-check
/**
 * Conflicts to resolve: changes from the devices of the people one
 * oversees that did not take as sent, each said in words (which record,
 * what the server holds and what the device sent, who, which device,
 * when, and why) with the two ways out: keep the server's value, or take
 * the device's.
 *
 * A decision is a change like any other (`conflict.resolve` in the
 * outbox): it works offline and shows at once. The server replays the
 * kept side through its mutator, so every rule still holds: a change to
 * an approved week applies only once the week is reopened, which this
 * screen offers to do in the same tap (after asking).
 *
 * A change waiting on the server for its photo has nothing to decide
 * while the photo can come; when it cannot (the phone that took it was
 * lost), the supervisor drops the change, after a yes.
 */

import { html } from "../html.js";
import {
  t, has, formatDay, formatDuration, formatTime, pickLabel,
} from "../i18n.js";
import { icon } from "../icons.js";
import { weekNumber } from "../dates.js";
import {
  conflictsToResolve, resolvedConflicts, find, userName, weekOfUser,
  resolveConflict, reopenWeek, awaitsItsPhoto, photosAwaited,
} from "../model.js";
import { settledByItself, givenUp } from "../store.js";
import { deviceName, devicesOutdated, refreshDevices } from "../devices.js";
import { go, query, toast } from "../ui.js";
import { backLink, pendingMark } from "./parts.js";

/**
 * @typedef {Record<string, any>} Row
 * @typedef {{label: string, server: string, device: string}} Side
 */

/** The fields shown side by side, per change, in this order. */
const FIELDS = {
  "time_entry.put": ["work_date", "minutes", "affair_id", "service_order_id",
    "starts_at", "ends_at", "note"],
  "checklist.answer": ["value", "note"],
  // A photo is shown by its item, never by its hash.
  "checklist.attach": ["note"],
  "service_order.set_status": ["status"],
  "service_order.note": ["text"],
};

/** Which pulled record a change is about. */
const RECORD_TYPES = {
  "time_entry.put": "time_entry",
  "time_entry.delete": "time_entry",
  "checklist.answer": "checklist_answer",
  "service_order.set_status": "service_order",
  "service_order.note": "service_order_note",
};

/** @type {Record<string, import("../icons.js").IconName>} */
const KIND_ICONS = {
  locked: "lock", concurrent_update: "sync", delete_vs_update: "cross",
  parent_deleted: "cross", out_of_scope: "user", duplicate_id: "warn",
  missing_blob: "camera",
};

/** The conflict whose "take the device's value" waits for a yes (it
 * reopens an approved week); forgotten when the screen is left. */
let confirming = "";

/** The change waiting for a photo whose dropping waits for a yes (it
 * cannot be undone); forgotten when the screen is left. */
let givingUp = "";

/** What the device sent, as named values. @param {Row} c @returns {Row} */
function deviceSide(c) {
  const value = c.device_value;
  if (value && typeof value === "object" && !Array.isArray(value)) {
    return value;
  }
  return {};
}

/** @param {Row} c */
function argsOf(c) {
  return c.mutation_args && typeof c.mutation_args === "object"
    ? c.mutation_args : {};
}

/** The record as this device holds it now. @param {Row} c */
function current(c) {
  const type = RECORD_TYPES[/** @type {keyof RECORD_TYPES} */ (
    c.mutation_name)];
  return type ? find(type, c.entity_id) : undefined;
}

/** @param {string | undefined} id */
function orderNumber(id) {
  return (id && find("service_order", id)?.number) || "";
}

/** The checklist item an answer is for. @param {Row} args */
function itemOf(args) {
  const run = find("checklist_run", args.run_id);
  const template = run ? find("checklist_template", run.template_id)
    : undefined;
  const item = (template?.items ?? []).find(
    (/** @type {Row} */ i) => i.key === args.item_key);
  return { run, item, label: item ? pickLabel(item.label) : args.item_key };
}

/** "Hours of Monday 23 November", "Answer to “Pressure” · SO-2026-0042".
 * @param {Row} c */
function recordLabel(c) {
  const args = argsOf(c);
  const device = deviceSide(c);
  switch (c.mutation_name) {
    case "time_entry.put":
    case "time_entry.delete": {
      const day = device.work_date || current(c)?.work_date || args.work_date;
      return day ? t("conflicts.record.hours", { day: formatDay(day) })
        : t("conflicts.record.hours_undated");
    }
    case "timesheet.submit":
      return t("conflicts.record.week", { n: weekNumber(args.week) });
    case "checklist.answer": {
      const { run, label } = itemOf(args);
      return t("conflicts.record.answer", { item: label,
        number: orderNumber(run?.service_order_id) });
    }
    case "checklist.attach": {
      const { run, label } = itemOf(args);
      return t("conflicts.record.photo", { item: label,
        number: orderNumber(run?.service_order_id) });
    }
    case "service_order.set_status":
      return t("conflicts.record.status", { number: orderNumber(args.id) });
    case "service_order.note":
      return t("conflicts.record.note", { number: orderNumber(args.id) });
    default:
      return c.mutation_name;
  }
}

/** The affair the record belongs to: "AFF-2026-003 · Boiler room".
 * @param {Row} c */
function affairOf(c) {
  const id = c.affair_id || deviceSide(c).affair_id || current(c)?.affair_id;
  return id ? find("affair", id) : undefined;
}

/** @param {Row | undefined} affair */
function affairLine(affair) {
  return affair ? `${affair.code} · ${affair.title}` : "";
}

/** A value as a supervisor reads it. @param {Row} c @param {string} field
 * @param {unknown} value */
function shown(c, field, value) {
  if (value === null || value === undefined || value === "") return "—";
  switch (field) {
    case "minutes":
      return formatDuration(Number(value));
    case "work_date":
      return formatDay(String(value), { weekday: "short", day: "numeric",
        month: "short" });
    case "starts_at":
    case "ends_at":
      return formatTime(String(value));
    case "affair_id":
      return find("affair", String(value))?.code ?? "—";
    case "service_order_id":
      return orderNumber(String(value)) || "—";
    case "status":
      return t(`order.status.${value}`);
    case "value":
      if (value === true) return t("checklist.yes");
      if (value === false) return t("checklist.no");
      if (typeof value === "string" && has(`choice.${value}`)) {
        return t(`choice.${value}`);
      }
      if (typeof value === "number") {
        const unit = itemOf(argsOf(c)).item?.unit;
        return unit ? `${value} ${unit}` : String(value);
      }
      return String(value);
    default:
      return String(value);
  }
}

/** @param {string} field @param {unknown} a @param {unknown} b */
function same(field, a, b) {
  const blank = (/** @type {unknown} */ v) => v === null || v === undefined
    || v === "";
  if (blank(a) && blank(b)) return true;
  if (field.endsWith("_at") && a && b) {
    return Date.parse(String(a)) === Date.parse(String(b));
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The two sides, field by field: the server's value (the one kept in the
 * conflict, else the record as it stands) and the device's. Only the
 * fields that differ; all the device sent when it made a new record.
 * @param {Row} c @returns {Side[]}
 */
function sides(c) {
  const device = deviceSide(c);
  const kept = c.server_value && typeof c.server_value === "object"
    ? c.server_value : {};
  const record = current(c);
  const server = (/** @type {string} */ field) => (field in kept
    ? kept[field] : record?.[field]);

  if (device.deleted) {
    const what = record ? t("conflicts.value.entry", {
      hours: formatDuration(record.minutes || 0),
      day: shown(c, "work_date", record.work_date) }) : "—";
    return [{ label: t("conflicts.field.record"), server: what,
      device: t("conflicts.value.deleted") }];
  }
  if (c.mutation_name === "timesheet.submit") {
    const week = weekOfUser(c.author_id, argsOf(c).week);
    return [{ label: t("conflicts.field.week"),
      server: t(`week.status.${week.status}`),
      device: t("week.status.submitted") }];
  }
  const fields = FIELDS[/** @type {keyof FIELDS} */ (c.mutation_name)]
    ?? Object.keys(device);
  const sent = fields.filter((f) => f in device);
  const differing = sent.filter((f) => !same(f, server(f), device[f]));
  const listed = differing.length ? differing
    : sent.filter((f) => device[f] !== null && device[f] !== undefined);
  return listed.map((f) => ({
    label: has(`conflicts.field.${f}`) ? t(`conflicts.field.${f}`) : f,
    server: shown(c, f, server(f)),
    device: shown(c, f, device[f]),
  }));
}

/** Why it did not take, in a sentence naming the people. @param {Row} c */
function why(c) {
  const name = userName(c.author_id) || "—";
  const details = c.details ?? {};
  const fields = { ...details, name,
    other: userName(c.server_author_id) || t("conflicts.someone") };
  if (details.week) fields.n = weekNumber(String(details.week));
  if (details.on) {
    fields.on = formatDay(String(details.on), { day: "numeric",
      month: "long" });
  }
  if (details.status) fields.status = t(`order.status.${details.status}`);
  let key = `conflicts.why.${c.code}`;
  if (c.kind === "concurrent_update") {
    // The same person on two devices (a phone and a tablet) is not two
    // people.
    const who = c.server_author_id === c.author_id ? "self_" : "";
    key = `conflicts.why.concurrent_${who}${details.device_won ? "device_won"
      : "server_won"}`;
  } else if (c.kind === "delete_vs_update" && deviceSide(c).deleted) {
    key = "conflicts.why.deleted_but_changed";
  } else if (c.code === "week_locked"
    && c.mutation_name === "timesheet.submit") {
    // A week submitted once approved: no hours were changed.
    key = "conflicts.why.week_locked_submit";
  }
  if (!has(key)) key = `conflicts.why.${c.kind}`;
  return has(key) ? t(key, fields) : c.kind;
}

/** Who sent it and when, then from which device. @param {Row} c */
function origin(c) {
  const when = formatTime(c.created_at, { weekday: "short", day: "numeric",
    month: "short", hour: "2-digit", minute: "2-digit" });
  return html`<p class="card-meta origin">${icon("user")}${t(
    "conflicts.origin", { name: userName(c.author_id) || "—", when })}<br>${
    icon("phone")}${deviceName(c.client_id)}</p>`;
}

/** A week that must be reopened before the device's value can apply.
 * @param {Row} c @returns {string} the week, or "" */
function weekToReopen(c) {
  const week = c.code === "week_locked" ? c.details?.week : "";
  if (!week) return "";
  return weekOfUser(c.author_id, week).status === "approved" ? week : "";
}

/** @param {Row} c */
function kindChip(c) {
  return html`<span class="chip chip-kind">${icon(KIND_ICONS[c.kind]
    ?? "warn")}${has(`conflicts.kind.${c.kind}`)
    ? t(`conflicts.kind.${c.kind}`) : c.kind}</span>`;
}

/** @param {Row} c */
function choices(c) {
  if (confirming === c.id) {
    const fields = { n: weekNumber(weekToReopen(c)),
      name: userName(c.author_id) || "—" };
    return html`<div class="stack confirm" role="group"
      aria-labelledby="confirm-${c.id}">
      <p id="confirm-${c.id}" class="strong" tabindex="-1">${
        t("conflicts.reopen_question", fields)}</p>
      <div class="two">
        <button type="button" class="button" data-action="cancel">${
          t("approvals.cancel")}</button>
        <button type="button" class="button primary" data-action="reopen-take"
          data-id="${c.id}">${t("conflicts.reopen_take")}</button>
      </div>
    </div>`;
  }
  return html`<div class="stack choices">
    <button type="button" class="button" data-action="keep-server"
      data-id="${c.id}">${icon("cloud")}${t("conflicts.keep_server")}</button>
    <button type="button" class="button" data-action="take-device"
      data-id="${c.id}">${icon("phone")}${t("conflicts.take_device")}</button>
  </div>`;
}

/** What a change waiting for its photo waits for, in place of the two
 * ways out: the photo is on the device below, nobody else has it. If that
 * device is lost, the one way out is to drop the change, after a yes.
 * @param {Row} c */
function photoWaiting(c) {
  const name = userName(c.author_id) || "—";
  if (givingUp === c.id) {
    return html`<div class="stack confirm" role="group"
      aria-labelledby="give-up-${c.id}">
      <p id="give-up-${c.id}" class="strong" tabindex="-1">${
        t("conflicts.give_up_question", { name })}</p>
      <div class="two">
        <button type="button" class="button" data-action="cancel">${
          t("approvals.cancel")}</button>
        <button type="button" class="button primary"
          data-action="give-up-confirm" data-id="${c.id}">${
          t("conflicts.give_up_confirm")}</button>
      </div>
    </div>`;
  }
  return html`<p class="hint">${icon("camera")}${t(
    "conflicts.photo_waiting", { name })}</p>
    <button type="button" class="button" data-action="give-up"
      data-id="${c.id}">${icon("cross")}${t("conflicts.give_up")}</button>`;
}

/** @param {Row} c */
function conflictCard(c) {
  const rows = sides(c);
  const affair = affairLine(affairOf(c));
  return html`<li class="card conflict" id="conflict-${c.id}">
    <span class="card-top"><span class="card-title">${recordLabel(c)}</span>${
      kindChip(c)}</span>
    ${affair ? html`<span class="card-sub">${affair}</span>` : ""}
    <p class="why">${why(c)}</p>
    ${rows.length ? html`<table class="sides">
      <thead><tr><td></td><th scope="col">${t("conflicts.server")}</th>
        <th scope="col">${t("conflicts.device")}</th></tr></thead>
      <tbody>${rows.map((r) => html`<tr><th scope="row">${r.label}</th>
        <td>${r.server}</td><td>${r.device}</td></tr>`)}</tbody>
    </table>` : ""}
    ${origin(c)}
    ${awaitsItsPhoto(c) ? photoWaiting(c) : choices(c)}
  </li>`;
}

/** How a conflict was settled: by someone's choice (giving up on a photo
 * included), or by its photo arriving (nobody chose anything then).
 * @param {Row} c */
function resolvedKey(c) {
  if (settledByItself(c)) return "conflicts.resolved.photo_arrived";
  if (givenUp(c)) return "conflicts.resolved.given_up";
  return `conflicts.resolved.${c.resolution === "device" ? "device"
    : "server"}`;
}

/** @param {Row} c */
function resolvedCard(c) {
  const on = c.resolved_at ? formatTime(c.resolved_at, { day: "numeric",
    month: "short", hour: "2-digit", minute: "2-digit" }) : "";
  // A photo that came, or was given up on, is no longer awaited: the line
  // below says so.
  const chip = settledByItself(c) || givenUp(c) ? "" : kindChip(c);
  return html`<li><div class="card">
    <span class="card-top"><span class="card-title">${recordLabel(c)}</span>${
      chip}</span>
    <span class="card-sub">${userName(c.author_id) || "—"}</span>
    <span class="card-meta">${icon("check")}${t(resolvedKey(c),
      { by: userName(c.resolved_by_id) || "—", on })}${
      pendingMark(c.pending)}</span>
  </div></li>`;
}

/** Groups of conflicts, by person or by affair, in the order of their
 * oldest conflict. @param {Row[]} list @param {string} by */
function grouped(list, by) {
  /** @type {Map<string, {title: string, items: Row[]}>} */
  const groups = new Map();
  for (const c of list) {
    const affair = by === "affair" ? affairOf(c) : undefined;
    const key = by === "affair" ? affair?.id ?? "" : c.author_id;
    const title = by === "affair"
      ? affairLine(affair) || t("conflicts.no_affair")
      : userName(c.author_id) || "—";
    const group = groups.get(key) ?? { title, items: [] };
    group.items.push(c);
    groups.set(key, group);
  }
  return [...groups.values()];
}

export function conflictsScreen() {
  const by = query().get("by") === "affair" ? "affair" : "person";
  const open = conflictsToResolve();
  const awaited = photosAwaited();
  const resolved = resolvedConflicts();
  // Device names come from the list of devices; the conflicts do not wait
  // for it (it needs the network), they are redrawn when it comes.
  refreshDevices(() => {
    if (location.hash.startsWith("#/conflicts")) go(location.hash);
  });

  const switcher = html`<nav class="segmented" aria-label="${
    t("conflicts.group_by")}">
    <a href="#/conflicts" ${by === "person" ? html`aria-current="true"` : ""}>${
      icon("user")}${t("conflicts.by_person")}</a>
    <a href="#/conflicts?by=affair" ${by === "affair"
      ? html`aria-current="true"` : ""}>${icon("list")}${
      t("conflicts.by_affair")}</a>
  </nav>`;

  const content = html`
    ${backLink("#/approvals", t("approvals.title"))}
    ${open.length > 1 ? switcher : ""}
    <section aria-labelledby="open-title">
      <h2 id="open-title">${t("conflicts.open_title",
        { count: open.length })}</h2>
      ${open.length ? grouped(open, by).map((g, i) => html`
        <section class="conflict-group" aria-labelledby="group-${i}">
          <h3 id="group-${i}">${by === "person" ? icon("user") : ""}${
            g.title} · ${g.items.length}</h3>
          <ul class="cards">${g.items.map(conflictCard)}</ul>
        </section>`)
        : html`<p class="empty">${t(awaited.length ? "conflicts.none_now"
          : "conflicts.none")}</p>
          <p class="hint">${t("conflicts.intro")}</p>`}
    </section>
    ${awaited.length ? html`<section aria-labelledby="awaited-title">
      <h2 id="awaited-title">${t("conflicts.awaited_title",
        { count: awaited.length })}</h2>
      <ul class="cards">${awaited.map(conflictCard)}</ul>
    </section>` : ""}
    <section class="decided" aria-labelledby="resolved-title">
      <h2 id="resolved-title">${t("conflicts.resolved_title")}</h2>
      ${resolved.length ? html`<ul class="cards">${resolved.map(resolvedCard)}
        </ul>` : html`<p class="muted">${t("conflicts.resolved_none")}</p>`}
    </section>`;

  /** @param {string} id @param {"server" | "device"} keep
   * @param {string} [done] what the toast says, when not the side kept */
  const decide = async (id, keep, done = keep) => {
    confirming = "";
    givingUp = "";
    await resolveConflict(id, keep);
    devicesOutdated();
    toast(t(`conflicts.done.${done}`));
  };

  return {
    title: t("conflicts.title"), nav: "approvals", content,
    actions: {
      /** @param {HTMLElement} el */
      "keep-server": (el) => decide(String(el.dataset.id), "server"),
      /** @param {HTMLElement} el */
      "take-device": async (el) => {
        const c = open.find((x) => x.id === el.dataset.id);
        if (c && weekToReopen(c)) {
          confirming = c.id;
          go(location.hash);
          document.getElementById(`confirm-${c.id}`)?.focus();
          return;
        }
        await decide(String(el.dataset.id), "device");
      },
      cancel: () => {
        confirming = "";
        givingUp = "";
        go(location.hash);
      },
      /** @param {HTMLElement} el */
      "give-up": (el) => {
        givingUp = String(el.dataset.id);
        go(location.hash);
        document.getElementById(`give-up-${givingUp}`)?.focus();
      },
      // The server's side is the change not applied: the photo, if it
      // comes after all, applies nothing.
      /** @param {HTMLElement} el */
      "give-up-confirm": (el) => decide(String(el.dataset.id), "server",
        "given_up"),
      /** @param {HTMLElement} el */
      "reopen-take": async (el) => {
        const c = open.find((x) => x.id === el.dataset.id);
        if (!c) return;
        // Both go out in this order in one push: the week is a draft again
        // when the server replays the change.
        await reopenWeek(c.author_id, weekToReopen(c));
        await decide(c.id, "device");
      },
    },
    leave: () => {
      confirming = "";
      givingUp = "";
    },
  };
}
