// @ts-check
/**
 * My time as a grid: a row per thing the time is on (an affair, with its
 * visit or action), a column per day of the ISO week, and in each cell
 * the hours of that row on that day. A cell is saved on this device as
 * soon as it is left, through the same changes as the entry form
 * (`time_entry.put`, `time_entry.delete`); clearing it deletes its entry.
 *
 * A cell holding several entries (two visits logged apart, a timer and
 * typed hours) shows their sum and opens the day's list instead: one
 * number cannot say which of them to change.
 *
 * What is kept on the device besides the entries (meta of the store):
 *   time_view   "grid" | "days": the view My time opens with
 *   grid_rows   {week: [row key]}: rows added by hand, still empty
 *   running_timer  {key, started_at} | null: the timer, if one runs
 *   grid_refused  {cell id: {text, error, args}}: values typed and refused,
 *                 kept (and shown as typed, marked) until corrected or put
 *                 back: leaving the screen or reloading loses none of them
 */

import { html } from "../html.js";
import {
  t, formatDay, formatDuration, formatTime,
} from "../i18n.js";
import { icon } from "../icons.js";
import {
  addDays, addWeeks, daysOf, hoursText, isoDate, nowWithOffset, parseHours,
  timeZone, today, weekNumber, weekOf,
} from "../dates.js";
import { uuid7 } from "../ids.js";
import {
  me, entriesOfWeek, weekOfUser, find, openAffairs, myOrders, putEntry,
  deleteEntry, submitWeek, userName,
} from "../model.js";
import { getMeta, setMeta, pulledAll } from "../store.js";
import { go, toast } from "../ui.js";
import { pendingMark, timeViews } from "./parts.js";
import { isSentBack, timeScreen, weekBar, weekState } from "./time.js";
import { MAX_MINUTES_PER_DAY } from "./entry.js";
import { LONG_DAY_MINUTES } from "./approvals.js";

/**
 * @typedef {Record<string, any>} Row
 * @typedef {{key: string, affair_id: string, service_order_id: string,
 *   action_id: string, code: string, title: string, detail: string,
 *   sortKey: string}} GridRow
 * @typedef {{key: string, day: string}} Cell
 */

const VIEW = "time_view";
const ADDED_ROWS = "grid_rows";
const TIMER = "running_timer";
const REFUSED = "grid_refused";

// ---- what the screen remembers while it is open ------------------------

/** The cell the panel under the grid is about. @type {Cell | null} */
let selected = null;
/** Text typed in cells, shown while it is being saved, by cell id.
 * @type {Map<string, string>} */
const typed = new Map();
/** The cell refused last: its message is the one read out at once.
 * @type {string | null} */
let refusedLast = null;
/** The cell being saved, waited for before the week is submitted.
 * @type {Promise<void>} */
let saving = Promise.resolve();
let noteOpen = false;
let adding = false;
let addingAffair = "";
let copying = false;

// ---- rows and cells -----------------------------------------------------

/** @param {Row} e an entry, or anything naming its affair, visit, action */
function rowKey(e) {
  return [e.affair_id, e.service_order_id || "", e.action_id || ""].join("|");
}

/** @param {string} key @param {string} day */
const cellId = (key, day) => `${key}@${day}`;

/** A day as a sentence starts with it: "Friday 11 December", "Vendredi
 * 11 décembre" (French writes its days in lower case otherwise).
 * @param {string} day */
function dayFirst(day) {
  const said = formatDay(day);
  return said.charAt(0).toUpperCase() + said.slice(1);
}

/** @typedef {{text: string, error: string, args?: Record<string, string>}}
 *   Refused */

/** The values refused, by cell id. @returns {Record<string, Refused>} */
const allRefused = () => getMeta(REFUSED) ?? {};

/** @param {string} id @param {Refused | null} why */
async function keepRefused(id, why) {
  const refused = { ...allRefused() };
  if (why) refused[id] = why;
  else if (id in refused) delete refused[id];
  else return;
  await setMeta({ [REFUSED]: refused });
}

/** @param {string} key @returns {GridRow} */
function describeRow(key) {
  const [affairId, orderId, actionId] = key.split("|");
  const affair = find("affair", affairId);
  const order = orderId ? find("service_order", orderId) : undefined;
  const action = actionId ? find("action", actionId) : undefined;
  const detail = order ? `${order.number} · ${order.title}`
    : action ? action.title : "";
  return { key, affair_id: affairId, service_order_id: orderId,
    action_id: actionId, code: affair?.code ?? "", title: affair?.title ?? "",
    detail, sortKey: `${affair?.code ?? ""} ${detail}` };
}

/** The local day of an instant written with its offset.
 * @param {string} instant */
