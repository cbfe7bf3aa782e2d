// @ts-check
/**
 * Calendars, for managers and administrators: the absences to come, the
 * public holidays of a year, the company's working week and a person's
 * own, and people's skills (the /api/planning calendar endpoints). Planning
 * reads them to work out who is free.
 *
 * They are kept on the server only: each part asks for its data when
 * shown and writes at once, so it needs a connection and says so offline.
 * What the person typed stays while the app is open, whatever the server
 * answered; a refusal is said beside the field it names.
 */

import { html } from "../html.js";
import { t, has, formatDay, locale } from "../i18n.js";
import { icon } from "../icons.js";
import { api, ApiError } from "../api.js";
import { addDays, parseDate, today } from "../dates.js";
import { go, toast } from "../ui.js";
import { backLink } from "./parts.js";

const PARTS = ["absences", "holidays", "weeks", "skills"];
const DAY_PARTS = ["day", "morning", "afternoon"];
/** Absences listed: from today, for about three months. */
const ABSENCES_AHEAD_DAYS = 91;
/** Monday 1 January 2024: weekday names come from Intl, from Monday on. */
const A_MONDAY = "2024-01-01";
const COMPANY = "company";

/**
 * @typedef {{user_id: string, name: string, skills: string[]}} Person
 * @typedef {{id: string, user_id: string, name: string, first_day: string,
 *   last_day: string, part: string, reason: string | null}} Absence
 * @typedef {{weekday: number, starts: string, ends: string}} Period
 * @typedef {{asked: string, busy: boolean, problem: string}} Loading
 */

/** Every working person with their skills (GET /api/planning/skills). */
const people = {
  asked: "", busy: false, problem: "",
  /** @type {Person[] | null} */ list: null,
};

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

const weeks = {
  asked: "", busy: false, problem: "",
  /** "company" or a person's id. */ whose: COMPANY,
  /** @type {{own: boolean, periods: Period[]} | null} */ week: null,
  /** The periods being edited. @type {Period[]} */ draft: [],
  /** Refusals by period index. @type {Record<number, string>} */ errors: {},
  saving: false,
};

const skills = {
  /** Whose skills the add field is open for. */ open: "",
  draft: "", error: "", saving: false, problem: "",
};

const offline = () => !navigator.onLine;

/** Redraw the screen, if it is still the one shown. */
function redraw() {
  if (location.hash.startsWith("#/calendars")) go(location.hash);
}

/** No answer, a refusal of the person, or the server's own words.
 * @param {unknown} exc */
function failure(exc) {
  if (!(exc instanceof ApiError)) return t("calendars.offline");
  if (exc.code === "forbidden") return t("calendars.forbidden");
  return exc.message || t("calendars.failed");
}

/** What the server said is wrong with a field, in this screen's words.
 * @param {string} reason the details' reason */
function refusalText(reason) {
  const longest = /length <= (\d+)/.exec(reason);
  if (longest) return t("calendars.refused.too_long_text", { max: longest[1] });
  if (/length >= 1/.test(reason)) return t("calendars.refused.empty");
  if (/end is before the start/.test(reason)) {
    return t("calendars.refused.end_before_start");
  }
  if (/at most \d+ days/.test(reason)) return t("calendars.refused.too_long");
  if (/a day from/.test(reason)) return t("calendars.refused.too_far");
  if (/ends after it starts/.test(reason)) {
    return t("calendars.refused.period_order");
  }
  if (/overlap/.test(reason)) return t("calendars.refused.overlap");
  if (/regex/.test(reason)) return t("calendars.refused.bad_time");
  if (/date/i.test(reason)) return t("calendars.refused.bad_day");
  return "";
}

/**
 * A failed write said where it belongs: beside the field the server named
 * (`fields` maps its names to the screen's), else in the part's box.
 * @param {unknown} exc @param {Record<string, string>} fields
 * @returns {{field: string, text: string}}
 */
function refusal(exc, fields) {
  if (exc instanceof ApiError && exc.status === 400) {
    const details = exc.body?.details ?? {};
    const named = String(details.field ?? "");
    const field = fields[named] ?? fields[named.replace(/\..*$/, "")];
    const said = refusalText(String(details.reason ?? ""));
    if (field) return { field, text: said || exc.message };
  }
  if (exc instanceof ApiError && exc.code === "not_found"
    && exc.body?.details?.user_id && fields.user_id) {
    return { field: fields.user_id, text: t("calendars.refused.no_person") };
  }
  return { field: "", text: failure(exc) };
}

/**
 * Ask for `path` once (again after leaving the screen, or when the
 * connection comes back after a failure), then redraw.
 * @param {Loading} part @param {string} path
 * @param {(answer: any) => void} keep
 */
function load(part, path, keep) {
  if (part.asked === path || offline()) return;
  part.asked = path;
  part.busy = true;
  api(path)
    .then((answer) => {
      keep(answer);
      part.problem = "";
    })
    .catch((exc) => {
      part.problem = failure(exc);
    })
    .finally(() => {
      part.busy = false;
      redraw();
    });
}

