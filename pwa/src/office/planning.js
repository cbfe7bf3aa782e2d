// @ts-check
/**
 * Planning, for managers and administrators: who is free for an affair
 * (POST /api/planning/availability), and a proposal that places many open
 * actions at once (POST /api/planning/proposals), reviewed and booked in
 * all or in part (POST /api/planning/proposals/{id}/accept).
 *
 * People's free time is the server's to compute (calendars, absences,
 * every booking): these screens need a connection, and say so offline.
 * What was asked and answered stays while the app is open.
 */

import { html } from "../html.js";
import { t, has, formatDay, formatTime, formatDuration } from "../i18n.js";
import { icon } from "../icons.js";
import { api, ApiError } from "../api.js";
import { addDays, today } from "../dates.js";
import { openAffairs } from "../model.js";
import { go } from "../ui.js";
import { backLink } from "../views/parts.js";

/**
 * @typedef {{id: string, affair_id: string, affair_code: string,
 *   title: string, minutes: number, due: string, skills: string[],
 *   assignee_name: string | null, starts_at: string | null}} OpenAction
 * @typedef {{key: string, title: string, met: boolean, minutes: number,
 *   due: string, skills: string[], assignee_name?: string,
 *   starts_at?: string, ends_at?: string, message?: string,
 *   reason?: string}} Item
 */

/** The open actions and the skills known, as the server listed them. */
const listed = {
  /** @type {OpenAction[] | null} */ actions: null,
  /** @type {string[]} */ skills: [],
  busy: false,
  problem: "",
};

const search = {
  affair: "", days: "2", from: "", to: "",
  /** @type {string[]} */ skills: [],
  busy: false, problem: "",
  /** @type {any} */ answer: null,
};

const proposing = {
  first: "",
  /** Actions left out of the next proposal. @type {Set<string>} */
  left: new Set(),
  busy: false, problem: "",
  /** @type {any} */ proposal: null,
  /** Met items not to book. @type {Set<string>} */
  unticked: new Set(),
  /** @type {any} */ booked: null,
};

const offline = () => !navigator.onLine;

/** A skill's name in the screen's language when the catalogue has it.
 * @param {string} skill */
function skillName(skill) {
  return has(`skill.${skill}`) ? t(`skill.${skill}`) : skill;
}

/** "Tue 15 Dec". @param {string} day */
function shortDay(day) {
  return formatDay(day, { weekday: "short", day: "numeric",
    month: "short" });
}

/** "Tue 15 Dec, 08:00". @param {string} instant */
function moment(instant) {
  return formatTime(instant, { weekday: "short", day: "numeric",
    month: "short", hour: "2-digit", minute: "2-digit" });
}

/** When an item's work is: one day said once. @param {Item} item */
function span(item) {
  const start = item.starts_at ?? "";
  const end = item.ends_at ?? "";
  const dayOf = (/** @type {string} */ at) => formatTime(at, {
    weekday: "short", day: "numeric", month: "short" });
  if (dayOf(start) !== dayOf(end)) {
    return t("planning.when", { start: moment(start), end: moment(end) });
  }
  return t("planning.when_day", { day: dayOf(start),
    start: formatTime(start), end: formatTime(end) });
}

/** The server's refusal, or no answer at all, in words. @param {unknown} exc */
function failure(exc) {
  if (!(exc instanceof ApiError)) return t("planning.offline");
  if (exc.code === "forbidden") return t("planning.forbidden");
  return exc.message || t("planning.failed");
}

/** Ask once for the open actions and skills; redraw `hash` when in. */
function loadActions(/** @type {string} */ hash, now = false) {
  if (listed.busy || offline() || (listed.actions && !now)) return;
  listed.busy = true;
  api("/api/planning/actions")
    .then((answer) => {
      listed.actions = answer.actions;
      listed.skills = answer.skills;
      listed.problem = "";
    })
    .catch((exc) => {
      listed.problem = failure(exc);
    })
    .finally(() => {
      listed.busy = false;
      if (location.hash === hash) go(hash);
    });
}

function offlineNotice() {
  return offline() ? html`<p class="notice warn" id="planning-offline">${
    icon("offline")}${t("planning.offline")}</p>` : "";
}

/** @param {string} text */
function problemBox(text) {
  return html`<div role="alert">${text ? html`<p class="notice warn">${
    icon("warn")}${text}</p>` : ""}</div>`;
}