function dayOf(instant) {
  return isoDate(new Date(instant));
}

/** @returns {{key: string, started_at: string} | null} */
function runningTimer() {
  return getMeta(TIMER) || null;
}

/**
 * The rows of a week: those its entries are on, those added by hand on
 * this device, and the one a running timer counts on; by affair, then
 * visit or action. A row keeps its place once it has hours, so the focus
 * stays in the cell being typed in.
 * @param {string} week @param {Row[]} entries @returns {GridRow[]}
 */
function rowsOf(week, entries) {
  const keys = new Set(entries.map(rowKey));
  for (const key of getMeta(ADDED_ROWS)?.[week] ?? []) keys.add(key);
  const timer = runningTimer();
  if (timer && weekOf(dayOf(timer.started_at)) === week) keys.add(timer.key);
  return [...keys].map(describeRow)
    .sort((a, b) => a.sortKey.localeCompare(b.sortKey)
      || a.key.localeCompare(b.key));
}

/** @param {Row[]} entries @param {string} key @param {string} day */
function entriesOfCell(entries, key, day) {
  return entries.filter((e) => e.work_date === day && rowKey(e) === key);
}

/** @param {Row[]} entries */
const sum = (entries) => entries.reduce((n, e) => n + (e.minutes || 0), 0);

/** @param {Row[]} entries @param {string} day */
const minutesOfDay = (entries, day) =>
  sum(entries.filter((e) => e.work_date === day));

/** @param {string} week @param {string} key */
async function addRow(week, key) {
  const added = { ...(getMeta(ADDED_ROWS) ?? {}) };
  // Only the weeks around this one are kept: an added row that never got
  // hours is of no use a month later.
  for (const old of Object.keys(added)) {
    if (old < addWeeks(week, -5) || old > addWeeks(week, 5)) delete added[old];
  }
  added[week] = [...new Set([...(added[week] ?? []), key])];
  await setMeta({ [ADDED_ROWS]: added });
}

// ---- saving ------------------------------------------------------------

/**
 * The fields of an entry as `time_entry.put` takes them, changed by
 * `change`. Typed hours replace an interval (the typed number wins: an
 * interval would decide the minutes on the server). The activity is left
 * out: the server keeps the entry's own (rows are not per activity).
 * @param {Row} e @param {Row} change
 */
function argsOf(e, change) {
  /** @type {Row} */
  const args = { id: e.id, affair_id: e.affair_id, work_date: e.work_date,
    minutes: e.minutes };
  for (const field of ["service_order_id", "action_id", "note", "starts_at",
    "ends_at", "tz"]) {
    if (e[field]) args[field] = e[field];
  }
  Object.assign(args, change);
  if ("minutes" in change && !("starts_at" in change)) {
    delete args.starts_at;
    delete args.ends_at;
    delete args.tz;
  }
  for (const [field, value] of Object.entries(args)) {
    if (value === null || value === "") delete args[field];
  }
  return args;
}

/** A new entry on a row. @param {string} key @param {string} day
 * @param {number} minutes */
function newEntry(key, day, minutes) {
  const row = describeRow(key);
  /** @type {Row} */
  const args = { id: uuid7(), affair_id: row.affair_id, work_date: day,
    minutes };
  if (row.service_order_id) args.service_order_id = row.service_order_id;
  if (row.action_id) args.action_id = row.action_id;
  return args;
}

/**
 * Why `minutes` cannot be the hours of a cell (the server's rules), or "".
 * @param {Row[]} entries the week's @param {string} day
 * @param {number} minutes @param {Row[]} replaced entries the new value
 *   takes the place of
 * @returns {{error: string, args?: Record<string, string>} | null}
 */
function refusalOf(entries, day, minutes, replaced) {
  if (minutes < 1 || minutes > MAX_MINUTES_PER_DAY) {
    return { error: "entry.hours_range" };
  }
  const others = minutesOfDay(entries, day) - sum(replaced);
  if (others + minutes > MAX_MINUTES_PER_DAY) {
    return { error: "entry.day_over_24h", args: {
      done: formatDuration(others),
      left: formatDuration(Math.max(0, MAX_MINUTES_PER_DAY - others)) } };
  }
  return null;
}

/** @param {HTMLInputElement} el a cell */
function saveCell(el) {
  const next = saving.then(() => saveValue(el));
  saving = next.catch(() => undefined);
  return next;
}

