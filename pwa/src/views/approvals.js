// @ts-check
/**
 * Approvals: submitted weeks of other people, anomalies first, or the
 * lines waiting grouped by affair; the weeks decided lately, to reopen
 * one; one person's week, to decide on it as a whole or line by line.
 *
 * Approving is one tap; the list then offers "Undo" (a reopen) until the
 * supervisor moves on. Rejecting asks for a reason. Reopening undoes a
 * decision, so only an approved or rejected week offers it (the server's
 * rule too); it asks first: only the person can submit the week again.
 * Only what this person decides on is offered (``mayDecideOn``: the
 * company's route); a line changed since it was approved says what moved
 * and is approved again on its own, never unseen with its week.
 */

import { html } from "../html.js";
import {
  t, formatDay, formatDuration, formatTime, formatWeek, weekRange,
} from "../i18n.js";
import { icon } from "../icons.js";
import { addWeeks, daysOf, weekNumber, weekOf } from "../dates.js";
import {
  me, weeksToApprove, decidedWeeks, entriesOfWeek, userName, approveWeek, find,
  rejectWeek, reopenWeek, weekOfUser, conflictsToResolve, photosAwaited,
  lineState, changedSinceApproved, mayDecideOn, linesToDecide, approveEntry,
  rejectEntry,
} from "../model.js";
import { refreshDevices } from "../devices.js";
import { go, query, toast } from "../ui.js";
import { backLink, pendingMark, weekChip } from "./parts.js";
import { dayTotal, entryCard } from "./time.js";

/** A day with more than this is shown as worth a second look. */
export const LONG_DAY_MINUTES = 10 * 60;

/** A person's week, as decisions name it. @typedef {{user: string,
 * week: string}} WeekRef */

/**
 * The last decision taken on this device, on one week or on every week
 * waiting (`weeks`), shown on the list with "Undo" until the supervisor
 * opens something else.
 * @type {{user?: string, week?: string, weeks?: WeekRef[],
 *   status: string} | null}
 */
let lastDecision = null;

/** Whether the list asks to confirm approving every week waiting. */
let askingAll = false;

/** Affairs on which time is a surprise: the affair ended meanwhile. */
const CLOSED_AFFAIRS = ["closed", "lost"];

/** Is `day` ("2026-12-05") a Saturday or a Sunday? @param {string} day */
function isWeekend(day) {
  const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
  return weekday === 0 || weekday === 6;
}

/** The ids of timed entries whose hours overlap another entry's, on the
 * same day: one of the two is likely a mistake.
 * @param {Record<string, any>[]} entries @returns {Set<string>} */
function overlapping(entries) {
  const timed = entries.filter((e) => e.starts_at && e.ends_at)
    .map((e) => ({ e, from: Date.parse(e.starts_at), to: Date.parse(e.ends_at) }))
    .sort((a, b) => a.from - b.from);
  const found = new Set();
  timed.forEach((a, i) => {
    for (const b of timed.slice(i + 1)) {
      if (b.from >= a.to) break;
      if (b.e.work_date !== a.e.work_date) continue;
      found.add(a.e.id);
      found.add(b.e.id);
    }
  });
  return found;
}

/** What a supervisor should look at twice in a week: days over 10 h,
 * weekend days worked, hours that overlap, time on affairs now closed.
 * @param {string} userId @param {string} week */
function summary(userId, week) {
  const entries = entriesOfWeek(userId, week);
  const total = entries.reduce((sum, e) => sum + e.minutes, 0);
  const longDays = daysOf(week)
    .filter((d) => dayTotal(entries, d) > LONG_DAY_MINUTES);
  const weekendDays = daysOf(week)
    .filter((d) => isWeekend(d) && entries.some((e) => e.work_date === d));
  const overlaps = overlapping(entries);
  const onClosed = new Set(entries
    .filter((e) => CLOSED_AFFAIRS.includes(find("affair", e.affair_id)?.status))
    .map((e) => e.id));
  // Lines to look at again before the week can be approved as a whole.
  const changed = entries
    .filter((e) => lineState(e) === "changed" && mayDecideOn(e));
  const flags = [
    ["approvals.long_days", longDays.length],
    ["approvals.weekend_days", weekendDays.length],
    ["approvals.overlaps", overlaps.size],
    ["approvals.on_closed", onClosed.size],
    ["lines.changed_count", changed.length],
  ].filter(([, count]) => count);
  return { entries, total, longDays, weekendDays, overlaps, onClosed, flags,
    changed };
}