/** @param {string[]} skills */
function skillChips(skills) {
  return skills.map((s) => html`<span class="chip chip-skill">${
    skillName(s)}</span>`);
}

// ---- who is available ----------------------------------------------

/** Days of work typed as "2", "1,5" or "1.5". @param {string} text */
function parseDays(text) {
  const value = Number(String(text).trim().replace(",", "."));
  return Number.isFinite(value) && value > 0 ? value : null;
}

export function availabilityScreen() {
  const hash = "#/planning/available";
  loadActions(hash);
  if (!search.from) {
    search.from = today();
    search.to = addDays(today(), 13);
  }
  const affairs = openAffairs();
  const answer = search.answer;

  const content = html`
    ${backLink("#/me", t("me.title"))}
    <p>${t("planning.available_intro")}</p>
    ${offlineNotice()}
    <form class="desk-form stack" data-submit="search">
      <label for="available-affair">${t("planning.affair")}</label>
      <select id="available-affair" name="affair" data-change="field"
        required>
        <option value="">${t("entry.choose_affair")}</option>
        ${affairs.map((a) => html`<option value="${a.id}" ${
          a.id === search.affair ? "selected" : ""}>${a.code} · ${
          a.title}</option>`)}
      </select>
      <label for="available-days">${t("planning.days")}</label>
      <input id="available-days" name="days" type="text" inputmode="decimal"
        autocomplete="off" value="${search.days}" data-change="field"
        aria-describedby="available-days-hint">
      <p class="hint" id="available-days-hint">${t("planning.days_hint")}</p>
      <div class="two dates">
        <div><label for="available-from">${t("planning.from")}</label>
          <input id="available-from" name="from" type="date"
            value="${search.from}" data-change="field"></div>
        <div><label for="available-to">${t("planning.to")}</label>
          <input id="available-to" name="to" type="date"
            value="${search.to}" data-change="field"></div>
      </div>
      <p class="hint" id="available-window">${search.from && search.to
        ? t("planning.window", { from: shortDay(search.from),
          to: shortDay(search.to) }) : ""}</p>
      ${listed.skills.length ? html`<fieldset class="options skills">
        <legend>${t("planning.skills")}</legend>
        ${listed.skills.map((s) => html`<label class="option"><input
          type="checkbox" name="skill" value="${s}" data-change="skill" ${
          search.skills.includes(s) ? "checked" : ""}><span>${
          skillName(s)}</span></label>`)}
      </fieldset>` : ""}
      ${problemBox(search.problem)}
      <div class="actionbar">
        <button class="button big primary" type="submit" id="available-search"
          ${search.busy ? "disabled" : ""}>${icon("user")}${search.busy
          ? t("planning.searching") : t("planning.search")}</button>
      </div>
    </form>
    ${answer ? html`<section aria-labelledby="available-title"
      id="available-result">
      <h2 id="available-title">${t("planning.available_title",
        { count: answer.people.length })}</h2>
      <p class="muted">${t("planning.needed", {
        hours: formatDuration(answer.needed_minutes) })}</p>
      ${answer.people.length ? html`<ul class="cards">${answer.people.map(
        (/** @type {any} */ p) => html`<li class="card person-free">
          <span class="card-title">${icon("user")}${p.name}</span>
          <span class="card-sub">${t("planning.free", {
            hours: formatDuration(p.free_minutes) })}</span>
        </li>`)}</ul>` : html`<p class="empty">${
        t("planning.nobody")}</p>`}
    </section>` : ""}`;

  const redraw = () => go(hash);
  const run = async () => {
    const days = parseDays(search.days);
    if (!search.affair) search.problem = t("planning.problem.affair");
    else if (days === null) search.problem = t("planning.problem.days");
    else if (!search.from || !search.to || search.to < search.from) {
      search.problem = t("planning.problem.window");
    } else if (offline()) search.problem = t("planning.offline");
    else search.problem = "";
    if (search.problem || days === null) return redraw();
    search.busy = true;
    redraw();
    try {
      search.answer = await api("/api/planning/availability", {
        affair_id: search.affair, days, first_day: search.from,
        last_day: search.to, skills: search.skills,
      });
    } catch (exc) {
      search.answer = null;
      search.problem = failure(exc);
    } finally {
      search.busy = false;
      redraw();
    }
  };

  return {
    title: t("planning.available_title_screen"), nav: "me", content,
    submits: { search: run },
    changes: {
      /** @param {HTMLInputElement} el */
      field: (el) => {
        const name = /** @type {"affair" | "days" | "from" | "to"} */ (
          el.name);
        search[name] = el.value;
        search.problem = "";
        if (name === "from" || name === "to") redraw();
      },
      /** @param {HTMLInputElement} el */
      skill: (el) => {
        search.skills = search.skills.filter((s) => s !== el.value);
        if (el.checked) search.skills.push(el.value);
      },
    },
  };
}