/** @param {HTMLInputElement} el a cell */
async function saveValue(el) {
  const key = String(el.dataset.key);
  const day = String(el.dataset.day);
  const id = cellId(key, day);
  const entries = entriesOfWeek(me()?.id, weekOf(day));
  const held = entriesOfCell(entries, key, day);
  if (held.length > 1) return;
  const current = held[0];
  const text = el.value.trim();
  const minutes = text === "" ? 0 : parseHours(text);

  if (minutes === null) {
    return refuse(id, el.value, { error: "entry.bad_hours" });
  }
  if (minutes === (current?.minutes ?? 0)) return void settle(id);
  if (minutes > 0) {
    const refused = refusalOf(entries, day, minutes, held);
    if (refused) return refuse(id, el.value, refused);
  }

  // Shown as typed while it is written: a redraw meanwhile (the focus
  // moving on) must not put the old hours back for a moment.
  typed.set(id, el.value);
  if (minutes === 0) {
    await deleteEntry(current.id);
    toast(t("entry.deleted"));
  } else {
    await putEntry(current ? argsOf(current, { minutes })
      : argsOf(newEntry(key, day, minutes), {}));
    toast(t("saved.on_phone"));
  }
  await settle(id);
}

/** @param {string} id @param {string} text
 * @param {{error: string, args?: Record<string, string>}} why */
async function refuse(id, text, why) {
  await keepRefused(id, { text, ...why });
  refusedLast = id;
  go(location.hash);
  // Back to the cell whose value did not take: it is the one to correct.
  const [key, day] = id.split("@");
  /** @type {HTMLElement | null} */ (document.querySelector(
    `.week-grid input[data-key="${key}"][data-day="${day}"]`))?.focus();
}

/** The cell holds what was saved (or put back): its refusal goes.
 * @param {string} id */
async function settle(id) {
  typed.delete(id);
  if (refusedLast === id) refusedLast = null;
  await keepRefused(id, null);
  go(location.hash);
}

/** @param {HTMLTextAreaElement} el */
async function saveNote(el) {
  if (!selected) return;
  const held = entriesOfCell(entriesOfWeek(me()?.id, weekOf(selected.day)),
    selected.key, selected.day);
  if (held.length !== 1) return;
  const note = el.value.trim();
  if (note === (held[0].note ?? "")) return;
  await putEntry(argsOf(held[0], { note: note || null }));
  toast(t("saved.on_phone"));
}

// ---- timer -------------------------------------------------------------

/** @param {string} key */
async function startTimer(key) {
  if (runningTimer()) await stopTimer();
  await setMeta({ [TIMER]: { key, started_at: nowWithOffset() } });
  toast(t("grid.timer_started"));
  go(location.hash);
}

/**
 * Stop the timer: its time goes on today's cell of its row (the day it
 * started). An empty cell gets an entry with the interval (the server
 * counts its minutes from the instants); a cell holding one entry gets
 * the minutes added to it, which makes it a plain number of hours.
 */
async function stopTimer() {
  const timer = runningTimer();
  if (!timer) return;
  const started = new Date(timer.started_at);
  const ended = new Date();
  const minutes = Math.round((ended.getTime() - started.getTime()) / 60000);
  const day = dayOf(timer.started_at);
  const entries = entriesOfWeek(me()?.id, weekOf(day));
  const held = entriesOfCell(entries, timer.key, day);
  const extended = held.length === 1 ? held[0] : undefined;
  await setMeta({ [TIMER]: null });

  if (minutes < 1) return void toast(t("grid.timer_too_short"));
  const total = minutes + (extended?.minutes ?? 0);
  const refused = refusalOf(entries, day, total, extended ? [extended] : []);
  if (refused) {
    toast(`${t("grid.timer_not_saved")} ${t(refused.error, refused.args)}`);
    return void go(location.hash);
  }
  await putEntry(extended ? argsOf(extended, { minutes: total })
    : { ...newEntry(timer.key, day, minutes), starts_at: timer.started_at,
      ends_at: nowWithOffset(ended), tz: timeZone() });
  toast(t("grid.timer_stopped", { hours: formatDuration(minutes) }));
  go(location.hash);
}

// ---- copying last week ---------------------------------------------------

/**
 * What copying last week into `week` would make: last week's rows, and
 * one entry per cell of last week whose cell this week is empty (the
 * minutes of last week's cell), as long as the day stays within 24 h.
 * @param {string} week
 */
function copyPlan(week) {
  const self = me()?.id;
  const before = entriesOfWeek(self, addWeeks(week, -1));
  const now = entriesOfWeek(self, week);
  const keys = [...new Set(before.map(rowKey))];
  /** @type {Row[]} */
  const made = [];
  const dayMinutes = new Map(daysOf(week)
    .map((d) => [d, minutesOfDay(now, d)]));
  for (const key of keys) {
    for (const day of daysOf(addWeeks(week, -1))) {
      const minutes = sum(entriesOfCell(before, key, day));
      const target = addDays(day, 7);
      if (!minutes || entriesOfCell(now, key, target).length) continue;
      const onDay = (dayMinutes.get(target) ?? 0) + minutes;
      if (onDay > MAX_MINUTES_PER_DAY) continue;
      dayMinutes.set(target, onDay);
      made.push(newEntry(key, target, minutes));
    }
  }
  return { keys, made };
}

