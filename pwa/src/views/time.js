// @ts-check
/** My time: the week as day chips, the day's entries, totals, submit. */

import { html } from "../html.js";
import {
  t, formatDay, formatDuration, formatTime, formatNumber, weekRange,
} from "../i18n.js";
import { icon } from "../icons.js";
import {
  addWeeks, daysOf, hoursText, today, weekNumber, weekOf,
} from "../dates.js";
import {
  me, entriesOfWeek, weekOfUser, find, userName, submitWeek,
} from "../model.js";
import { go, toast } from "../ui.js";
import { pendingMark, timeViews, weekChip } from "./parts.js";

/** How many ended weeks are looked at for reminders: the server's rule
 * too (backend/timesheets/reminders.py). */
const WEEKS_LOOKED_BACK = 8;

/** The person's past weeks that want something of them: time entered and
 * never submitted, or a week sent back. Worked out from what this device
 * holds, so they show offline too.
 * @param {string} userId @param {string} shown the week on screen */
function reminders(userId, shown) {
  const thisWeek = weekOf(today());
  const found = [];
  for (let n = 1; n <= WEEKS_LOOKED_BACK; n += 1) {
    const week = addWeeks(thisWeek, -n);
    if (week === shown) continue;
    const w = weekOfUser(userId, week);
    const minutes = entriesOfWeek(userId, week)
      .reduce((sum, e) => sum + e.minutes, 0);
    if (w.status === "draft" && minutes) {
      found.push({ week, text: t("time.reminder.not_submitted",
        // "37 h 30" kept on one line.
        { n: weekNumber(week),
          total: formatDuration(minutes).replace(/ /g, "\u00a0") }) });
    } else if (w.status === "rejected") {
      found.push({ week, text: t("time.reminder.rejected", {
        n: weekNumber(week), by: deciderName(w) || "—",
        reason: w.reason || "" }) });
    }
  }
  return found;
}

/** The reminders as one short notice, a link a week: the week on screen
 * stays in sight on a phone. @param {string} userId @param {string} shown */
function reminderNotice(userId, shown) {
  const found = reminders(userId, shown);
  if (!found.length) return "";
  return html`<nav class="notice warn reminders" aria-labelledby="reminders-title">
    <p id="reminders-title" class="strong">${icon("warn")}${
      t("time.reminders")}</p>
    <ul>${found.map((r) => html`<li><a href="#/time/${r.week}">${
      r.text}</a></li>`)}</ul>
  </nav>`;
}

/** @param {Record<string, any>[]} entries @param {string} day */
export function dayTotal(entries, day) {
  return entries.filter((e) => e.work_date === day)
    .reduce((sum, e) => sum + e.minutes, 0);
}

/** @param {Record<string, any>} e */
export function entryCard(e, editable = true) {
  const affair = find("affair", e.affair_id);
  const o = e.service_order_id ? find("service_order", e.service_order_id)
    : undefined;
  const inner = html`<span class="card-top"><span class="card-title">${
      affair?.code ?? ""}</span><span class="hours">${
      formatDuration(e.minutes)}</span></span>
    <span class="card-sub">${affair?.title ?? ""}</span>
    ${o ? html`<span class="card-meta">${o.number} · ${o.title}</span>` : ""}
    ${e.activity ? html`<span class="card-meta card-activity">${
      t("time.activity", { activity: e.activity })}</span>` : ""}
    ${e.note ? html`<span class="card-meta">${e.note}</span>` : ""}
    ${pendingMark(e.pending)}`;
  return editable
    ? html`<li><a class="card" href="#/entry/${e.id}">${inner}</a></li>`
    : html`<li><div class="card">${inner}</div></li>`;
}

/** Who decided the week, by name: the week carries it for a decider this
 * phone does not otherwise know (a manager outside the team).
 * @param {Record<string, any>} w */
function deciderName(w) {
  return userName(w.decided_by_id) || w.decided_by_name || "";
}

/** A line rejected that is still to correct: until its week is sent again.
 * @param {Record<string, any>} e @param {Record<string, any>} w */
export function isSentBack(e, w) {
  return e.decision === "rejected" && ["draft", "rejected"].includes(w.status);
}

/** A sentence about where the week stands; a week sent back for lines
 * of it points at them, where the view shows who and why: under each
 * line in the days view, in the grid's list of rejected lines.
 * @param {Record<string, any>} w @param {Record<string, any>[]} [entries]
 * @param {"days" | "grid"} [view] */
export function weekState(w, entries = [], view = "days") {
  const sentBackLines = entries.filter((e) => e.decision === "rejected");
  if (w.status === "rejected" && sentBackLines.length) {
    return html`<p class="notice warn">${icon("warn")}${t(view === "grid"
      ? "grid.lines_rejected" : "time.lines_rejected",
      { count: sentBackLines.length })}</p>`;
  }
  if (w.status === "approved") {
    return html`<p class="notice">${icon("lock")}${t("time.approved_by", {
      by: deciderName(w) || "—",
      on: w.decided_at ? formatTime(w.decided_at, { day: "numeric",
        month: "long" }) : "" })}</p>`;
  }
  if (w.status === "rejected") {
    return html`<p class="notice warn">${icon("warn")}${t("time.rejected", {
      reason: w.reason || "" })}</p>`;
  }
  if (w.status === "submitted") {
    return html`<p class="notice">${t("time.submitted")}</p>`;
  }
  if (w.status === "draft" && w.decided_at && w.decided_by_id !== me()?.id) {
    return html`<p class="notice">${icon("clock")}${t("time.reopened_by", {
      by: deciderName(w) || "—",
      on: formatTime(w.decided_at, { day: "numeric", month: "long" }) })}</p>`;
  }
  return "";
}