// ---- a proposal for many actions ----------------------------------

/** @param {OpenAction} a */
function actionRow(a) {
  const chosen = !proposing.left.has(a.id);
  return html`<li class="card plan-action"><label class="option tick">
    <input type="checkbox" name="action" value="${a.id}" data-change="pick"
      ${chosen ? "checked" : ""}>
    <span class="plan-text"><span class="card-title">${a.title}</span>
      <span class="card-sub"><span class="whole">${a.affair_code}</span> · ${
        formatDuration(a.minutes)} · ${t("planning.due", {
        day: shortDay(a.due) })}</span>
      ${a.skills.length ? html`<span class="skill-line">${
        skillChips(a.skills)}</span>` : ""}
      ${a.starts_at ? html`<span class="card-meta icon-line">${
        icon("calendar")}<span>${t("planning.booked_now", {
        name: a.assignee_name ?? "", at: moment(a.starts_at) })}</span></span>`
        : ""}
    </span></label></li>`;
}

/** @param {Item} item @param {string[]} accepted */
function itemRow(item, accepted) {
  if (!item.met) {
    return html`<li class="card plan-item plan-item-not-met">
      <span class="card-title icon-line">${icon("warn")}<span>${
        item.title}</span></span>
      <span class="strong">${t("planning.not_placed")}</span>
      <span class="card-sub">${item.message ?? ""}</span>
    </li>`;
  }
  const done = accepted.includes(item.key);
  const ticked = !done && !proposing.unticked.has(item.key);
  return html`<li class="card plan-item plan-item-met"><label
    class="option tick">
    <input type="checkbox" name="item" value="${item.key}" data-change="tick"
      ${ticked ? "checked" : ""} ${done ? "disabled" : ""}>
    <span class="plan-text"><span class="card-title">${item.title}</span>
      <span class="card-sub icon-line">${icon("user")}<span>${
        item.assignee_name ?? ""}</span></span>
      <span class="card-sub icon-line">${icon("clock")}<span>${
        span(item)}</span></span>
      <span class="card-meta">${formatDuration(item.minutes)} · ${
        t("planning.due", { day: shortDay(item.due) })}</span>
      ${done ? html`<span class="chip chip-booked">${icon("check")}${
        t("planning.booked")}</span>` : ""}
    </span></label></li>`;
}

function bookedSummary() {
  const booked = proposing.booked;
  if (!booked) return "";
  const titles = new Map((proposing.proposal?.items ?? []).map(
    (/** @type {Item} */ i) => [i.key, i.title]));
  const count = booked.created.length + booked.updated.length
    + booked.unchanged.length;
  return html`<section class="panel" id="plan-booked" role="status">
    <h2>${icon("check")}${t("planning.booked_count", { count })}</h2>
    ${booked.unchanged.length ? html`<p>${t("planning.unchanged",
      { count: booked.unchanged.length })}</p>` : ""}
    ${booked.skipped.map((/** @type {{key: string, reason: string}} */ s) =>
      html`<p class="notice warn">${icon("warn")}${titles.get(s.key) ?? ""} · ${
        t(`planning.skipped.${s.reason}`)}</p>`)}
    <p class="muted">${t("planning.booked_hint")}</p>
  </section>`;
}