/** @param {string} week @param {boolean} withHours */
async function copyLastWeek(week, withHours) {
  const { keys, made } = copyPlan(week);
  for (const key of keys) await addRow(week, key);
  if (withHours) {
    for (const e of made) await putEntry(e);
  }
  copying = false;
  toast(withHours ? t("grid.copied", { count: made.length })
    : t("grid.copied_rows", { count: keys.length }));
  go(location.hash);
}

// ---- drawing -------------------------------------------------------------

/** The hours of a total, with the words a long day needs.
 * @param {number} minutes */
function dayTotalCell(minutes) {
  const over = minutes > MAX_MINUTES_PER_DAY ? "grid.over_24"
    : minutes > LONG_DAY_MINUTES ? "approvals.over_10" : "";
  // "10 h" kept on one line in a narrow column.
  const said = over ? t(over).replace(/(\d) h\b/g, "$1\u00a0h") : "";
  return html`<td class="grid-total ${over ? "long" : ""}"><span>${minutes
    ? hoursText(minutes) : "–"}</span>${over ? html`<span class="flag">${
    icon("warn")}${said}</span>` : ""}</td>`;
}

/** The id of the message saying why a cell's value was refused.
 * @param {number} r @param {number} c */
const errorId = (r, c) => `grid-error-${r}-${c}`;

/**
 * One cell: a field for its hours, the day's list when it holds several
 * entries, or only the hours in a locked week. A cell holding a line
 * rejected (and still to correct) is marked, in words for a screen
 * reader; a cell whose value was refused shows it, marked, until it is
 * corrected or put back.
 * @param {GridRow} row @param {string} day @param {Row[]} held
 * @param {number} r @param {number} c @param {Row} w the week
 */
function cell(row, day, held, r, c, w) {
  const locked = w.status === "approved";
  const id = cellId(row.key, day);
  const minutes = sum(held);
  const rejected = held.some((e) => isSentBack(e, w));
  const label = `${row.code}${row.detail ? ` ${row.detail}` : ""}, ${
    formatDay(day)}${rejected ? `, ${t("grid.rejected_mark")}` : ""}`;
  const rejectedMark = rejected ? html`<span class="grid-rejected">${
    icon("cross")}<span class="visually-hidden">${
    t("grid.rejected_mark")}</span></span>` : "";
  const noted = held.some((e) => e.note)
    ? html`<span class="grid-noted">${icon("list")}<span
      class="visually-hidden">${t("grid.has_note")}</span></span>` : "";
  const pending = held.some((e) => e.pending)
    ? html`<span class="grid-pending" title="${t("pending.mark")}">${
      icon("cloud")}<span class="visually-hidden">${
      t("pending.mark")}</span></span>` : "";
  if (locked) {
    return html`<td class="grid-cell"><span class="grid-field grid-read">${
      minutes ? hoursText(minutes) : ""}${noted}</span></td>`;
  }
  const isSelected = selected?.key === row.key && selected?.day === day;
  const marks = `${isSelected ? "on" : ""} ${rejected ? "rejected" : ""}`;
  if (held.length > 1) {
    return html`<td class="grid-cell ${marks}"><a
      class="grid-many" href="#/time/${weekOf(day)}/${day}" data-cell
      data-key="${row.key}" data-day="${day}" data-r="${r}" data-c="${c}"
      aria-label="${label}: ${formatDuration(minutes)}, ${t("grid.entries",
        { count: held.length })}">${hoursText(minutes)}<span class="grid-count"
      >×${held.length}</span>${rejectedMark}</a>${pending}</td>`;
  }
  const refused = allRefused()[id];
  const shown = typed.get(id) ?? refused?.text
    ?? (minutes ? hoursText(minutes) : "");
  return html`<td class="grid-cell ${marks}"><span
    class="grid-field"><input
    type="text" inputmode="decimal" autocomplete="off" enterkeyhint="next"
    value="${shown}" data-cell data-change="cell"
    data-key="${row.key}" data-day="${day}" data-r="${r}" data-c="${c}"
    aria-label="${label}"${refused ? html` aria-invalid="true"
      aria-describedby="${errorId(r, c)}"` : ""}>${
    rejectedMark}${noted}${pending}</span></td>`;
}

