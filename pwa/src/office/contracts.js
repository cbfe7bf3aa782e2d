// @ts-check
/**
 * Maintenance contracts on the office's phone: the list (those with late
 * visits or repairs not started in time first), a contract's page (terms,
 * equipment covered, visits and their state, SLA breaches) and the form
 * of a new contract. Managers and admins write; supervisors read, so they
 * see no button. Read from the server (/api/contracts): these screens need
 * a connection and come with the office's words when opened (office.js).
 */

import { html } from "../html.js";
import { t, formatDay } from "../i18n.js";
import { icon } from "../icons.js";
import { api, ApiError } from "../api.js";
import { go, toast } from "../ui.js";
import { backLink } from "../views/parts.js";
import { find, openAffairs, plansWork } from "../model.js";
import { described, fieldError } from "./calendar-parts.js";

const STATUSES = ["draft", "active", "closed"];

/** What the server answered, by address. @type {Map<string, any>} */
const answers = new Map();
/** The list's filters, kept while the app is open. */
const filters = { status: "", customer: "" };
/** The new contract's form: what was typed, and what the server refused. */
const draft = {
  /** @type {Record<string, string>} */ values: {},
  /** @type {Record<string, string>} */ errors: {},
  problem: "",
  busy: false,
};
/** A write under way or refused on a contract's page. */
const page = { busy: false, problem: "" };

/** @param {string} hash */
function redraw(hash) {
  if (location.hash.split("?")[0] === hash) go(location.hash);
}

/** @param {unknown} exc */
function failure(exc) {
  return exc instanceof ApiError ? exc.message || t("contracts.failed")
    : t("contracts.needs_connection");
}

/**
 * The server's answer for `path`, asked once; `hash` redraws when it comes.
 * @param {string} path @param {string} hash
 * @returns {{data?: any, problem?: string, offline?: boolean}}
 */
function ask(path, hash) {
  const known = answers.get(path);
  if (known) return known;
  const pending = {};
  answers.set(path, pending);
  api(path).then((data) => {
    answers.set(path, { data });
  }, (exc) => {
    answers.set(path, { problem: exc?.status === 404
      ? t("contracts.not_found") : failure(exc), offline: !exc?.status });
  }).finally(() => redraw(hash));
  return pending;
}

window.addEventListener("online", () => {
  answers.clear();
  if (location.hash.startsWith("#/contracts")) go(location.hash);
});

/** @param {{problem?: string, offline?: boolean}} answer */
function waiting(answer) {
  if (answer.problem) {
    return html`<p class="notice warn" role="alert" id="${answer.offline
      ? "contracts-offline" : "contracts-problem"}">${icon(answer.offline
      ? "offline" : "warn")}${answer.problem}</p>`;
  }
  return html`<p class="muted" aria-busy="true">${t("contracts.loading")}</p>`;
}

/** @param {string | null} day */
function dayText(day) {
  return day ? formatDay(day, { day: "numeric", month: "short",
    year: "numeric" }) : "";
}

/** The customers of the open affairs on this device, by name. */
function customers() {
  /** @type {Map<string, string>} */
  const found = new Map();
  for (const affair of openAffairs()) {
    const customer = affair.customer_id && find("customer", affair.customer_id);
    if (customer) found.set(customer.id, customer.name);
  }
  return [...found].sort((a, b) => a[1].localeCompare(b[1]));
}

/** @param {string} status */
function statusChip(status) {
  const mark = status === "active" ? "check" : status === "closed" ? "lock"
    : "clock";
  return html`<span class="chip chip-contract-${status}">${icon(mark)}${
    t(`contracts.status.${status}`)}</span>`;
}

/** @param {{late_visits: number, sla_breaches: number}} flags */
function flagChips(flags) {
  return html`${flags.late_visits ? html`<span class="chip chip-late"
    data-flag="late">${icon("warn")}${t("contracts.late_visits",
    { count: flags.late_visits })}</span>` : ""}${flags.sla_breaches
    ? html`<span class="chip chip-late" data-flag="sla">${icon("clock")}${
      t("contracts.sla_breaches", { count: flags.sla_breaches })}</span>`
    : ""}`;
}

/** @param {any} c */
function card(c) {
  return html`<li><a class="card" href="#/contracts/${c.id}"
    data-number="${c.number}">
    <span class="card-top"><span>${c.number}</span>${statusChip(c.status)}</span>
    <span class="card-title">${c.customer_name ?? ""}</span>
    <span class="card-meta">${dayText(c.starts_on)}${c.ends_on
      ? ` – ${dayText(c.ends_on)}` : ""}</span>
    <span class="card-meta">${flagChips(c.flags)}</span></a></li>`;
}