/** Day words for a line's date ("Mon 23 Nov"). @param {string} day */
function shortDay(day) {
  return formatDay(day, { weekday: "short", day: "numeric", month: "short" });
}

/** The words a changed field is told by. */
const FIELD_WORDS = /** @type {Record<string, string>} */ ({
  affair_id: "affair", service_order_id: "affair", action_id: "affair",
  work_date: "day", starts_at: "times", ends_at: "times", time_zone: "times",
  note: "note", activity: "activity", minutes: "hours",
});

/** Where a line stands, in words (never by colour alone): approved;
 * changed since approved ("approved 3 h, now 4 h"); rejected, why.
 * @param {Record<string, any>} e */
export function lineStatus(e) {
  const state = lineState(e);
  if (state === "approved") {
    return html`<span class="line-state ok">${icon("check")}${
      t("lines.approved", { by: userName(e.decided_by_id) || "—" })}</span>`;
  }
  if (state === "rejected") {
    return html`<span class="line-state flag">${icon("cross")}${
      t("lines.rejected", { by: userName(e.decided_by_id) || "—",
        reason: e.decision_reason || "" })}</span>`;
  }
  if (state !== "changed") return "";
  const kept = e.approved_values ?? {};
  const moved = changedSinceApproved(e);
  const others = [...new Set(moved.filter((f) => f !== "minutes")
    .map((f) => t(`lines.field.${FIELD_WORDS[f] ?? "note"}`)))];
  const said = [];
  if (moved.includes("minutes")) {
    said.push(t("lines.changed_hours", { was: formatDuration(kept.minutes),
      now: formatDuration(e.minutes) }));
  }
  if (moved.includes("work_date") && kept.work_date) {
    said.push(t("lines.changed_day", { was: shortDay(kept.work_date),
      now: shortDay(e.work_date) }));
  }
  const rest = others.filter((w) => w !== t("lines.field.day"));
  if (rest.length) {
    said.push(t("lines.changed_fields", { what: rest.join(", ") }));
  }
  if (!said.length) said.push(t("lines.changed"));
  return html`<span class="line-state flag">${icon("warn")}${
    said.join(" ")}</span>`;
}

/**
 * The line's own decision: "Reject" then "Approve" (a tap each); after
 * "Reject", its reason and a confirmation (the second tap). Offered on a
 * submitted week's lines this person decides on that do not stand approved.
 * @param {Record<string, any>} e
 */
function lineDecision(e) {
  const w = weekOfUser(e.user_id, weekOf(e.work_date));
  if (w.status !== "submitted" || !mayDecideOn(e)) return "";
  if (lineState(e) === "approved") return "";
  if (rejectingLine === e.id) {
    return html`<form class="stack line-reject" data-submit="reject-line"
      data-id="${e.id}" novalidate>
      <label for="reason-${e.id}">${t("approvals.reason")}</label>
      <textarea id="reason-${e.id}" name="reason" rows="2" maxlength="500"
        aria-required="true" aria-describedby="needed-${e.id}"></textarea>
      <p id="needed-${e.id}" class="error" role="alert" hidden>${
        icon("warn")}${t("approvals.reason_needed")}</p>
      <div class="two">
        <button type="button" class="button secondary"
          data-action="cancel-line">${t("approvals.cancel")}</button>
        <button type="submit" class="button danger">${
          t("lines.confirm_reject")}</button>
      </div>
    </form>`;
  }
  const said = `${shortDay(e.work_date)}, ${formatDuration(e.minutes)}`;
  return html`<div class="two line-actions">
    <button type="button" class="button secondary" data-action="reject-line"
      data-id="${e.id}" aria-label="${t("lines.reject_named", { line: said })}">${
      icon("cross")}${t("lines.reject")}</button>
    <button type="button" class="button secondary" data-action="approve-line"
      data-id="${e.id}" aria-label="${t("lines.approve_named", { line: said })}">${
      icon("check")}${t("lines.approve")}</button>
  </div>`;
}