/**
 * A row's name, and its timer: "Start" on every row while none runs,
 * "Stop" on the row it runs on. @param {GridRow} row
 * @param {boolean} canTime the week holds today and is not locked
 */
function rowHead(row, canTime) {
  const timer = runningTimer();
  const running = timer?.key === row.key;
  const button = running
    ? html`<button type="button" class="grid-timer running"
      data-action="stop-timer" data-key="${row.key}"
      aria-describedby="grid-since">${icon("clock")}${
      t("grid.timer_stop")}</button><span id="grid-since"
      class="grid-since">${t("grid.timer_since",
      { at: formatTime(timer.started_at) })}</span>`
    : html`<button type="button" class="grid-timer" data-action="start-timer"
      data-key="${row.key}">${icon("play")}${t("grid.timer_start")}</button>`;
  return html`<th scope="row" class="grid-row-head">
    <span class="grid-code">${row.code}</span>
    <span class="grid-title">${row.title}</span>
    ${row.detail ? html`<span class="grid-detail">${row.detail}</span>` : ""}
    ${canTime && (running || !timer) ? button : ""}
  </th>`;
}

/** The cells of the week on screen, in the order of the grid (by row,
 * then day), with their place, kept when `keep` says so.
 * @param {string} week @param {GridRow[]} rows
 * @param {(key: string, day: string) => boolean} keep */
function cellsWhere(week, rows, keep) {
  return rows.flatMap((row, r) => daysOf(week).map((day, c) =>
    ({ row, day, r, c })).filter((p) => keep(row.key, p.day)));
}

/**
 * Why values typed were not saved: a notice for each cell refused, naming
 * its day and row, with a button to put its saved value back. The cell
 * refused last is read out at once.
 * @param {string} week @param {GridRow[]} rows @param {Row[]} entries
 */
function refusalNotices(week, rows, entries) {
  const refused = allRefused();
  const cells = cellsWhere(week, rows, (key, day) => cellId(key, day)
    in refused);
  return cells.map(({ row, day, r, c }) => {
    const id = cellId(row.key, day);
    const why = refused[id];
    const saved = sum(entriesOfCell(entries, row.key, day));
    return html`<div class="notice warn grid-refusal" data-key="${row.key}"
      data-day="${day}"><p class="strong">${icon("warn")}${dayFirst(day)} · <span
      class="whole">${row.code}</span>${row.detail ? ` · ${row.detail}` : ""}</p>
      <p id="${errorId(r, c)}"${refusedLast === id ? html` role="alert"` : ""}>${
      t("grid.refused", { text: why.text })} ${t(why.error, why.args)}</p>
      <button type="button" class="button secondary" data-action="put-back"
        data-key="${row.key}" data-day="${day}">${icon("undo")}${saved
        ? t("grid.put_back", { hours: hoursText(saved) })
        : t("grid.put_back_empty")}</button></div>`;
  });
}

/** Who rejected a line and why, as the days view says it.
 * @param {Row} e */
const rejectedWhy = (e) => t("time.line_rejected", {
  by: userName(e.decided_by_id) || "—", reason: e.decision_reason || "" });

/**
 * The lines rejected and still to correct, under the grid: each says its
 * day, row, who and why, and is a button to the cell holding it.
 * @param {string} week @param {GridRow[]} rows @param {Row[]} entries
 * @param {Row} w
 */
function rejectedList(week, rows, entries, w) {
  const lines = entries.filter((e) => isSentBack(e, w));
  if (!lines.length) return "";
  const cells = cellsWhere(week, rows, (key, day) => lines.some((e) =>
    rowKey(e) === key && e.work_date === day));
  return html`<section class="grid-rejections"
    aria-labelledby="grid-rejections-title">
    <h3 id="grid-rejections-title">${icon("cross")}${t("grid.rejected_title",
      { count: lines.length })}</h3>
    <ul>${cells.flatMap(({ row, day }) => lines.filter((e) =>
      rowKey(e) === row.key && e.work_date === day).map((e) => html`<li><button
      type="button" class="grid-rejection" data-action="focus-cell"
      data-key="${row.key}" data-day="${day}"><span class="strong">${
      dayFirst(day)} · <span class="whole">${row.code}</span>${row.detail
      ? ` · ${row.detail}` : ""} · ${hoursText(e.minutes)}</span><span>${
      rejectedWhy(e)}</span></button></li>`))}</ul>
  </section>`;
}

/** The panel under the grid: the selected cell's hours, note, and why a
 * line of it was rejected.
 * @param {Row[]} entries @param {Row} w */