/** @param {string} name @param {[string, string][]} choices
 * @param {string} chosen @param {string} all */
function select(name, choices, chosen, all) {
  return html`<label for="contracts-${name}">${
    t(`contracts.filter_${name}`)}</label>
    <select id="contracts-${name}" name="${name}">
      <option value="">${t(all)}</option>
      ${choices.map(([value, label]) => html`<option value="${value}" ${
        value === chosen ? "selected" : ""}>${label}</option>`)}</select>`;
}

export function contractsScreen() {
  const hash = "#/contracts";
  const query = new URLSearchParams();
  if (filters.status) query.set("status", filters.status);
  if (filters.customer) query.set("customer_id", filters.customer);
  const asked = query.toString();
  const answer = ask(`/api/contracts${asked ? `?${asked}` : ""}`, hash);
  const list = answer.data;
  const body = list ? (list.length ? html`<ul class="cards"
    id="contracts-list">${list.map(card)}</ul>` : html`<p class="empty"
    id="contracts-empty">${t("contracts.empty")}</p>`) : waiting(answer);

  const content = html`
    ${backLink("#/me", t("me.title"))}
    ${plansWork() ? html`<a class="button big primary" href="#/contracts/new"
      id="contract-new">${icon("plus")}${t("contracts.new")}</a>` : ""}
    <form class="desk-form" data-submit="filter" role="search">
      ${select("status", STATUSES.map((s) => /** @type {[string, string]} */ (
        [s, t(`contracts.status.${s}`)])), filters.status, "contracts.all_status")}
      ${select("customer", customers(), filters.customer,
        "contracts.all_customer")}
      <div class="actionbar"><button class="button big secondary"
        type="submit">${t("contracts.filter")}</button></div>
    </form>
    ${body}`;

  return {
    title: t("contracts.title"), nav: "me", content,
    submits: {
      /** @param {HTMLFormElement} form */
      filter: (form) => {
        const data = new FormData(form);
        filters.status = String(data.get("status") ?? "");
        filters.customer = String(data.get("customer") ?? "");
        go(hash);
      },
    },
    leave: () => answers.clear(),
  };
}

/** A visit's state as the office speaks of it.
 * @param {{status: string, late: boolean}} visit */
function visitState(visit) {
  if (visit.status === "cancelled") return "cancelled";
  if (visit.status === "done" || visit.status === "closed") return "done";
  return visit.late ? "late" : "coming";
}

const VISIT_ICONS = /** @type {const} */ ({
  done: "check", late: "warn", coming: "calendar", cancelled: "cross",
});

/** @param {any} visit */
function visitLine(visit) {
  const state = visitState(visit);
  return html`<li class="visit" data-state="${state}" data-due="${
    visit.due_on}"><span class="strong">${dayText(visit.due_on)}</span>
    <span class="chip chip-visit-${state}">${icon(VISIT_ICONS[state])}${
    t(`contracts.visit.${state}`)}</span>
    <span class="hint visit-number">${visit.number}</span></li>`;
}

/** @param {any} breach */
function breachLine(breach) {
  const at = (/** @type {string} */ instant) => dayText(instant.slice(0, 10));
  return html`<li class="breach"><span class="strong">${breach.number}</span>
    <span class="hint">${t("contracts.respond_by", {
      day: at(breach.respond_by) })} · ${breach.started_at
      ? t("contracts.started", { day: at(breach.started_at) })
      : t("contracts.not_started")}</span></li>`;
}

/** @param {string} title @param {string} id @param {unknown} body */
function section(title, id, body) {
  return html`<section class="panel" id="${id}-panel" aria-labelledby="${id}">
    <h2 id="${id}">${title}</h2>${body}</section>`;
}

/** @param {string} label @param {unknown} value */
function term(label, value) {
  return value === "" || value === null || value === undefined ? ""
    : html`<dt>${t(label)}</dt><dd>${value}</dd>`;
}