/** One line with its state and its decision, in a list of lines.
 * @param {Record<string, any>} e @param {string} head what names it */
function lineItem(e, head) {
  return html`<li class="line">
    <div class="card">
      <span class="card-top"><span class="card-title">${head}</span><span
        class="hours">${formatDuration(e.minutes)}</span></span>
      ${e.note ? html`<span class="card-meta">${e.note}</span>` : ""}
      ${lineStatus(e)}${pendingMark(e.pending)}
    </div>
    ${lineDecision(e)}
  </li>`;
}

/** The lines waiting for this person, by affair, with their totals. */
function byAffair() {
  /** @type {Map<string, Record<string, any>[]>} */
  const groups = new Map();
  for (const e of linesToDecide()) {
    const list = groups.get(e.affair_id) ?? [];
    list.push(e);
    groups.set(e.affair_id, list);
  }
  const named = [...groups].map(([id, lines]) => ({ affair: find("affair", id),
    lines: lines.sort((a, b) => a.work_date.localeCompare(b.work_date)
      || (userName(a.user_id) || "").localeCompare(userName(b.user_id) || "")),
    total: lines.reduce((sum, e) => sum + e.minutes, 0) }))
    .sort((a, b) => String(a.affair?.code).localeCompare(String(b.affair?.code)));
  if (!named.length) return html`<p class="empty">${t("lines.none")}</p>`;
  return named.map((g) => html`<section class="affair-lines"
    aria-label="${g.affair?.code ?? ""}">
    <h3><span>${g.affair?.code ?? ""} · ${g.affair?.title ?? ""}</span><span
      class="hours">${formatDuration(g.total)}</span></h3>
    <ul class="cards">${g.lines.map((e) => lineItem(e,
      `${userName(e.user_id) || "—"} · ${shortDay(e.work_date)}`))}</ul>
  </section>`);
}

/** The line whose reason is being asked, on either screen. */
let rejectingLine = "";

/** The actions and submits of the lines, for either screen. */
function lineHandlers() {
  const again = () => go(location.hash);
  return {
    actions: {
      /** @param {HTMLElement} el */
      "approve-line": async (el) => {
        rejectingLine = "";
        await approveEntry(String(el.dataset.id));
        toast(t("lines.done.approved"));
        again();
      },
      /** @param {HTMLElement} el */
      "reject-line": (el) => {
        rejectingLine = String(el.dataset.id);
        again();
        const box = document.getElementById(`reason-${rejectingLine}`);
        box?.focus();
        box?.scrollIntoView({ block: "nearest" });
      },
      "cancel-line": () => {
        rejectingLine = "";
        again();
      },
    },
    submits: {
      /** @param {HTMLFormElement} form */
      "reject-line": async (form) => {
        const reason = String(new FormData(form).get("reason") || "").trim();
        if (!reason) {
          form.querySelector(".error")?.removeAttribute("hidden");
          const box = /** @type {HTMLTextAreaElement} */ (
            form.elements.namedItem("reason"));
          box.setAttribute("aria-invalid", "true");
          box.focus();
          return;
        }
        rejectingLine = "";
        await rejectEntry(String(form.dataset.id), reason);
        toast(t("lines.done.rejected"));
        again();
      },
    },
  };
}