function cellPanel(entries, w) {
  if (w.status === "approved" || !selected) {
    return html`<p class="hint">${t("grid.hint")}</p>`;
  }
  const row = describeRow(selected.key);
  const held = entriesOfCell(entries, selected.key, selected.day);
  const title = html`<h3 class="grid-panel-title">${dayFirst(selected.day)}
    · <span class="whole">${row.code}</span>${row.detail
    ? ` · ${row.detail}` : ""}</h3>`;
  const rejected = held.filter((e) => isSentBack(e, w)).map((e) => html`<p
    class="flag line-rejected">${icon("cross")}<span>${
    rejectedWhy(e)}</span></p>`);
  if (held.length > 1) {
    return html`<section class="panel grid-panel stack">${title}${rejected}
      <p><a href="#/time/${weekOf(selected.day)}/${selected.day}">${
      t("grid.open_day", { count: held.length })}</a></p></section>`;
  }
  const e = held[0];
  if (!e) {
    return html`<section class="panel grid-panel">${title}
      <p class="hint">${t("grid.empty_cell")}</p></section>`;
  }
  const note = noteOpen || e.note ? html`<label for="grid-note">${
    t("entry.note")}</label><textarea id="grid-note" rows="2" maxlength="2000"
    data-change="note">${e.note ?? ""}</textarea>` : html`<button
    type="button" class="button secondary" data-action="open-note">${
    icon("list")}${t("grid.add_note")}</button>`;
  return html`<section class="panel grid-panel stack">${title}${rejected}
    <p>${t("entry.hours_read", { hours: formatDuration(e.minutes) })}${
      pendingMark(e.pending)} · <a href="#/entry/${e.id}">${
      t("grid.open_entry")}</a></p>
    ${note}</section>`;
}

function addRowForm() {
  const affairs = openAffairs();
  const orders = myOrders().filter((o) => o.affair_id === addingAffair);
  const actions = pulledAll("action").map((a) => ({ ...a.data, id: a.id }))
    .filter((a) => a.affair_id === addingAffair && !a.deleted_at);
  return html`<form class="panel stack grid-add" data-submit="add-row"
    novalidate>
    <h3>${t("grid.add_row")}</h3>
    <label for="grid-affair">${t("entry.affair")}</label>
    <select id="grid-affair" name="affair" data-change="row-affair" required>
      <option value="">${t("entry.choose_affair")}</option>
      ${affairs.map((a) => html`<option value="${a.id}" ${a.id === addingAffair
        ? "selected" : ""}>${a.code} · ${a.title}</option>`)}
    </select>
    <label for="grid-what">${t("grid.order_or_action")}</label>
    <select id="grid-what" name="what">
      <option value="">${t("grid.affair_only")}</option>
      ${orders.length ? html`<optgroup label="${t("grid.orders")}">${
        orders.map((o) => html`<option value="|${o.id}|">${o.number} · ${
        o.title}</option>`)}</optgroup>` : ""}
      ${actions.length ? html`<optgroup label="${t("grid.actions")}">${
        actions.map((a) => html`<option value="||${a.id}">${
        a.title}</option>`)}</optgroup>` : ""}
    </select>
    <div class="two">
      <button type="submit" class="button primary">${icon("plus")}${
        t("grid.add_row_do")}</button>
      <button type="button" class="button secondary" data-action="cancel">${
        t("grid.cancel")}</button>
    </div>
  </form>`;
}

/** @param {string} week */
function copyQuestion(week) {
  const { keys, made } = copyPlan(week);
  const last = weekNumber(addWeeks(week, -1));
  if (!keys.length) {
    return html`<div class="panel confirm stack" role="group"
      aria-labelledby="copy-title"><p id="copy-title">${t("grid.copy_nothing",
      { n: last })}</p><button type="button" class="button secondary"
      data-action="cancel">${t("grid.cancel")}</button></div>`;
  }
  return html`<div class="panel confirm stack grid-copy" role="group"
    aria-labelledby="copy-title">
    <p id="copy-title">${t("grid.copy_question", { count: made.length })}</p>
    ${made.length ? html`<button type="button" class="button primary"
      data-action="copy-hours">${t("grid.copy_hours",
      { count: made.length })}</button>` : ""}
    <button type="button" class="button secondary" data-action="copy-rows">${
      t("grid.copy_rows", { count: keys.length })}</button>
    <button type="button" class="button secondary" data-action="cancel">${
      t("grid.cancel")}</button>
  </div>`;
}

/**
 * The table: a row per grid row, a column per day, the totals of each row
 * (last column), of each day and of the week (last row).
 * @param {string} week @param {GridRow[]} rows @param {Row[]} entries
 * @param {Row} w the week
 */