/** @param {any} c */
function terms(c) {
  return html`<dl class="terms" id="contract-terms">
    ${term("contracts.customer", c.customer_name)}
    ${term("contracts.starts_on", dayText(c.starts_on))}
    ${term("contracts.ends_on", dayText(c.ends_on))}
    ${term("contracts.every", c.visit_every_months
      ? t("contracts.every_months", { count: c.visit_every_months }) : "")}
    ${term("contracts.response", c.response_hours
      ? t("contracts.hours", { count: c.response_hours }) : "")}
    ${term("contracts.renewal", c.renews ? t("contracts.renews",
      { count: c.renewal_months ?? 0 }) : t("contracts.no_renewal"))}
    ${term("contracts.closed_on", dayText(c.closed_on))}</dl>`;
}

/**
 * Send a write about the contract, then show the server's new page.
 * @param {string} id @param {string} path @param {string} done
 */
function write(id, path, done) {
  const hash = `#/contracts/${id}`;
  page.busy = true;
  page.problem = "";
  go(hash);
  api(path, {}).then(() => {
    toast(t(done));
  }, (exc) => {
    page.problem = failure(exc);
  }).finally(() => {
    page.busy = false;
    answers.delete(`/api/contracts/${id}`);
    redraw(hash);
  });
}

/** @param {{id: string}} params */
export function contractScreen({ id }) {
  const hash = `#/contracts/${id}`;
  const answer = ask(`/api/contracts/${id}`, hash);
  const detail = answer.data;
  if (!detail) {
    return { title: t("contracts.title"), nav: "me", content: html`
      ${backLink("#/contracts", t("contracts.title"))}${waiting(answer)}` };
  }
  const c = detail.contract;
  const writes = plansWork();
  const disabled = page.busy ? "disabled" : "";
  const buttons = writes ? html`<div class="contract-actions" id="contract-actions">
    ${c.status === "draft" ? html`<button type="button" ${disabled}
      class="button big primary" data-action="activate">${icon("play")}${
      t("contracts.activate")}</button>` : ""}
    ${c.status === "active" ? html`<button type="button" ${disabled}
      class="button big secondary" data-action="plan">${icon("calendar")}${
      t("contracts.plan_now")}</button>` : ""}
    ${c.status !== "closed" ? html`<button type="button" ${disabled}
      class="button big secondary" data-action="close">${icon("lock")}${
      t("contracts.close")}</button>` : ""}</div>` : "";

  const content = html`
    ${backLink("#/contracts", t("contracts.title"))}
    <section class="panel" aria-labelledby="contract-number">
      <h2 id="contract-number">${c.number}</h2>
      <p class="contract-flags">${statusChip(c.status)}${flagChips(c.flags)}</p>
      ${terms(c)}
    </section>
    <div role="alert" id="contract-problem">${page.problem ? html`<p
      class="notice warn">${icon("warn")}${page.problem}</p>` : ""}</div>
    ${buttons}
    ${section(t("contracts.equipment"), "contract-equipment", detail.equipment
      .length ? html`<ul class="plain">${detail.equipment.map((/** @type {any} */
        e) => html`<li><a href="#/equipment/${e.id}">${e.label}</a> ${
        e.serial_number ? html`<span class="muted">${e.serial_number}</span>`
        : ""}</li>`)}</ul>` : html`<p class="muted">${
        t("contracts.no_equipment")}</p>`)}
    ${section(t("contracts.visits"), "contract-visits", detail.visits.length
      ? html`<ul class="plain" id="visits">${detail.visits.map(visitLine)}</ul>`
      : html`<p class="muted">${t("contracts.no_visits")}</p>`)}
    ${section(t("contracts.breaches"), "contract-breaches",
      detail.sla_breaches.length ? html`<ul class="plain" id="breaches">${
        detail.sla_breaches.map(breachLine)}</ul>` : html`<p class="muted">${
        t("contracts.no_breaches")}</p>`)}`;

  return {
    title: c.number, nav: "me", content,
    actions: writes ? {
      activate: () => write(id, `/api/contracts/${id}/activate`,
        "contracts.activated"),
      plan: () => write(id, "/api/contracts/generate-visits",
        "contracts.planned"),
      close: () => {
        if (!confirm(t("contracts.close_confirm", { number: c.number }))) return;
        write(id, `/api/contracts/${id}/close`, "contracts.closed");
      },
    } : {},
    leave: () => {
      answers.clear();
      page.problem = "";
    },
  };
}

// ---- a new contract ---------------------------------------------------

/** The form's fields, by the server's names. */
const FIELDS = ["customer_id", "affair_id", "starts_on", "ends_on",
  "visit_every_months", "response_hours", "renewal_months"];