/** The week's flags, one line each. @param {(string | number)[][]} flags */
function flagLines(flags) {
  return flags.map(([key, count]) => html`<span class="flag">${icon("warn")}${
    t(String(key), { count })}</span>`);
}

/** "09:00", an instant on the device's clock. @param {string} at */
function clock(at) {
  return formatTime(at, { hour: "2-digit", minute: "2-digit" });
}

/** "12 December", for a decision's instant. @param {string | undefined} at */
function decidedOn(at) {
  return at ? formatTime(at, { day: "numeric", month: "long" }) : "";
}

/** "Approved by Marie Dubois on 23 November".
 * @param {Record<string, any>} w */
function decidedLine(w) {
  if (!w.decided_at) return "";
  return t(`approvals.decided.${w.status}`, {
    by: userName(w.decided_by_id) || w.decided_by_name || "—",
    on: decidedOn(w.decided_at) });
}

/** The last decision, with "Undo" while it can be undone. */
function decisionBanner() {
  if (!lastDecision) return "";
  const { user = "", week = "", weeks, status } = lastDecision;
  const fields = weeks ? { count: weeks.length }
    : { n: weekNumber(week), name: userName(user) || "—" };
  const undoable = ["approved", "rejected", "approved_all"].includes(status);
  return html`<div class="notice decision" role="status">
    <p>${icon(undoable ? "check" : "clock")}${
      t(`approvals.done.${status}`, fields)}</p>
    ${undoable ? html`<button type="button" class="button secondary"
      data-action="undo">${icon("undo")}${t("approvals.undo")}</button>` : ""}
  </div>`;
}

/** "Approve all" under the weeks waiting, then its question: two taps.
 * @param {{flagged: boolean}[]} waiting */
function approveAll(waiting) {
  const count = waiting.length;
  if (count < 2) return "";
  if (!askingAll) {
    return html`<button type="button" class="button big secondary"
      data-action="approve-all">${icon("check")}${
        t("approvals.approve_all", { count })}</button>`;
  }
  const flagged = waiting.filter((r) => r.flagged).length;
  return html`<div class="stack notice" role="group"
    aria-labelledby="approve-all-q">
    <p id="approve-all-q" class="strong" tabindex="-1">${
      t("approvals.approve_all_question", { count })}</p>
    ${flagged ? html`<p class="flag">${icon("warn")}${
      t("approvals.approve_all_flagged", { count: flagged })}</p>` : ""}
    <div class="two">
      <button type="button" class="button big secondary"
        data-action="cancel-all">${t("approvals.cancel")}</button>
      <button type="button" class="button big primary"
        data-action="confirm-all">${icon("check")}${
          t("approvals.confirm_all", { count })}</button>
    </div>
  </div>`;
}