export function proposalScreen() {
  const hash = "#/planning/actions";
  loadActions(hash);
  if (!proposing.first) proposing.first = today();
  const actions = listed.actions ?? [];
  const chosen = actions.filter((a) => !proposing.left.has(a.id));
  const proposal = proposing.proposal;

  const list = html`
    <p>${t("planning.actions_intro")}</p>
    <form class="desk-form stack" data-submit="propose">
      <label for="plan-first">${t("planning.first_day")}</label>
      <input id="plan-first" name="first" type="date"
        value="${proposing.first}" data-change="first"
        aria-describedby="plan-first-said">
      <p class="hint" id="plan-first-said">${proposing.first
        ? formatDay(proposing.first) : ""}</p>
      ${listed.busy && !listed.actions ? html`<p class="muted">${
        t("planning.loading")}</p>` : ""}
      ${listed.actions && !actions.length ? html`<p class="empty">${
        t("planning.no_actions")}</p>` : ""}
      ${actions.length ? html`<fieldset><legend>${t("planning.actions",
        { count: actions.length })}</legend>
        <ul class="cards">${actions.map(actionRow)}</ul></fieldset>` : ""}
      ${problemBox(proposing.problem || listed.problem)}
      <div class="actionbar">
        <button class="button big primary" type="submit" id="plan-propose"
          ${proposing.busy || !chosen.length ? "disabled" : ""}>${
          icon("calendar")}${proposing.busy ? t("planning.proposing")
          : t("planning.propose", { count: chosen.length })}</button>
      </div>
    </form>`;

  /** @type {Item[]} */
  const items = proposal?.items ?? [];
  const accepted = proposal?.accepted ?? [];
  const toBook = items.filter((i) => i.met && !accepted.includes(i.key)
    && !proposing.unticked.has(i.key));
  const review = proposal ? html`
    <section aria-labelledby="plan-title" id="plan-proposal">
      <h2 id="plan-title">${t("planning.proposal_title")}</h2>
      <p class="strong">${icon("check")}${t("planning.placed",
        { count: proposal.met })}</p>
      ${proposal.not_met ? html`<p class="strong">${icon("warn")}${
        t("planning.not_placed_count", { count: proposal.not_met })}</p>`
        : ""}
      ${bookedSummary()}
      <ul class="cards">${items.filter((i) => i.met).map((i) =>
        itemRow(i, accepted))}${items.filter((i) => !i.met).map((i) =>
        itemRow(i, accepted))}</ul>
      ${problemBox(proposing.problem)}
      <div class="actionbar two">
        <button class="button big secondary" type="button"
          data-action="again">${icon("back")}${t("planning.again")}</button>
        <button class="button big primary" type="button" id="plan-accept"
          data-action="accept" ${proposing.busy || !toBook.length
          ? "disabled" : ""}>${icon("check")}${t("planning.accept",
          { count: toBook.length })}</button>
      </div>
    </section>` : "";

  const content = html`
    ${backLink("#/me", t("me.title"))}
    ${offlineNotice()}
    ${proposal ? review : list}`;

  const redraw = () => go(hash);

  const propose = async () => {
    if (offline()) {
      proposing.problem = t("planning.offline");
      return redraw();
    }
    if (!proposing.first) {
      proposing.problem = t("planning.problem.first_day");
      return redraw();
    }
    proposing.busy = true;
    proposing.problem = "";
    redraw();
    try {
      proposing.proposal = await api("/api/planning/proposals", {
        first_day: proposing.first,
        actions: chosen.map((a) => ({ action_id: a.id })),
      });
      proposing.unticked = new Set();
      proposing.booked = null;
    } catch (exc) {
      proposing.problem = failure(exc);
    } finally {
      proposing.busy = false;
      redraw();
    }
  };

  const accept = async () => {
    if (offline()) {
      proposing.problem = t("planning.offline");
      return redraw();
    }
    proposing.busy = true;
    proposing.problem = "";
    redraw();
    try {
      proposing.booked = await api(
        `/api/planning/proposals/${proposal.id}/accept`,
        { keys: toBook.map((i) => i.key) });
      proposing.proposal = await api(`/api/planning/proposals/${proposal.id}`);
      loadActions(hash, true);
    } catch (exc) {
      proposing.problem = failure(exc);
    } finally {
      proposing.busy = false;
      redraw();
    }
  };

  return {
    title: t("planning.actions_title"), nav: "me", content,
    submits: { propose },
    actions: {
      accept,
      again: () => {
        proposing.proposal = null;
        proposing.booked = null;
        proposing.problem = "";
        redraw();
      },
    },
    changes: {
      /** @param {HTMLInputElement} el */
      first: (el) => {
        proposing.first = el.value;
        redraw();
      },
      /** @param {HTMLInputElement} el */
      pick: (el) => {
        if (el.checked) proposing.left.delete(el.value);
        else proposing.left.add(el.value);
        redraw();
      },
      /** @param {HTMLInputElement} el */
      tick: (el) => {
        if (el.checked) proposing.unticked.delete(el.value);
        else proposing.unticked.add(el.value);
        redraw();
      },
    },
  };
}

