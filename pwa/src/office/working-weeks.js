// @ts-check
/**
 * The working weeks part of the calendars screen: the company's week, or
 * a person's (their own, else the company's, said in words), edited as
 * hours per weekday and saved whole (PUT /api/planning/working-weeks/...).
 * The edited hours stay on a refusal; the server names the period at
 * fault by its place in what was sent, which is the draft's order.
 */

import { html } from "../html.js";
import { t, formatDay } from "../i18n.js";
import { icon } from "../icons.js";
import { api, ApiError } from "../api.js";
import { addDays } from "../dates.js";
import { toast } from "../ui.js";
import {
  described, failure, fieldError, load, loadPeople, offline, personName,
  personSelect, problemBox, redraw, refusalText,
} from "./calendar-parts.js";

/** Monday 1 January 2024: weekday names come from Intl, from Monday on. */
const A_MONDAY = "2024-01-01";
const COMPANY = "company";

/** @typedef {{weekday: number, starts: string, ends: string}} Period */

const weeks = {
  asked: "", busy: false, problem: "",
  /** "company" or a person's id. */ whose: COMPANY,
  /** @type {{own: boolean, periods: Period[]} | null} */ week: null,
  /** The periods being edited. @type {Period[]} */ draft: [],
  /** Refusals by period index. @type {Record<number, string>} */ errors: {},
  saving: false,
};

