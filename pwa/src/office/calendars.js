// @ts-check
/**
 * Calendars, for managers and administrators: the absences to come, the
 * public holidays of a year, the company's working week and a person's
 * own, and people's skills (the /api/planning calendar endpoints). Planning
 * reads them to work out who is free.
 *
 * One part a tab: absences and holidays here, working weeks and skills
 * in their own modules, the pieces they share in calendar-parts.js.
 *
 * They are kept on the server only: each part asks for its data when
 * shown and writes at once, so it needs a connection and says so offline.
 * What the person typed stays while the app is open, whatever the server
 * answered; a refusal is said beside the field it names.
 */

import { html } from "../html.js";
import { t, formatDay, locale } from "../i18n.js";
import { icon } from "../icons.js";
import { api } from "../api.js";
import { addDays, parseDate, today } from "../dates.js";
import { toast } from "../ui.js";
import { backLink } from "../views/parts.js";
import {
  described, failure, fieldError, forgetLoaded, load, loadPeople, offline,
  offlineNotice, personName, personSelect, problemBox, redraw, refusal,
} from "./calendar-parts.js";
import { weeksPart } from "./working-weeks.js";
import { skillsPart } from "./person-skills.js";

const DAY_PARTS = ["day", "morning", "afternoon"];
/** Absences listed: from today, for about three months. */
const ABSENCES_AHEAD_DAYS = 91;

/**
 * @typedef {{id: string, user_id: string, name: string, first_day: string,
 *   last_day: string, part: string, reason: string | null}} Absence
 */

const absences = {
  asked: "", busy: false, problem: "",
  /** @type {Absence[] | null} */ list: null,
  adding: false, saving: false,
  draft: { person: "", first: "", last: "", part: "day", reason: "" },
  /** Refusals by field. @type {Record<string, string>} */ errors: {},
};

const holidays = {
  asked: "", busy: false, problem: "",
  year: Number(today().slice(0, 4)),
  /** @type {{day: string, name: string}[] | null} */ list: null,
  draft: { day: "", name: "" }, saving: false,
  /** @type {Record<string, string>} */ errors: {},
};

/** "Tuesday 8 December" or "Wednesday 9 – Thursday 10 December".
 * @param {string} first @param {string} last */
function daysSaid(first, last) {
  const options = /** @type {Intl.DateTimeFormatOptions} */ ({
    weekday: "long", day: "numeric", month: "long" });
  if (first >= last) return formatDay(first, options);
  return new Intl.DateTimeFormat(locale(), options).formatRange(
    parseDate(first), parseDate(last));
}

/** @param {Absence} a */
function absenceDays(a) {
  return daysSaid(a.first_day, a.last_day);
}

// ---- absences -------------------------------------------------------

/** @param {Absence} a */
function absenceRow(a) {
  const days = absenceDays(a);
  return html`<li class="card absence">
    <div class="card-top">
      <span class="card-title icon-line">${icon("calendar")}<span>${
        days}</span></span>
      <button type="button" class="icon-button" data-action="remove-absence"
        data-id="${a.id}" aria-label="${t("calendars.absence.remove",
        { name: a.name, days })}">${icon("cross")}</button>
    </div>
    <span class="card-sub icon-line">${icon("user")}<span>${a.name} · ${
      t(`calendars.part.${a.part}`)}</span></span>
    ${a.reason ? html`<span class="card-meta">${a.reason}</span>` : ""}
  </li>`;
}