window.addEventListener("online", () => {
  for (const part of [people, absences, holidays, weeks]) {
    if (part.problem) part.asked = "";
  }
});

function loadPeople(again = false) {
  if (again) people.asked = "";
  load(people, "/api/planning/skills", (list) => {
    people.list = list;
  });
}

/** @param {string} id */
function personName(id) {
  return people.list?.find((p) => p.user_id === id)?.name ?? "";
}

/** A skill's name in the screen's language when the catalogue has it.
 * @param {string} skill */
function skillName(skill) {
  return has(`skill.${skill}`) ? t(`skill.${skill}`) : skill;
}

/** "Tue 8 Dec" or "Wed 9 – Thu 10 Dec". @param {string} first
 * @param {string} last */
function daysSaid(first, last) {
  const options = /** @type {Intl.DateTimeFormatOptions} */ ({
    weekday: "short", day: "numeric", month: "short" });
  if (first >= last) return formatDay(first, options);
  return new Intl.DateTimeFormat(locale(), options).formatRange(
    parseDate(first), parseDate(last));
}

/** @param {Absence} a */
function absenceDays(a) {
  return daysSaid(a.first_day, a.last_day);
}

/** "Monday" .. "Sunday", capitalised. @param {number} weekday */
function weekdayName(weekday) {
  const name = formatDay(addDays(A_MONDAY, weekday), { weekday: "long" });
  return name.charAt(0).toUpperCase() + name.slice(1);
}

// ---- pieces every part uses -----------------------------------------

function offlineNotice() {
  return offline() ? html`<p class="notice warn" id="calendars-offline">${
    icon("offline")}${t("calendars.offline")}</p>` : "";
}

/** @param {string} text @param {string} [id] */
function problemBox(text, id = "") {
  return html`<div role="alert" ${id ? html`id="${id}"` : ""}>${text
    ? html`<p class="notice warn">${icon("warn")}${text}</p>` : ""}</div>`;
}

/** The refusal said under a field, linked to it. @param {string} id
 * @param {string | undefined} text */
function fieldError(id, text) {
  return html`<p class="error field-error" id="${id}-error" ${
    text ? "" : "hidden"}>${text ? html`${icon("warn")}${text}` : ""}</p>`;
}

/** Attributes of a field that may be refused. @param {string} id
 * @param {string | undefined} error @param {string} [hint] an id */
function described(id, error, hint = "") {
  const ids = [hint, error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return html`${ids ? html`aria-describedby="${ids}"` : ""} ${
    error ? html`aria-invalid="true"` : ""}`;
}

/** @param {string} current */
function tabs(current) {
  return html`<nav class="calendar-tabs" aria-label="${t("calendars.title")}">
    ${PARTS.map((part) => html`<a class="calendar-tab" href="#/calendars/${
      part}" ${part === current ? html`aria-current="page"` : ""}>${
      t(`calendars.tab.${part}`)}</a>`)}
  </nav>`;
}

/** A <select> of the working people. @param {string} id
 * @param {string} chosen @param {string} handler @param {unknown} [first]
 * @param {string} [error] */
