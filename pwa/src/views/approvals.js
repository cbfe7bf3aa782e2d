// @ts-check
/** Weeks to approve: submitted weeks of other people, anomalies first. */

import { html } from "../html.js";
import { t, formatDay, formatDuration, formatWeek } from "../i18n.js";
import { icon } from "../icons.js";
import { daysOf, weekNumber } from "../dates.js";
import {
  weeksToApprove, entriesOfWeek, userName, approveWeek, rejectWeek, weekOfUser,
} from "../model.js";
import { go, toast } from "../ui.js";
import { backLink, weekChip } from "./parts.js";
import { dayTotal, entryCard } from "./time.js";

/** A day with more than this is shown as worth a second look. */
export const LONG_DAY_MINUTES = 10 * 60;

/** @param {string} userId @param {string} week */
function summary(userId, week) {
  const entries = entriesOfWeek(userId, week);
  const total = entries.reduce((sum, e) => sum + e.minutes, 0);
  const longDays = daysOf(week)
    .filter((d) => dayTotal(entries, d) > LONG_DAY_MINUTES);
  return { entries, total, longDays };
}

export function approvalsScreen() {
  /** @type {Map<string, Record<string, any>[]>} */
  const people = new Map();
  for (const w of weeksToApprove()) {
    if (!people.has(w.user_id)) people.set(w.user_id, []);
    people.get(w.user_id)?.push(w);
  }
  const sorted = [...people.entries()].map(([userId, weeks]) => {
    const rows = weeks.sort((a, b) => a.week.localeCompare(b.week))
      .map((w) => ({ w, ...summary(userId, w.week) }));
    const flagged = rows.some((r) => r.longDays.length);
    return { userId, name: userName(userId), rows, flagged };
  }).sort((a, b) => Number(b.flagged) - Number(a.flagged)
    || a.name.localeCompare(b.name));

  const content = sorted.length ? html`${sorted.map((p) => html`
    <section class="panel" aria-labelledby="p-${p.userId}">
      <h2 id="p-${p.userId}">${icon("user")}${p.name || "—"}</h2>
      <ul class="cards">${p.rows.map((r) => html`<li>
        <a class="card" href="#/approvals/${p.userId}/${r.w.week}">
          <span class="card-top"><span class="card-title">${
            formatWeek(r.w.week)}</span><span class="hours">${
            formatDuration(r.total)}</span></span>
          ${r.longDays.length ? html`<span class="flag">${icon("warn")}${
            t("approvals.long_days", { count: r.longDays.length })}</span>`
            : ""}
        </a></li>`)}</ul>
    </section>`)}` : html`<p class="empty">${t("approvals.empty")}</p>`;
  return { title: t("approvals.title"), nav: "approvals", content };
}

/** Reject needs a reason: the form opens on the first tap. */
let rejecting = false;

/** @param {{user: string, week: string}} params */
export function approvalScreen(params) {
  const { user, week } = params;
  const { entries, total, longDays } = summary(user, week);
  const w = weekOfUser(user, week);
  const name = userName(user);
  const decided = w.status !== "submitted";

  const content = html`
    ${backLink("#/approvals", t("approvals.title"))}
    <h2 class="title">${name}</h2>
    <p>${formatWeek(week)}</p>
    <p>${weekChip(w.status)} <span class="total">${t("time.week_total",
      { total: formatDuration(total) })}</span></p>
    ${daysOf(week).map((d) => {
      const ofDay = entries.filter((e) => e.work_date === d);
      if (!ofDay.length) return "";
      const long = longDays.includes(d);
      return html`<section class="day-block ${long ? "long" : ""}"
        aria-label="${formatDay(d)}">
        <h3>${formatDay(d)} · ${formatDuration(dayTotal(entries, d))}${
          long ? html` <span class="flag">${icon("warn")}${
            t("approvals.over_10")}</span>` : ""}</h3>
        <ul class="cards">${ofDay.map((e) => entryCard(e, false))}</ul>
      </section>`;
    })}
    ${decided ? "" : rejecting ? html`
      <form class="stack actionbar" data-submit="reject" novalidate>
        <label for="reject-reason">${t("approvals.reason")}</label>
        <textarea id="reject-reason" name="reason" rows="3" required
          maxlength="500"></textarea>
        <div class="two">
          <button type="button" class="button big secondary"
            data-action="cancel">${t("approvals.cancel")}</button>
          <button type="submit" class="button big danger">${
            t("approvals.confirm_reject")}</button>
        </div>
      </form>` : html`
      <div class="actionbar two">
        <button type="button" class="button big secondary"
          data-action="reject">${icon("cross")}${t("approvals.reject")}</button>
        <button type="button" class="button big primary"
          data-action="approve">${icon("check")}${
            t("approvals.approve")}</button>
      </div>`}`;

  return {
    title: t("approvals.title"), nav: "approvals", content,
    actions: {
      approve: async () => {
        await approveWeek(user, week);
        toast(t("approvals.approved", { n: weekNumber(week), name }));
        go("#/approvals");
      },
      reject: () => {
        rejecting = true;
        go(location.hash);
        document.getElementById("reject-reason")?.focus();
      },
      cancel: () => {
        rejecting = false;
        go(location.hash);
      },
    },
    submits: {
      /** @param {HTMLFormElement} form */
      reject: async (form) => {
        const reason = String(new FormData(form).get("reason") || "").trim();
        const box = /** @type {HTMLTextAreaElement} */ (
          form.elements.namedItem("reason"));
        if (!reason) {
          box.setCustomValidity(t("approvals.reason_needed"));
          box.reportValidity();
          box.setCustomValidity("");
          return;
        }
        rejecting = false;
        await rejectWeek(user, week, reason);
        toast(t("approvals.rejected", { n: weekNumber(week), name }));
        go("#/approvals");
      },
    },
    leave: () => {
      rejecting = false;
    },
  };
}