export function approvalsScreen() {
  // One card a week, flagged weeks first, then by person and week.
  const waiting = weeksToApprove().map((w) => ({ w,
    name: userName(w.user_id) || "—", ...summary(w.user_id, w.week) }))
    .map((r) => ({ ...r, flagged: r.flags.length > 0 }))
    .sort((a, b) => Number(b.flagged) - Number(a.flagged)
      || a.name.localeCompare(b.name) || a.w.week.localeCompare(b.w.week));
  const decided = decidedWeeks();
  const by = query().get("by") === "affair" ? "affair" : "person";
  // "Approve all" leaves out the weeks with a line changed since approved:
  // those are looked at line by line.
  const wholesale = waiting.filter((r) => !r.changed.length);

  const waitingList = waiting.length ? html`<ul class="cards">${waiting.map(
    (r) => html`<li>
      <a class="card" href="#/approvals/${r.w.user_id}/${r.w.week}">
        <span class="card-top"><span class="card-title">${icon("user")}${
          r.name}</span><span class="hours">${
          formatDuration(r.total)}</span></span>
        <span class="card-sub">${formatWeek(r.w.week)}</span>
        ${flagLines(r.flags)}
      </a></li>`)}</ul>`
    : html`<p class="empty">${t("approvals.empty")}</p>`;

  const conflicts = conflictsToResolve().length;
  const awaited = photosAwaited().length;
  // The conflicts screen names devices from their list: ask for it now,
  // so the names are there when it opens.
  if (conflicts || awaited) refreshDevices(() => {});
  const content = html`
    ${decisionBanner()}
    ${conflicts ? html`<a class="card attention" href="#/conflicts">
      <span class="card-title">${icon("warn")}${t("approvals.conflicts",
        { count: conflicts })}</span>
      <span class="card-sub">${t("approvals.conflicts_hint")}</span>
    </a>` : ""}
    ${awaited ? html`<a class="card" href="#/conflicts">
      <span class="card-title">${icon("camera")}${t("approvals.awaited",
        { count: awaited })}</span>
      <span class="card-sub">${t("approvals.awaited_hint")}</span>
    </a>` : ""}
    <section class="waiting" aria-labelledby="waiting-title">
      <h2 id="waiting-title">${t("approvals.waiting")}</h2>
      <nav class="segmented" aria-label="${t("lines.group_by")}">
        <a href="#/approvals" ${by === "person" ? html`aria-current="true"`
          : ""}>${icon("user")}${t("lines.by_person")}</a>
        <a href="#/approvals?by=affair" ${by === "affair"
          ? html`aria-current="true"` : ""}>${icon("list")}${
          t("lines.by_affair")}</a>
      </nav>
      ${by === "affair" ? byAffair() : html`${waitingList}${
        approveAll(wholesale)}`}
    </section>
    <section class="decided" aria-labelledby="decided-title">
      <h2 id="decided-title">${t("approvals.decided_title")}</h2>
      <p class="hint">${t("approvals.decided_hint")}</p>
      ${decided.length ? html`<ul class="cards">${decided.map((w) => html`<li>
        <a class="card" href="#/approvals/${w.user_id}/${w.week}">
          <span class="card-top"><span class="card-title">${icon("user")}${
            userName(w.user_id) || "—"}</span>${weekChip(w.status)}</span>
          <span class="card-sub">${formatWeek(w.week)}</span>
          <span class="card-meta">${decidedLine(w)}${
            pendingMark(w.pending)}</span>
        </a></li>`)}</ul>`
        : html`<p class="muted">${t("approvals.decided_none")}</p>`}
    </section>`;

  const lines = lineHandlers();
  return {
    title: t("approvals.title"), nav: "approvals", content,
    submits: lines.submits,
    actions: {
      ...lines.actions,
      undo: async () => {
        const decision = lastDecision;
        if (!decision) return;
        if (decision.weeks) {
          for (const { user, week } of decision.weeks) {
            await reopenWeek(user, week);
          }
          lastDecision = { ...decision, status: "reopened_all" };
        } else {
          await reopenWeek(decision.user ?? "", decision.week ?? "");
          lastDecision = { ...decision, status: "reopened" };
        }
        go(location.hash);
      },
      "approve-all": () => {
        askingAll = true;
        go(location.hash);
      },
      "cancel-all": () => {
        askingAll = false;
        go(location.hash);
      },
      "confirm-all": async () => {
        askingAll = false;
        const weeks = weeksToApprove()
          .filter((w) => !summary(w.user_id, w.week).changed.length)
          .map((w) => ({ user: w.user_id, week: w.week }));
        for (const { user, week } of weeks) await approveWeek(user, week);
        lastDecision = { weeks, status: "approved_all" };
        go(location.hash);
      },
    },
    leave: () => {
      lastDecision = null;
      askingAll = false;
      rejectingLine = "";
    },
  };
}

/**
 * What the week screen asks for: the reason of a rejection, or the word
 * to reopen. Forgotten when the screen is left.
 * @type {"" | "reject" | "reopen"}
 */
let asking = "";

/** Where the week stands, in a sentence. @param {Record<string, any>} w
 * @param {string} name */