function absenceForm() {
  const d = absences.draft;
  const e = absences.errors;
  return html`<form class="desk-form stack" data-submit="add-absence"
    id="absence-form" aria-labelledby="absence-form-title">
    <h2 id="absence-form-title">${t("calendars.absence.add")}</h2>
    <label for="absence-person">${t("calendars.person")}</label>
    ${personSelect("absence-person", d.person, "absence", html`<option
      value="">${t("calendars.choose_person")}</option>`, e.person)}
    ${fieldError("absence-person", e.person)}
    <div class="two dates">
      <div><label for="absence-first">${t("calendars.absence.first")}</label>
        <input id="absence-first" name="first" type="date" value="${d.first}"
          data-change="absence" ${described("absence-first", e.first)}></div>
      <div><label for="absence-last">${t("calendars.absence.last")}</label>
        <input id="absence-last" name="last" type="date" value="${d.last}"
          data-change="absence" ${described("absence-last", e.last)}></div>
    </div>
    ${fieldError("absence-first", e.first)}
    ${fieldError("absence-last", e.last)}
    <p class="hint" id="absence-said">${d.first && d.last >= d.first
      ? daysSaid(d.first, d.last) : ""}</p>
    <fieldset class="options">
      <legend>${t("calendars.absence.part")}</legend>
      ${DAY_PARTS.map((p) => html`<label class="option"><input type="radio"
        name="part" value="${p}" data-change="absence" ${p === d.part
        ? "checked" : ""}><span>${t(`calendars.part.${p}`)}</span></label>`)}
    </fieldset>
    <label for="absence-reason">${t("calendars.absence.reason")}</label>
    <input id="absence-reason" name="reason" type="text" maxlength="120"
      autocomplete="off" value="${d.reason}" data-input="absence"
      ${described("absence-reason", e.reason, "absence-reason-hint")}>
    <p class="hint" id="absence-reason-hint">${
      t("calendars.absence.reason_hint")}</p>
    ${fieldError("absence-reason", e.reason)}
    ${problemBox(absences.problem, "absence-problem")}
    <div class="actionbar two">
      <button type="button" class="button big secondary"
        data-action="close-absence">${t("calendars.cancel")}</button>
      <button type="submit" class="button big primary" id="absence-save"
        ${absences.saving ? "disabled" : ""}>${icon("check")}${
        absences.saving ? t("calendars.saving") : t("calendars.save")}</button>
    </div>
  </form>`;
}

function drawAbsences() {
  const from = today();
  loadPeople();
  load(absences, `/api/planning/absences?from=${from}&to=${
    addDays(from, ABSENCES_AHEAD_DAYS)}`, (list) => {
    absences.list = list;
  });
  if (absences.adding) return absenceForm();
  const list = absences.list;
  return html`
    <p>${t("calendars.absences_intro")}</p>
    <button type="button" class="button big secondary" id="absence-add"
      data-action="open-absence">${icon("plus")}${
      t("calendars.absence.add")}</button>
    ${problemBox(absences.problem)}
    <h2 id="absences-title">${t("calendars.absences_title")}</h2>
    ${absences.busy && !list ? html`<p class="muted">${
      t("calendars.loading")}</p>` : ""}
    ${list && !list.length ? html`<p class="empty">${
      t("calendars.absences_none")}</p>` : ""}
    ${list?.length ? html`<ul class="cards" id="absences"
      aria-labelledby="absences-title">${list.map(absenceRow)}</ul>` : ""}`;
}

const ABSENCE_FIELDS = { user_id: "person", first_day: "first",
  last_day: "last", reason: "reason" };

async function addAbsence() {
  const d = absences.draft;
  absences.errors = {};
  absences.problem = "";
  if (!d.person) absences.errors.person = t("calendars.choose_person");
  if (!d.first) absences.errors.first = t("calendars.refused.bad_day");
  if (!d.last) absences.errors.last = t("calendars.refused.bad_day");
  if (Object.keys(absences.errors).length) return redraw();
  if (offline()) {
    absences.problem = t("calendars.offline");
    return redraw();
  }
  absences.saving = true;
  redraw();
  try {
    await api("/api/planning/absences", { user_id: d.person,
      first_day: d.first, last_day: d.last, part: d.part,
      reason: d.reason.trim() || null });
    toast(t("calendars.absence.added", { name: personName(d.person) }));
    absences.draft = { person: "", first: "", last: "", part: "day",
      reason: "" };
    absences.adding = false;
    absences.asked = "";
  } catch (exc) {
    const { field, text } = refusal(exc, ABSENCE_FIELDS);
    if (field) absences.errors[field] = text;
    else absences.problem = text;
  } finally {
    absences.saving = false;
    redraw();
  }
}