function gridTable(week, rows, entries, w) {
  const locked = w.status === "approved";
  const days = daysOf(week);
  const canTime = !locked && days.includes(today());
  const dayHead = (/** @type {string} */ d) => html`<th scope="col" class="${
    d === today() ? "today" : ""}" ${d === today()
    ? html`aria-current="date"` : ""}><span class="dow">${
    formatDay(d, { weekday: "short" })}</span><span class="dom">${
    formatDay(d, { day: "numeric" })}</span> <span class="month">${
    formatDay(d, { month: "short" })}</span></th>`;
  const head = html`<thead><tr><th scope="col" class="grid-corner">${
    t("grid.row")}</th>${days.map(dayHead)}<th scope="col">${
    t("grid.total")}</th></tr></thead>`;
  const body = html`<tbody>${rows.map((row, r) => {
    const ofRow = entries.filter((e) => rowKey(e) === row.key);
    return html`<tr>${rowHead(row, canTime)}${
      days.map((d, c) => cell(row, d, entriesOfCell(ofRow, row.key, d), r, c,
        w))}<td class="grid-total"><span>${
      hoursText(sum(ofRow))}</span></td></tr>`;
  })}</tbody>`;
  const foot = html`<tfoot><tr><th scope="row">${t("grid.day_total")}</th>${
    days.map((d) => dayTotalCell(minutesOfDay(entries, d)))}<td
    class="grid-total grid-week-total"><span>${hoursText(sum(entries))}</span>
    </td></tr></tfoot>`;
  return html`<div class="grid-scroll" role="region" tabindex="0"
    aria-label="${t("grid.label", { n: weekNumber(week) })}">
    <table class="week-grid">${head}${body}${foot}</table></div>`;
}

/** @param {{week?: string}} params */
export function gridScreen(params) {
  const self = me();
  const week = params.week || weekOf(today());
  if (getMeta(VIEW) !== "grid") void setMeta({ [VIEW]: "grid" });
  const entries = entriesOfWeek(self?.id, week);
  const w = weekOfUser(self?.id, week);
  const locked = w.status === "approved";
  const rows = rowsOf(week, entries);
  const timer = runningTimer();
  const timerElsewhere = timer && !rows.some((row) => row.key === timer.key);
  if (selected && !daysOf(week).includes(selected.day)) selected = null;
  const canSubmit = ["draft", "rejected"].includes(w.status)
    && entries.length > 0;

  const content = html`
    ${timeViews(week, "grid")}
    ${weekBar(week, w, sum(entries), "#/time/grid/")}
    ${weekState(w, entries, "grid")}
    ${timerElsewhere ? html`<p class="notice grid-timer-line">${icon("clock")}${
      t("grid.timer_elsewhere", { row: describeRow(timer.key).code,
        at: formatTime(timer.started_at) })}
      <button type="button" class="button secondary"
        data-action="stop-timer">${t("grid.timer_stop_short")}</button></p>`
      : ""}
    ${rows.length ? gridTable(week, rows, entries, w)
      : html`<p class="empty">${t("grid.no_rows")}</p>`}
    ${refusalNotices(week, rows, entries)}
    ${rejectedList(week, rows, entries, w)}
    ${rows.length ? cellPanel(entries, w) : ""}
    ${locked ? "" : adding ? addRowForm() : copying ? copyQuestion(week)
      : html`<div class="two grid-tools">
        <button type="button" class="button secondary" data-action="add">${
          icon("plus")}${t("grid.add_row")}</button>
        <button type="button" class="button secondary" data-action="copy">${
          icon("undo")}${t("grid.copy")}</button></div>`}
    ${canSubmit ? html`<div class="actionbar grid-submit"><button type="button"
      class="button big primary" data-action="submit">${t("time.submit",
      { n: weekNumber(week) })}</button></div>` : ""}`;

  return {
    title: t("time.title"), nav: "time", content,
    leave: () => {
      selected = null;
      refusedLast = null;
      typed.clear();
      adding = false;
      copying = false;
    },
    changes: {
      cell: saveCell,
      note: saveNote,
      /** @param {HTMLSelectElement} el */
      "row-affair": (el) => {
        addingAffair = el.value;
        go(location.hash);
      },
    },
    submits: {
      /** @param {HTMLFormElement} form */
      "add-row": async (form) => {
        const what = String(new FormData(form).get("what") || "||");
        if (!addingAffair) return void document.getElementById("grid-affair")
          ?.focus();
        await addRow(week, `${addingAffair}${what}`);
        adding = false;
        addingAffair = "";
        go(location.hash);
      },
    },
    actions: {
      add: () => {
        adding = true;
        go(location.hash);
        document.getElementById("grid-affair")?.focus();
      },
      copy: () => {
        copying = true;
        go(location.hash);
      },
      cancel: () => {
        adding = false;
        copying = false;
        go(location.hash);
      },
      "copy-hours": () => copyLastWeek(week, true),
      "copy-rows": () => copyLastWeek(week, false),
      "open-note": () => {
        noteOpen = true;
        go(location.hash);
        document.getElementById("grid-note")?.focus();
      },
      /** @param {HTMLElement} el */
      "start-timer": (el) => startTimer(String(el.dataset.key)),
      "stop-timer": () => stopTimer(),
      /** @param {HTMLElement} el */
      "focus-cell": (el) => focusCell(String(el.dataset.key),
        String(el.dataset.day)),
      /** @param {HTMLElement} el */
      "put-back": async (el) => {
        const key = String(el.dataset.key);
        const day = String(el.dataset.day);
        await settle(cellId(key, day));
        focusCell(key, day);
      },
      submit: async () => {
        // A value being saved as the button is pressed goes with the week.
        await saving;
        const [first] = cellsWhere(week, rows, (key, day) => cellId(key, day)
          in allRefused());
        if (first) {
          toast(t("grid.submit_refused"));
          return void focusCell(first.row.key, first.day);
        }
        await submitWeek(week);
        toast(t("time.submitted_toast", { n: weekNumber(week) }));
        go(location.hash);
      },
    },
  };
}