function weekState(w, name) {
  if (w.status === "approved") {
    return html`<p class="notice">${icon("lock")}${decidedLine(w)}</p>`;
  }
  if (w.status === "rejected") {
    return html`<p class="notice warn">${icon("cross")}${decidedLine(w)}${
      w.reason ? html`<br>${t("approvals.reason_was", { reason: w.reason })}`
        : ""}</p>`;
  }
  if (w.status === "draft") {
    return html`<p class="notice">${icon("clock")}${
      t("approvals.draft", { name })}${w.decided_at
      ? html`<br>${decidedLine(w)}` : ""}</p>`;
  }
  return "";
}

/** @param {{user: string, week: string}} params */
export function approvalScreen(params) {
  const { user, week } = params;
  const { entries, total, longDays, weekendDays, overlaps, onClosed,
    changed } = summary(user, week);
  const w = weekOfUser(user, week);
  const name = userName(user) || "—";
  const own = user === me()?.id;
  const fields = { n: weekNumber(week), name };

  let bar = html``;
  if (own) {
    bar = html`<p class="notice">${t("approvals.own_week")}</p>`;
  } else if (asking === "reject") {
    bar = html`
      <form class="stack actionbar" data-submit="reject" novalidate>
        <label for="reject-reason">${t("approvals.reason")}</label>
        <textarea id="reject-reason" name="reason" rows="3"
          aria-required="true" aria-describedby="reject-needed"
          maxlength="500"></textarea>
        <p id="reject-needed" class="error" role="alert" hidden>${
          icon("warn")}${t("approvals.reason_needed")}</p>
        <div class="two">
          <button type="button" class="button big secondary"
            data-action="cancel">${t("approvals.cancel")}</button>
          <button type="submit" class="button big danger">${
            t("approvals.confirm_reject")}</button>
        </div>
      </form>`;
  } else if (asking === "reopen") {
    bar = html`
      <div class="stack actionbar" role="group" aria-labelledby="reopen-q">
        <p id="reopen-q" class="strong" tabindex="-1">${
          t("approvals.reopen_question", fields)}</p>
        <div class="two">
          <button type="button" class="button big secondary"
            data-action="cancel">${t("approvals.cancel")}</button>
          <button type="button" class="button big primary"
            data-action="confirm-reopen">${
              t("approvals.reopen_confirm")}</button>
        </div>
      </div>`;
  } else if (w.status === "submitted" && changed.length) {
    // Approving the week would approve these unseen: the server refuses.
    bar = html`<p class="notice warn actionbar">${icon("warn")}${
      t("lines.look_again", { count: changed.length })}</p>`;
  } else if (w.status === "submitted") {
    // Said above the two buttons when lines have theirs: these decide on
    // the whole week.
    const offered = entries.some((e) => mayDecideOn(e)
      && lineState(e) !== "approved");
    bar = html`
      <div class="actionbar week-decision" role="group" ${offered
        ? html`aria-labelledby="whole-week"` : ""}>
        ${offered ? html`<p id="whole-week" class="hint">${
          t("lines.whole_week", { total: formatDuration(total) })}</p>` : ""}
        <div class="two">
        <button type="button" class="button big secondary"
          data-action="reject">${icon("cross")}${t("approvals.reject")}</button>
        <button type="button" class="button big primary"
          data-action="approve">${icon("check")}${
            t("approvals.approve")}</button>
        </div>
      </div>`;
  } else if (w.status === "approved" || w.status === "rejected") {
    bar = html`<div class="actionbar">
      <button type="button" class="button big secondary"
        data-action="reopen">${icon("undo")}${t("approvals.reopen")}</button>
    </div>`;
  }

  const content = html`
    ${backLink("#/approvals", t("approvals.title"))}
    <div class="week-bar">
      <a class="icon-button" href="#/approvals/${user}/${addWeeks(week, -1)}"
        aria-label="${t("time.previous_week")}">${icon("back")}</a>
      <div class="week-title">
        <h2 class="title">${name}</h2>
        <p class="range">${t("week.short", { n: weekNumber(week) })} · ${
          weekRange(week)}</p>
        <p>${weekChip(w.status)}${pendingMark(w.pending)}
          <span class="total">${t("time.week_total",
            { total: formatDuration(total) })}</span></p>
      </div>
      <a class="icon-button" href="#/approvals/${user}/${addWeeks(week, 1)}"
        aria-label="${t("time.next_week")}">${icon("forward")}</a>
    </div>
    ${weekState(w, name)}
    ${entries.length ? ""
      : html`<p class="empty">${t("approvals.no_time")}</p>`}
    ${daysOf(week).map((d) => {
      const ofDay = entries.filter((e) => e.work_date === d);
      if (!ofDay.length) return "";
      const long = longDays.includes(d);
      const weekend = weekendDays.includes(d);
      return html`<section class="day-block ${long || weekend ? "long" : ""}"
        aria-label="${formatDay(d)}">
        <h3>${formatDay(d)} · ${formatDuration(dayTotal(entries, d))}${
          long ? html` <span class="flag">${icon("warn")}${
            t("approvals.over_10")}</span>` : ""}${
          weekend ? html` <span class="flag">${icon("warn")}${
            t("approvals.weekend")}</span>` : ""}</h3>
        <ul class="cards">${ofDay.map((e) => html`${entryCard(e, false)}${
          overlaps.has(e.id) ? html`<li class="flag entry-flag">${icon("warn")}${
            t("approvals.overlap", { from: clock(e.starts_at),
              to: clock(e.ends_at) })}</li>` : ""}${
          onClosed.has(e.id) ? html`<li class="flag entry-flag">${icon("warn")}${
            t("approvals.closed_affair")}</li>` : ""}${
          lineStatus(e) ? html`<li class="entry-flag">${lineStatus(e)}</li>`
            : ""}${lineDecision(e) ? html`<li>${lineDecision(e)}</li>` : ""}`)}</ul>
      </section>`;
    })}
    ${bar}`;

  /** Show the question (or the buttons) again; focus what it asks. */
  const ask = (/** @type {typeof asking} */ what) => {
    asking = what;
    go(location.hash);
    const focus = what === "reject" ? "reject-reason"
      : what === "reopen" ? "reopen-q" : "";
    if (focus) {
      const el = document.getElementById(focus);
      el?.focus();
      el?.scrollIntoView({ block: "nearest" });
    }
  };

  const lines = lineHandlers();
  return {
    title: t("approvals.title"), nav: "approvals", content,
    actions: {
      ...lines.actions,
      approve: async () => {
        await approveWeek(user, week);
        lastDecision = { user, week, status: "approved" };
        go("#/approvals");
      },
      reject: () => ask("reject"),
      reopen: () => ask("reopen"),
      cancel: () => ask(""),
      "confirm-reopen": async () => {
        asking = "";
        await reopenWeek(user, week);
        toast(t("approvals.done.reopened", fields));
        go(location.hash);
      },
    },
    submits: {
      ...lines.submits,
      /** @param {HTMLFormElement} form */
      reject: async (form) => {
        const reason = String(new FormData(form).get("reason") || "").trim();
        const box = /** @type {HTMLTextAreaElement} */ (
          form.elements.namedItem("reason"));
        if (!reason) {
          // Said in the app's words and language, under the field: the
          // browser's own bubble speaks the browser's language.
          const needed = form.querySelector("#reject-needed");
          if (needed) needed.removeAttribute("hidden");
          box.setAttribute("aria-invalid", "true");
          box.focus();
          return;
        }
        asking = "";
        await rejectWeek(user, week, reason);
        lastDecision = { user, week, status: "rejected" };
        go("#/approvals");
      },
    },
    leave: () => {
      asking = "";
      rejectingLine = "";
    },
  };
}