const NUMBERS = ["visit_every_months", "response_hours", "renewal_months"];

/** The request the form makes: empty fields left out, numbers as numbers.
 * @param {Record<string, string>} values */
function request(values) {
  /** @type {Record<string, unknown>} */
  const body = { renews: values.renews === "on" };
  for (const name of FIELDS) {
    const value = (values[name] ?? "").trim();
    if (!value) continue;
    body[name] = NUMBERS.includes(name) && /^\d+$/.test(value)
      ? Number(value) : value;
  }
  return body;
}

/** A refusal said beside the field the server named, else above the form.
 * @param {unknown} exc */
function refused(exc) {
  draft.errors = {};
  draft.problem = "";
  const details = exc instanceof ApiError ? exc.body?.details ?? {} : {};
  // "$.ends_on", or a field left out, said only in the reason.
  const field = String(details.field ?? "").replace(/^\$\./, "")
    || (/field `(\w+)`/.exec(String(details.reason ?? "")) ?? [])[1] || "";
  if (field && FIELDS.includes(field)) {
    const key = `contracts.invalid.${field}`;
    draft.errors[field] = exc instanceof ApiError && exc.status === 400
      ? t(key) : /** @type {ApiError} */ (exc).message || t(key);
  } else {
    draft.problem = failure(exc);
  }
}

/** @param {string} name @param {unknown} input */
function field(name, input) {
  return html`<label for="contract-${name}">${t(`contracts.${name}`)}</label>
    ${input}${fieldError(`contract-${name}`, draft.errors[name])}`;
}

/** @param {string} name @param {string} type @param {unknown} [more] */
function input(name, type, more = "") {
  const id = `contract-${name}`;
  return field(name, html`<input id="${id}" name="${name}" type="${type}"
    value="${draft.values[name] ?? ""}" ${more} ${described(id,
    draft.errors[name])}>`);
}

export function newContractScreen() {
  const hash = "#/contracts/new";
  const v = draft.values;
  const affairs = openAffairs();
  /** @param {string} name @param {[string, string][]} choices */
  const choose = (name, choices) => {
    const id = `contract-${name}`;
    return field(name, html`<select id="${id}" name="${name}" ${described(id,
      draft.errors[name])}><option value=""></option>${choices.map(([value,
      label]) => html`<option value="${value}" ${value === v[name]
      ? "selected" : ""}>${label}</option>`)}</select>`);
  };

  const content = html`
    ${backLink("#/contracts", t("contracts.title"))}
    <form class="desk-form" data-submit="create" novalidate>
      ${choose("customer_id", customers())}
      ${choose("affair_id", affairs.map((a) => /** @type {[string, string]} */ (
        [a.id, `${a.code} · ${a.title}`])))}
      ${input("starts_on", "date")}
      ${input("ends_on", "date")}
      ${input("visit_every_months", "number", html`min="1" max="120" inputmode="numeric"`)}
      ${input("response_hours", "number", html`min="1" max="8760" inputmode="numeric"`)}
      <label class="check"><input type="checkbox" name="renews" id="contract-renews"
        ${v.renews === "on" ? "checked" : ""}>${t("contracts.renews_field")}</label>
      ${input("renewal_months", "number", html`min="1" max="120" inputmode="numeric"`)}
      <div role="alert" id="contract-form-problem">${draft.problem ? html`<p
        class="notice warn">${icon("warn")}${draft.problem}</p>` : ""}</div>
      <div class="actionbar"><button class="button big primary" type="submit"
        ${draft.busy ? "disabled" : ""}>${t("contracts.create")}</button></div>
    </form>`;

  return {
    title: t("contracts.new"), nav: "me", content,
    submits: {
      /** @param {HTMLFormElement} form */
      create: (form) => {
        draft.values = Object.fromEntries([...new FormData(form)].map(
          ([name, value]) => [name, String(value)]));
        draft.busy = true;
        go(hash);
        api("/api/contracts", request(draft.values)).then((made) => {
          draft.values = {};
          draft.errors = {};
          draft.busy = false;
          draft.problem = "";
          answers.clear();
          toast(t("contracts.created", { number: made.contract.number }));
          go(`#/contracts/${made.contract.id}`);
        }, (exc) => {
          draft.busy = false;
          refused(exc);
          redraw(hash);
          const first = Object.keys(draft.errors)[0];
          if (first) document.getElementById(`contract-${first}`)?.focus();
        });
      },
    },
  };
}