/** My time as the person left it on this device: the grid, or the days. */
export function myTimeScreen() {
  return getMeta(VIEW) === "grid" ? gridScreen({}) : timeScreen({});
}

// ---- keyboard and focus ------------------------------------------------

/** Put the focus in a row's cell of a day (which selects it).
 * @param {string} key @param {string} day */
function focusCell(key, day) {
  const el = /** @type {HTMLElement | null} */ (document.querySelector(
    `.week-grid [data-cell][data-key="${key}"][data-day="${day}"]`));
  el?.focus();
  el?.scrollIntoView({ block: "nearest", inline: "nearest" });
}

/** The cell `[r, c]` of the grid `from` is in, if any.
 * @param {HTMLElement} from @param {number} r @param {number} c */
function cellAt(from, r, c) {
  return /** @type {HTMLElement | null} */ (from.closest("table")
    ?.querySelector(`[data-cell][data-r="${r}"][data-c="${c}"]`) ?? null);
}

/**
 * Arrow keys move between cells (left and right once the caret is at the
 * edge of what is typed), Enter moves down, as in a spreadsheet; Tab
 * keeps its own order, along the rows. Leaving a cell saves it.
 * @param {KeyboardEvent} event
 */
function moveBetweenCells(event) {
  const el = /** @type {HTMLElement} */ (event.target);
  if (!(el instanceof HTMLElement) || !el.matches(".week-grid [data-cell]")) {
    return;
  }
  const field = el instanceof HTMLInputElement ? el : null;
  const r = Number(el.dataset.r);
  const c = Number(el.dataset.c);
  const atStart = !field || (field.selectionStart === 0
    && field.selectionEnd === 0);
  const atEnd = !field || field.selectionStart === field.value.length;
  /** @type {[number, number] | null} */
  let to = null;
  if (event.key === "ArrowDown" || (event.key === "Enter" && field)) {
    to = [r + 1, c];
  } else if (event.key === "ArrowUp") to = [r - 1, c];
  else if (event.key === "ArrowLeft" && atStart) to = [r, c - 1];
  else if (event.key === "ArrowRight" && atEnd) to = [r, c + 1];
  if (!to) return;
  event.preventDefault();
  const target = cellAt(el, to[0], to[1]);
  if (target) {
    target.focus();
  } else if (field && event.key === "Enter") {
    // The last row: Enter saves in place.
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }
}

/** A cell taking the focus becomes the one the panel is about.
 * @param {FocusEvent} event */
function selectCell(event) {
  const el = event.target;
  if (!(el instanceof HTMLElement) || !el.matches(".week-grid [data-cell]")) {
    return;
  }
  if (el instanceof HTMLInputElement) el.select();
  const key = String(el.dataset.key);
  const day = String(el.dataset.day);
  if (selected?.key === key && selected.day === day) return;
  selected = { key, day };
  noteOpen = false;
  go(location.hash);
}

/** The view chosen with the switch is the one My time opens with next.
 * @param {MouseEvent} event */
function rememberView(event) {
  const link = /** @type {HTMLElement | null} */ (
    /** @type {HTMLElement} */ (event.target).closest?.("[data-time-view]"));
  if (link) void setMeta({ [VIEW]: link.dataset.timeView });
}

document.addEventListener("keydown", moveBetweenCells);
document.addEventListener("focusin", selectCell);
document.addEventListener("click", rememberView);