/** "Monday" .. "Sunday", capitalised. @param {number} weekday */
function weekdayName(weekday) {
  const name = formatDay(addDays(A_MONDAY, weekday), { weekday: "long" });
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** @param {Period[]} periods */
function sortedCopy(periods) {
  return periods.map((p) => ({ ...p })).sort((a, b) =>
    a.weekday - b.weekday || a.starts.localeCompare(b.starts));
}

/** "13:00" an hour after "12:00", at most "23:59". @param {string} clock
 * @param {number} minutes */
function later(clock, minutes) {
  const [h, m] = clock.split(":").map(Number);
  const total = Math.min(h * 60 + m + minutes, 23 * 60 + 59);
  const pad = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return `${pad(Math.floor(total / 60))}:${pad(total % 60)}`;
}

/** What the week shown is, in words. */
function whoseWeekSaid() {
  if (weeks.whose === COMPANY) return t("calendars.week.company_said");
  const name = personName(weeks.whose);
  return weeks.week?.own ? t("calendars.week.own_said", { name })
    : t("calendars.week.follows_said", { name });
}

/** @param {Period} p @param {number} index @param {string} day */
function periodRow(p, index, day) {
  const id = `period-${index}`;
  const error = weeks.errors[index];
  return html`<div class="period" id="${id}">
    <input type="time" id="${id}-starts" value="${p.starts}"
      data-input="period" data-index="${index}" data-end="starts"
      aria-label="${t("calendars.week.starts", { day })}"
      ${described(id, error)}>
    <span aria-hidden="true">–</span>
    <input type="time" id="${id}-ends" value="${p.ends}"
      data-input="period" data-index="${index}" data-end="ends"
      aria-label="${t("calendars.week.ends", { day })}"
      ${described(id, error)}>
    <button type="button" class="icon-button" data-action="remove-period"
      data-index="${index}" aria-label="${t("calendars.week.remove_period",
      { day, starts: p.starts, ends: p.ends })}">${icon("cross")}</button>
  </div>${fieldError(id, error)}`;
}

/** @param {number} weekday */
function weekdayRows(weekday) {
  const day = weekdayName(weekday);
  const rows = weeks.draft.map((p, index) => ({ p, index }))
    .filter(({ p }) => p.weekday === weekday);
  return html`<fieldset class="weekday">
    <legend>${day}</legend>
    ${rows.length ? rows.map(({ p, index }) => periodRow(p, index, day))
      : html`<p class="muted">${t("calendars.week.off")}</p>`}
    <button type="button" class="button secondary add-period"
      data-action="add-period" data-weekday="${weekday}"
      aria-label="${t("calendars.week.add_period_to", { day })}">${
      icon("plus")}${t("calendars.week.add_period")}</button>
  </fieldset>`;
}

function drawWeeks() {
  loadPeople();
  const path = `/api/planning/working-weeks/${weeks.whose}`;
  load(weeks, path, (answer) => {
    weeks.week = answer;
    weeks.draft = sortedCopy(answer.periods);
    weeks.errors = {};
  });
  const ready = weeks.asked === path && weeks.week && !weeks.busy;
  const person = weeks.whose !== COMPANY;
  return html`
    <p>${t("calendars.weeks_intro")}</p>
    <form class="desk-form stack" data-submit="save-week" id="week-form">
      <label for="week-whose">${t("calendars.week.whose")}</label>
      ${personSelect("week-whose", weeks.whose, "whose", html`<option
        value="${COMPANY}" ${person ? "" : "selected"}>${
        t("calendars.week.company")}</option>`)}
      ${ready ? html`<p class="strong icon-line" id="week-said">${
        icon(person ? "user" : "calendar")}<span>${
        whoseWeekSaid()}</span></p>
        ${person && !weeks.week?.own ? html`<p class="hint">${
          t("calendars.week.own_hint")}</p>` : ""}
        ${[0, 1, 2, 3, 4, 5, 6].map(weekdayRows)}`
        : html`<p class="muted">${weeks.busy ? t("calendars.loading")
          : ""}</p>`}
      ${person && ready && weeks.week?.own ? html`<button type="button"
        class="button big secondary" id="week-company"
        data-action="company-week">${icon("undo")}${
        t("calendars.week.back_to_company")}</button>` : ""}
      ${problemBox(weeks.problem, "week-problem")}
      <div class="actionbar">
        <button type="submit" class="button big primary" id="week-save"
          ${weeks.saving || !ready ? "disabled" : ""}>${icon("check")}${
          weeks.saving ? t("calendars.saving") : t("calendars.week.save")}
        </button>
      </div>
    </form>`;
}

/** Save `periods` as the shown week; none: back to the company's week.
 * @param {Period[]} periods */
async function sendWeek(periods) {
  weeks.errors = {};
  weeks.problem = "";
  if (offline()) {
    weeks.problem = t("calendars.offline");
    return redraw();
  }
  weeks.saving = true;
  redraw();
  try {
    const answer = await api(`/api/planning/working-weeks/${weeks.whose}`,
      { periods }, "PUT");
    weeks.week = answer;
    weeks.draft = sortedCopy(answer.periods);
    toast(t("calendars.week.saved"));
  } catch (exc) {
    const refused = exc instanceof ApiError && exc.status === 400;
    const details = refused ? exc.body?.details ?? {} : {};
    // The server names the period by its place in what was sent: the draft.
    const at = /^periods\[(\d+)\]/.exec(String(details.field ?? ""));
    if (at) {
      weeks.errors[Number(at[1])] = refusalText(String(details.reason ?? ""))
        || failure(exc);
    } else weeks.problem = failure(exc);
  } finally {
    weeks.saving = false;
    redraw();
  }
}

async function saveWeek() {
  weeks.errors = {};
  weeks.draft.forEach((p, index) => {
    if (!p.starts || !p.ends) {
      weeks.errors[index] = t("calendars.refused.bad_time");
    }
  });
  if (Object.keys(weeks.errors).length) return redraw();
  await sendWeek(weeks.draft);
}

async function companyWeek() {
  if (!confirm(t("calendars.week.back_confirm", {
    name: personName(weeks.whose) }))) return;
  await sendWeek([]);
}

/** @type {import("./calendar-parts.js").CalendarPart} */
export const weeksPart = {
  draw: drawWeeks,
  submits: { "save-week": saveWeek },
  actions: {
    /** @param {HTMLElement} el */
    "add-period": (el) => {
      const weekday = Number(el.dataset.weekday);
      const last = weeks.draft.filter((p) => p.weekday === weekday)
        .map((p) => p.ends).sort().pop();
      const starts = last ? later(last, 60) : "08:00";
      weeks.draft.push({ weekday, starts, ends: later(starts, 240) });
      redraw();
    },
    /** @param {HTMLElement} el */
    "remove-period": (el) => {
      weeks.draft.splice(Number(el.dataset.index), 1);
      weeks.errors = {};
      redraw();
    },
    "company-week": companyWeek,
  },
  changes: {
    /** @param {HTMLSelectElement} el */
    whose: (el) => {
      weeks.whose = el.value;
      weeks.week = null;
      weeks.draft = [];
      weeks.errors = {};
      weeks.problem = "";
      redraw();
    },
  },
  inputs: {
    /** @param {HTMLInputElement} el */
    period: (el) => {
      const period = weeks.draft[Number(el.dataset.index)];
      if (period) period[el.dataset.end === "ends" ? "ends" : "starts"] =
        el.value;
    },
  },
};