function personSelect(id, chosen, handler, first = "", error = "") {
  return html`<select id="${id}" name="person" data-change="${handler}"
    ${described(id, error)}>
    ${first}
    ${(people.list ?? []).map((p) => html`<option value="${p.user_id}" ${
      p.user_id === chosen ? "selected" : ""}>${p.name}</option>`)}
  </select>`;
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

function absencesPart() {
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
  last_day: "last", part: "part", reason: "reason" };

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

function holidaysPart() {
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

// ---- working weeks --------------------------------------------------

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

function weeksPart() {
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

// ---- skills ---------------------------------------------------------

/** The key of a known skill typed in the screen's language ("chauffage"
 * is "heating"), else the words as typed. @param {string} typed */
function skillKey(typed) {
  const words = typed.trim();
  const known = (people.list ?? []).flatMap((p) => p.skills);
  return known.find((s) => skillName(s).toLowerCase() === words.toLowerCase())
    ?? words;
}

/** @param {Person} p */
function personSkills(p) {
  const open = skills.open === p.user_id;
  return html`<li class="card person-skills" id="skills-${p.user_id}">
    <span class="card-title icon-line">${icon("user")}<span>${
      p.name}</span></span>
    ${p.skills.length ? html`<ul class="skill-chips">${p.skills.map((s) =>
      html`<li><button type="button" class="chip skill-chip"
        data-action="remove-skill" data-person="${p.user_id}"
        data-skill="${s}" aria-label="${t("calendars.skill.remove",
        { skill: skillName(s), name: p.name })}"><span>${
        skillName(s)}</span>${icon("cross")}</button></li>`)}</ul>`
      : html`<p class="muted">${t("calendars.skill.none")}</p>`}
    ${open ? html`<form class="skill-add" data-submit="add-skill">
      <label for="skill-new">${t("calendars.skill.new",
        { name: p.name })}</label>
      <div class="skill-add-row">
        <input id="skill-new" name="skill" type="text" maxlength="60"
          list="skills-known" autocomplete="off" value="${skills.draft}"
          data-input="skill" data-drawn-value ${described("skill-new", skills.error)}>
        <button type="submit" class="button primary" ${skills.saving
          ? "disabled" : ""}>${t("calendars.skill.add_short")}</button>
      </div>
      ${fieldError("skill-new", skills.error)}
    </form>` : html`<button type="button" class="button secondary"
      data-action="open-skill" data-person="${p.user_id}">${icon("plus")}${
      t("calendars.skill.add")}</button>`}
  </li>`;
}

function skillsPart() {
  loadPeople();
  const list = people.list;
  const known = [...new Set((list ?? []).flatMap((p) => p.skills))];
  return html`
    <p>${t("calendars.skills_intro")}</p>
    ${problemBox(skills.problem || people.problem)}
    ${people.busy && !list ? html`<p class="muted">${
      t("calendars.loading")}</p>` : ""}
    <datalist id="skills-known">${known.map((s) => html`<option value="${
      skillName(s)}">`)}</datalist>
    ${list ? html`<ul class="cards">${list.map(personSkills)}</ul>` : ""}`;
}

/** Send a person's whole list of skills. @param {string} personId
 * @param {string[]} wanted @returns {Promise<boolean>} */
async function sendSkills(personId, wanted) {
  const person = people.list?.find((p) => p.user_id === personId);
  if (!person) return false;
  if (offline()) {
    skills.problem = t("calendars.offline");
    redraw();
    return false;
  }
  skills.saving = true;
  skills.problem = "";
  skills.error = "";
  redraw();
  try {
    const answer = await api(`/api/planning/skills/${personId}`,
      { skills: wanted }, "PUT");
    person.skills = answer.skills;
    return true;
  } catch (exc) {
    const { field, text } = refusal(exc, { skills: "skill" });
    if (field) skills.error = text;
    else skills.problem = text;
    return false;
  } finally {
    skills.saving = false;
    redraw();
  }
}

async function addSkill() {
  const person = people.list?.find((p) => p.user_id === skills.open);
  if (!person) return;
  const skill = skillKey(skills.draft);
  if (!skill) {
    skills.error = t("calendars.refused.empty");
    return redraw();
  }
  if (await sendSkills(person.user_id, [...person.skills, skill])) {
    toast(t("calendars.skill.added", { skill: skillName(skill),
      name: person.name }));
    skills.draft = "";
    redraw();
  }
}

/** @param {HTMLElement} el */
async function removeSkill(el) {
  const person = people.list?.find((p) => p.user_id === el.dataset.person);
  const skill = el.dataset.skill ?? "";
  if (!person) return;
  if (!confirm(t("calendars.skill.remove_confirm", {
    skill: skillName(skill), name: person.name }))) return;
  if (await sendSkills(person.user_id,
    person.skills.filter((s) => s !== skill))) {
    toast(t("calendars.skill.removed", { skill: skillName(skill),
      name: person.name }));
  }
}

// ---- the screen -----------------------------------------------------

const DRAW = { absences: absencesPart, holidays: holidaysPart,
  weeks: weeksPart, skills: skillsPart };

/** @param {{part?: string}} args */
export function calendarsScreen({ part = "absences" }) {
  const shown = /** @type {keyof typeof DRAW} */ (
    PARTS.includes(part) ? part : "absences");
  const content = html`
    ${backLink("#/me", t("me.title"))}
    ${tabs(shown)}
    ${offlineNotice()}
    ${DRAW[shown]()}`;

  return {
    title: t("calendars.title"), nav: "me", content,
    // Coming back to the screen shows what the server holds then.
    leave: () => {
      for (const loading of [people, absences, holidays, weeks]) {
        loading.asked = "";
      }
    },
    submits: {
      "add-absence": addAbsence,
      "add-holiday": addHoliday,
      "save-week": saveWeek,
      "add-skill": addSkill,
    },
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
      /** @param {HTMLElement} el */
      year: (el) => {
        holidays.year += Number(el.dataset.step);
        holidays.problem = "";
        redraw();
      },
      "remove-holiday": removeHoliday,
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
      /** @param {HTMLElement} el */
      "open-skill": (el) => {
        skills.open = el.dataset.person ?? "";
        skills.error = "";
        redraw();
        document.getElementById("skill-new")?.focus();
      },
      "remove-skill": removeSkill,
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
      /** @param {HTMLInputElement} el */
      holiday: (el) => {
        holidays.draft.day = el.value;
        delete holidays.errors.day;
        redraw();
      },
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
      absence: (el) => {
        absences.draft.reason = el.value;
      },
      /** @param {HTMLInputElement} el */
      holiday: (el) => {
        holidays.draft.name = el.value;
      },
      /** @param {HTMLInputElement} el */
      period: (el) => {
        const period = weeks.draft[Number(el.dataset.index)];
        if (period) period[el.dataset.end === "ends" ? "ends" : "starts"] =
          el.value;
      },
      /** @param {HTMLInputElement} el */
      skill: (el) => {
        skills.draft = el.value;
      },
    },
  };
}