/** @param {HTMLElement} el */
async function removeAbsence(el) {
  const absence = absences.list?.find((a) => a.id === el.dataset.id);
  if (!absence) return;
  if (offline()) {
    absences.problem = t("calendars.offline");
    return redraw();
  }
  if (!confirm(t("calendars.absence.remove_confirm", { name: absence.name,
    days: absenceDays(absence) }))) return;
  try {
    await api(`/api/planning/absences/${absence.id}`, {}, "DELETE");
    absences.list = (absences.list ?? []).filter((a) => a !== absence);
    toast(t("calendars.absence.removed"));
  } catch (exc) {
    absences.problem = failure(exc);
  }
  redraw();
}

// ---- public holidays ------------------------------------------------

/** @param {{day: string, name: string}} h */
function holidayRow(h) {
  const day = formatDay(h.day, { weekday: "long", day: "numeric",
    month: "long" });
  return html`<li class="card holiday"><div class="card-top">
    <span class="holiday-text"><span class="card-title">${h.name}</span>
      <span class="card-sub">${day}</span></span>
    <button type="button" class="icon-button" data-action="remove-holiday"
      data-day="${h.day}" aria-label="${t("calendars.holiday.remove",
      { name: h.name, day })}">${icon("cross")}</button>
  </div></li>`;
}

function drawHolidays() {
  const year = holidays.year;
  load(holidays, `/api/planning/holidays?year=${year}`, (list) => {
    holidays.list = list;
  });
  const list = holidays.asked.endsWith(`=${year}`) ? holidays.list : null;
  const d = holidays.draft;
  const e = holidays.errors;
  return html`
    <p>${t("calendars.holidays_intro")}</p>
    <div class="year-switch">
      <button type="button" class="button secondary" data-action="year"
        data-step="-1" aria-label="${t("calendars.holiday.year_of",
        { year: year - 1 })}">${icon("back")}${year - 1}</button>
      <h2 id="holidays-title" aria-label="${t("calendars.holiday.year_of",
        { year })}">${year}</h2>
      <button type="button" class="button secondary" data-action="year"
        data-step="1" aria-label="${t("calendars.holiday.year_of",
        { year: year + 1 })}">${year + 1}${icon("forward")}</button>
    </div>
    ${problemBox(holidays.problem)}
    ${holidays.busy && !list ? html`<p class="muted">${
      t("calendars.loading")}</p>` : ""}
    ${list && !list.length ? html`<p class="empty">${
      t("calendars.holidays_none", { year })}</p>` : ""}
    ${list?.length ? html`<ul class="cards" id="holidays"
      aria-labelledby="holidays-title">${list.map(holidayRow)}</ul>` : ""}
    <form class="desk-form stack panel" data-submit="add-holiday"
      id="holiday-form" aria-labelledby="holiday-form-title">
      <h2 id="holiday-form-title">${t("calendars.holiday.add")}</h2>
      <label for="holiday-day">${t("calendars.holiday.day")}</label>
      <input id="holiday-day" name="day" type="date" value="${d.day}"
        data-change="holiday" ${described("holiday-day", e.day,
        "holiday-day-said")}>
      <p class="hint" id="holiday-day-said">${d.day ? formatDay(d.day, {
        weekday: "long", day: "numeric", month: "long", year: "numeric" })
        : ""}</p>
      ${fieldError("holiday-day", e.day)}
      <label for="holiday-name">${t("calendars.holiday.name")}</label>
      <input id="holiday-name" name="name" type="text" maxlength="120"
        autocomplete="off" value="${d.name}" data-input="holiday"
        ${described("holiday-name", e.name)}>
      ${fieldError("holiday-name", e.name)}
      <button type="submit" class="button big primary" id="holiday-save"
        ${holidays.saving ? "disabled" : ""}>${icon("plus")}${
        t("calendars.holiday.add")}</button>
    </form>`;
}

