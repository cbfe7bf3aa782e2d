// @ts-check
/**
 * Adding or changing a time entry. A new entry is added with one button;
 * an existing one is saved on this device at each change of a field.
 *
 * An activity (free words, or one of those the company uses) goes with
 * the entry only when it is set or changed: left out, the server keeps
 * the entry's own, so an edit of the hours never erases it.
 */

import { html } from "../html.js";
import {
  t, formatDay, formatNumber, formatWeek, formatDuration,
} from "../i18n.js";
import { icon } from "../icons.js";
import {
  daysOf, hoursText, parseHours, today, weekNumber, weekOf,
} from "../dates.js";
import { uuid7 } from "../ids.js";
import {
  me, entry, entriesOfWeek, find, openAffairs, myOrders, putEntry,
  deleteEntry, weekOfUser,
} from "../model.js";
import { go, query, toast } from "../ui.js";
import {
  knownActivities, refreshActivities, MAX_ACTIVITY_LENGTH,
} from "../activities.js";
import { backLink, pendingMark } from "./parts.js";

/**
 * @typedef {{id: string, isNew: boolean, work_date: string,
 *   affair_id: string, service_order_id: string, hours: string,
 *   note: string, activity: string, error: string,
 *   errorArgs?: Record<string, string>, route?: string}} Draft
 */

/** A person's hours on one day, all entries together (the server's rule,
 * checked here too so that the form says so before anything is saved). */
export const MAX_MINUTES_PER_DAY = 24 * 60;

/** @type {Draft | null} */
let draft = null;

/** @param {{id: string}} params @returns {Draft | null} */
function draftFor(params) {
  if (draft && (draft.id === params.id || (draft.isNew && params.id === "new"
    && draft.route === location.hash))) return draft;
  if (params.id === "new") {
    const q = query();
    const orderId = q.get("order") || "";
    const o = orderId ? find("service_order", orderId) : undefined;
    draft = { id: uuid7(), isNew: true, work_date: q.get("day") || today(),
      affair_id: o?.affair_id || "", service_order_id: orderId, hours: "",
      note: "", activity: "", error: "" };
    draft.route = location.hash;
    return draft;
  }
  const e = entry(params.id);
  if (!e) return null;
  draft = { id: e.id, isNew: false, work_date: e.work_date,
    affair_id: e.affair_id, service_order_id: e.service_order_id || "",
    hours: hoursText(e.minutes), note: e.note || "",
    activity: e.activity || "", error: "" };
  return draft;
}

/**
 * Where the form goes back to: the visit it was opened from (the link
 * says so with `from=order/<id>`), else My time on the entry's day.
 * @param {string} day
 * @returns {{href: string, label: string}}
 */
function origin(day) {
  const from = /^order\/([\w-]+)$/.exec(query().get("from") || "");
  const order = from ? find("service_order", from[1]) : undefined;
  if (from) {
    return { href: `#/order/${from[1]}`,
      label: order?.number || t("order.title") };
  }
  return { href: `#/time/${weekOf(day)}/${day}`, label: t("time.title") };
}

/** The minutes already on the draft's day, its own entry left out.
 * @param {Draft} d */
function otherMinutesOfDay(d) {
  return entriesOfWeek(me()?.id, weekOf(d.work_date))
    .filter((e) => e.work_date === d.work_date && e.id !== d.id)
    .reduce((sum, e) => sum + (e.minutes || 0), 0);
}

/**
 * The mutation args of a draft, or an error key (with the values its
 * words name).
 * @param {Draft} d
 * @returns {{args?: Record<string, any>, error?: string,
 *   errorArgs?: Record<string, string>}}
 */