/** A line rejected, with who and why, until its week is sent again.
 * @param {Record<string, any>} e @param {Record<string, any>} w */
function sentBack(e, w) {
  if (!isSentBack(e, w)) return "";
  return html`<li class="flag entry-flag line-rejected">${icon("cross")}<span>${
    t("time.line_rejected", { by: userName(e.decided_by_id) || "—",
      reason: e.decision_reason || "" })}</span></li>`;
}

/** The week's title between its two arrows: number, dates, status and
 * total; ``link`` is the view's route ("#/time/" or "#/time/grid/").
 * @param {string} week @param {Record<string, any>} w
 * @param {number} total minutes @param {string} link */
export function weekBar(week, w, total, link) {
  return html`<div class="week-bar">
      <a class="icon-button" href="${link}${addWeeks(week, -1)}"
        aria-label="${t("time.previous_week")}">${icon("back")}</a>
      <div class="week-title">
        <h2>${t("week.short", { n: weekNumber(week) })}</h2>
        <p class="range">${weekRange(week)}</p>
        <p>${weekChip(w.status)}${pendingMark(w.pending)}
          <span class="total">${t("time.week_total",
            { total: formatDuration(total) })}</span></p>
      </div>
      <a class="icon-button" href="${link}${addWeeks(week, 1)}"
        aria-label="${t("time.next_week")}">${icon("forward")}</a>
    </div>`;
}

/** @param {{week?: string, day?: string}} params */
export function timeScreen(params) {
  const self = me();
  const day = params.day || today();
  const week = params.week || weekOf(day);
  const days = daysOf(week);
  const selected = days.includes(day) ? day
    : days.includes(today()) ? today() : days[0];
  const entries = entriesOfWeek(self?.id, week);
  const w = weekOfUser(self?.id, week);
  const weekTotal = entries.reduce((sum, e) => sum + e.minutes, 0);
  const ofDay = entries.filter((e) => e.work_date === selected)
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
  const canSubmit = ["draft", "rejected"].includes(w.status)
    && entries.length > 0;

  const content = html`
    ${reminderNotice(self?.id, week)}
    ${timeViews(week, "days")}
    ${weekBar(week, w, weekTotal, "#/time/")}
    ${weekState(w, entries)}
    <div class="day-chips" role="group" aria-label="${t("time.days")}">
      ${days.map((d) => {
        const total = dayTotal(entries, d);
        // A day holding a line to correct says so on its chip, by a mark
        // and in words: the lines are only read once the day is opened.
        const rejected = entries.some((e) => e.work_date === d
          && isSentBack(e, w));
        return html`<a class="day-chip ${d === selected ? "on" : ""} ${
          d === today() ? "today" : ""} ${rejected ? "has-rejected" : ""}"
          href="#/time/${week}/${d}"
          aria-current="${d === selected ? "date" : "false"}"
          aria-label="${formatDay(d)}, ${formatDuration(total)}${rejected
            ? `, ${t("time.day_rejected")}` : ""}">
          <span class="dow">${formatDay(d, { weekday: "short" })}</span>
          <span class="dom">${formatNumber(Number(d.slice(8)))}${rejected
            ? html`<span class="day-rejected" title="${
            t("time.day_rejected")}">${icon("cross")}</span>` : ""}</span>
          <span class="dt">${total ? hoursText(total) : "–"}</span>
        </a>`;
      })}
    </div>
    <section aria-labelledby="day-title">
      <h2 id="day-title" class="day-title">${formatDay(selected)} · ${
        formatDuration(dayTotal(entries, selected))}</h2>
      ${ofDay.length ? html`<ul class="cards">${ofDay.map((e) =>
        html`${entryCard(e)}${sentBack(e, w)}`)}</ul>`
        : html`<p class="empty">${t("time.none")}</p>`}
    </section>
    <div class="actionbar two">
      ${w.status === "approved"
        // New time in a locked week can only end as a conflict: say who
        // can open it again instead of offering it.
        ? html`<p class="hint add-locked">${icon("lock")}${deciderName(w)
          ? t("time.add_locked", { by: deciderName(w) })
          : t("time.add_locked_anyone")}</p>`
        : html`<a class="button big primary" href="#/entry/new?day=${
          selected}">${icon("plus")}${t("time.add")}</a>`}
      ${canSubmit ? html`<button type="button" class="button big secondary"
        data-action="submit">${t("time.submit",
        { n: weekNumber(week) })}</button>` : ""}
    </div>`;

  return {
    title: t("time.title"), nav: "time", content,
    actions: {
      submit: async () => {
        await submitWeek(week);
        toast(t("time.submitted_toast", { n: weekNumber(week) }));
        go(`#/time/${week}/${selected}`);
      },
    },
  };
}