async function addHoliday() {
  const d = holidays.draft;
  holidays.errors = {};
  holidays.problem = "";
  if (!d.day) holidays.errors.day = t("calendars.refused.bad_day");
  if (!d.name.trim()) holidays.errors.name = t("calendars.refused.empty");
  if (Object.keys(holidays.errors).length) return redraw();
  if (offline()) {
    holidays.problem = t("calendars.offline");
    return redraw();
  }
  holidays.saving = true;
  redraw();
  try {
    await api(`/api/planning/holidays/${d.day}`, { name: d.name.trim() },
      "PUT");
    toast(t("calendars.holiday.added", { name: d.name.trim() }));
    holidays.year = Number(d.day.slice(0, 4));
    holidays.draft = { day: "", name: "" };
    holidays.asked = "";
  } catch (exc) {
    const { field, text } = refusal(exc, { day: "day", name: "name" });
    if (field) holidays.errors[field] = text;
    else holidays.problem = text;
  } finally {
    holidays.saving = false;
    redraw();
  }
}

/** @param {HTMLElement} el */
async function removeHoliday(el) {
  const holiday = holidays.list?.find((h) => h.day === el.dataset.day);
  if (!holiday) return;
  if (offline()) {
    holidays.problem = t("calendars.offline");
    return redraw();
  }
  if (!confirm(t("calendars.holiday.remove_confirm", { name: holiday.name,
    day: formatDay(holiday.day) }))) return;
  try {
    await api(`/api/planning/holidays/${holiday.day}`, {}, "DELETE");
    holidays.list = (holidays.list ?? []).filter((h) => h !== holiday);
    toast(t("calendars.holiday.removed", { name: holiday.name }));
  } catch (exc) {
    holidays.problem = failure(exc);
  }
  redraw();
}

/** @type {import("./calendar-parts.js").CalendarPart} */
const absencesPart = {
  draw: drawAbsences,
  submits: { "add-absence": addAbsence },
  actions: {
    "open-absence": () => {
      absences.adding = true;
      absences.errors = {};
      absences.problem = "";
      redraw();
    },
    "close-absence": () => {
      absences.adding = false;
      redraw();
    },
    "remove-absence": removeAbsence,
  },
  changes: {
    /** @param {HTMLInputElement} el */
    absence: (el) => {
      const name = /** @type {"person" | "first" | "last" | "part"} */ (
        el.name);
      const d = absences.draft;
      d[name] = el.value;
      if (name === "first" && (!d.last || d.last < d.first)) {
        d.last = d.first;
      }
      delete absences.errors[name];
      redraw();
    },
  },
  inputs: {
    /** @param {HTMLInputElement} el */
    absence: (el) => {
      absences.draft.reason = el.value;
    },
  },
};

/** @type {import("./calendar-parts.js").CalendarPart} */
const holidaysPart = {
  draw: drawHolidays,
  submits: { "add-holiday": addHoliday },
  actions: {
    /** @param {HTMLElement} el */
    year: (el) => {
      holidays.year += Number(el.dataset.step);
      holidays.problem = "";
      redraw();
    },
    "remove-holiday": removeHoliday,
  },
  changes: {
    /** @param {HTMLInputElement} el */
    holiday: (el) => {
      holidays.draft.day = el.value;
      delete holidays.errors.day;
      redraw();
    },
  },
  inputs: {
    /** @param {HTMLInputElement} el */
    holiday: (el) => {
      holidays.draft.name = el.value;
    },
  },
};

// ---- the screen -----------------------------------------------------

const PARTS = { absences: absencesPart, holidays: holidaysPart,
  weeks: weeksPart, skills: skillsPart };

/** @param {string} current */
function tabs(current) {
  return html`<nav class="calendar-tabs" aria-label="${t("calendars.title")}">
    ${Object.keys(PARTS).map((part) => html`<a class="calendar-tab"
      href="#/calendars/${part}" ${part === current
      ? html`aria-current="page"` : ""}>${t(`calendars.tab.${part}`)}</a>`)}
  </nav>`;
}

/** @param {{part?: string}} args */
export function calendarsScreen({ part = "absences" }) {
  const shown = /** @type {keyof typeof PARTS} */ (
    Object.hasOwn(PARTS, part) ? part : "absences");
  const { draw, ...handlers } = PARTS[shown];
  const content = html`
    ${backLink("#/me", t("me.title"))}
    ${tabs(shown)}
    ${offlineNotice()}
    ${draw()}`;

  return {
    title: t("calendars.title"), nav: "me", content, ...handlers,
    leave: forgetLoaded,
  };
}