function argsOf(d) {
  const minutes = parseHours(d.hours);
  if (!d.affair_id) return { error: "entry.need_affair" };
  if (minutes === null) return { error: "entry.bad_hours" };
  if (minutes < 1 || minutes > MAX_MINUTES_PER_DAY) {
    return { error: "entry.hours_range" };
  }
  const others = otherMinutesOfDay(d);
  if (others + minutes > MAX_MINUTES_PER_DAY) {
    return { error: "entry.day_over_24h", errorArgs: {
      done: formatDuration(others),
      left: formatDuration(Math.max(0, MAX_MINUTES_PER_DAY - others)) } };
  }
  /** @type {Record<string, any>} */
  const args = { id: d.id, affair_id: d.affair_id, work_date: d.work_date,
    minutes };
  if (d.service_order_id) args.service_order_id = d.service_order_id;
  if (d.note.trim()) args.note = d.note.trim();
  const activity = d.activity.trim();
  // Sent only when it differs from the entry's own: cleared, it is null.
  if (activity !== (entry(d.id)?.activity ?? "")) {
    args.activity = activity || null;
  }
  return { args };
}

/**
 * Free words, with the company's known activities to pick with one tap
 * (the chosen one pressed, and ticked: not by colour alone).
 * @param {Draft} d
 */
function activityField(d) {
  const chosen = d.activity.trim();
  const known = knownActivities([entry(d.id)?.activity]);
  return html`<label for="entry-activity">${t("entry.activity")}</label>
    <input id="entry-activity" name="activity" type="text" autocomplete="off"
      maxlength="${MAX_ACTIVITY_LENGTH}" value="${d.activity}"
      data-change="field" aria-describedby="entry-activity-hint">
    <p id="entry-activity-hint" class="hint">${known.length
      ? t("entry.activity_hint") : t("entry.activity_hint_none")}</p>
    ${known.length ? html`<div class="activity-chips" role="group"
      aria-label="${t("entry.activities")}">${known.map((word) => html`
      <button type="button" class="activity-chip" data-action="activity"
        data-activity="${word}" aria-pressed="${String(word === chosen)}">${
        word === chosen ? icon("check") : ""}${word}</button>`)}</div>` : ""}`;
}

/** @param {{id: string}} params */
export function entryScreen(params) {
  const d = draftFor(params);
  const from = origin(d?.work_date || today());
  const back = backLink(from.href, from.label);
  if (!d) {
    return { title: t("entry.title"), nav: "time",
      content: html`${back}<p class="empty">${t("entry.missing")}</p>` };
  }
  const self = me();
  const week = weekOf(d.work_date);
  const locked = weekOfUser(self?.id, week).status === "approved";
  const affairs = openAffairs();
  const orders = myOrders().filter((o) => o.affair_id === d.affair_id);
  const stored = d.isNew ? undefined : entry(d.id);
  const minutes = parseHours(d.hours);
  // Each error sits under the field it is about.
  const errorOf = (/** @type {string} */ field) => (d.error
    && (d.error === "entry.need_affair") === (field === "affair")
    ? html`<p id="entry-error" class="error" role="alert">${icon("warn")}${
      t(d.error, d.errorArgs)}</p>` : "");
  const invalid = (/** @type {string} */ field) => (errorOf(field)
    ? html` aria-invalid="true"` : "");
  const described = (/** @type {string} */ field, /** @type {string} */ ids) =>
    [ids, errorOf(field) ? "entry-error" : ""].filter(Boolean).join(" ");

  // The header names the screen already: no heading repeats it, so the
  // Hours field shows above the sticky bar when the form opens.
  const content = html`${back}${stored?.pending
    ? html`<p>${pendingMark(true)}</p>` : ""}
    ${locked ? html`<p class="notice warn">${icon("lock")}${t("entry.locked",
      { n: weekNumber(week) })}</p>` : ""}
    <form class="stack entry-form" data-submit="add" novalidate>
      <fieldset class="day-pick">
        <legend>${t("entry.day")} · ${formatWeek(week)}</legend>
        <div class="day-chips">${daysOf(week).map((day) => html`
          <label class="day-chip ${day === d.work_date ? "on" : ""}">
            <input type="radio" name="work_date" value="${day}"
              data-change="field" ${day === d.work_date ? "checked" : ""}
              aria-label="${formatDay(day)}">
            <span class="dow">${formatDay(day, { weekday: "short" })}</span>
            <span class="dom">${formatNumber(Number(day.slice(8)))}</span>
          </label>`)}</div>
      </fieldset>
      <label for="entry-affair">${t("entry.affair")}</label>
      <select id="entry-affair" name="affair_id" data-change="field"
        aria-describedby="${described("affair", "")}"${invalid("affair")}
        required>
        <option value="">${t("entry.choose_affair")}</option>
        ${affairs.map((a) => html`<option value="${a.id}" ${
          a.id === d.affair_id ? "selected" : ""}>${a.code} · ${
          a.title}</option>`)}
      </select>
      ${errorOf("affair")}
      <label for="entry-order">${t("entry.order")}</label>
      <select id="entry-order" name="service_order_id" data-change="field">
        <option value="">${t("entry.no_order")}</option>
        ${orders.map((o) => html`<option value="${o.id}" ${
          o.id === d.service_order_id ? "selected" : ""}>${o.number} · ${
          o.title}</option>`)}
      </select>
      <label for="entry-hours">${t("entry.hours")}</label>
      <input id="entry-hours" name="hours" type="text" inputmode="decimal"
        autocomplete="off" value="${d.hours}" data-input="field"
        data-change="field"
        aria-describedby="${described("hours", "entry-hours-hint")}"${
          invalid("hours")} required>
      <p id="entry-hours-hint" class="hint">${minutes !== null && minutes > 0
        ? t("entry.hours_read", { hours: formatDuration(minutes) })
        : t("entry.hours_hint")}</p>
      ${errorOf("hours")}
      ${activityField(d)}
      <label for="entry-note">${t("entry.note")}</label>
      <textarea id="entry-note" name="note" rows="2" maxlength="2000"
        data-change="field">${d.note}</textarea>
      <div class="actionbar two">${d.isNew
        ? html`<button class="button big primary" type="submit">${
          icon("plus")}${t("entry.add")}</button>`
        : html`<a class="button big primary" href="${from.href}">${
          icon("check")}${t("entry.done")}</a>
          <button class="button big danger" type="button"
            data-action="delete">${icon("cross")}${t("entry.delete")}</button>`}
      </div>
    </form>`;

  refreshActivities(() => go(location.hash));

  /** @param {Draft} current */
  const saveEdit = async (current) => {
    const { args, error, errorArgs } = argsOf(current);
    current.error = error || "";
    current.errorArgs = errorArgs;
    if (!args) return void go(location.hash);
    await putEntry(args);
    toast(t("saved.on_phone"));
  };

  return {
    title: d.isNew ? t("entry.new") : t("entry.edit"), nav: "time", content,
    inputs: {
      /** @param {HTMLInputElement} el */
      field: (el) => {
        d.hours = el.value;
        const hint = document.getElementById("entry-hours-hint");
        const m = parseHours(el.value);
        if (hint) hint.textContent = m !== null && m > 0
          ? t("entry.hours_read", { hours: formatDuration(m) })
          : t("entry.hours_hint");
      },
    },
    changes: {
      /** @param {HTMLInputElement} el */
      field: async (el) => {
        const name = /** @type {keyof Draft} */ (el.name);
        /** @type {any} */ (d)[name] = el.value;
        if (name === "affair_id") d.service_order_id = "";
        if (d.isNew) {
          // Redraw only what depends on the field: a redraw under a
          // finger that is about to tap "Add" would swallow the tap.
          if (name === "affair_id" || name === "work_date") {
            d.error = "";
            go(location.hash);
          }
          return;
        }
        await saveEdit(d);
      },
    },
    submits: {
      add: async () => {
        const { args, error, errorArgs } = argsOf(d);
        if (!args) {
          d.error = error || "";
          d.errorArgs = errorArgs;
          return void go(location.hash);
        }
        await putEntry(args);
        draft = null;
        toast(t("saved.on_phone"));
        go(`#/time/${week}/${d.work_date}`);
      },
    },
    actions: {
      /** A known activity, or none when it was the one chosen.
       * @param {HTMLElement} el */
      activity: async (el) => {
        const word = el.dataset.activity || "";
        d.activity = d.activity.trim() === word ? "" : word;
        if (d.isNew) return void go(location.hash);
        await saveEdit(d);
      },
      delete: async () => {
        if (!confirm(t("entry.confirm_delete"))) return;
        await deleteEntry(d.id);
        draft = null;
        toast(t("entry.deleted"));
        go(origin(d.work_date).href);
      },
    },
  };
}
