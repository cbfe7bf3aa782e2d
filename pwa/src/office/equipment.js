// @ts-check
/**
 * The office's equipment desk: a filtered list of machines, and a
 * machine's page (warranty status, what it is made of now or on a chosen
 * day, every part fitted and removed with who and on which order, its
 * service orders and files). Read from the server (GET /api/equipment):
 * the screens need a connection and are loaded with the office's words
 * when opened (office.js), out of the app's first load.
 */

import { html } from "../html.js";
import { t, formatDay } from "../i18n.js";
import { icon } from "../icons.js";
import { api } from "../api.js";
import { today } from "../dates.js";
import { go } from "../ui.js";
import { backLink, orderChip } from "../views/parts.js";
import { find, openAffairs } from "../model.js";

const PAGE_SIZE = 30;
const FILTERS = ["text", "serial", "customer", "affair"];

/** What was asked of the server and what it answered, by address.
 * @type {Map<string, {data?: any, problem?: string}>} */
const answers = new Map();
/** The list's filters, kept while the app is open. */
const filters = { text: "", serial: "", customer: "", affair: "",
  shown: PAGE_SIZE };

/**
 * The server's answer for `path`, asked once; the screen redraws when it
 * comes (`hash` is the screen's own address). A failure is kept until
 * the connection comes back, so an offline screen does not ask forever.
 * @param {string} path @param {string} hash
 */
function ask(path, hash) {
  const known = answers.get(path);
  if (known) return known;
  const pending = {};
  answers.set(path, pending);
  api(path).then((data) => {
    answers.set(path, { data });
  }, (exc) => {
    const status = /** @type {any} */ (exc).status;
    answers.set(path, status ? { problem: status === 404
      ? t("equipment.not_found") : exc.message }
      : { problem: t("equipment.needs_connection"), offline: true });
  }).finally(() => {
    if (location.hash.split("?")[0] === hash) go(location.hash);
  });
  return pending;
}

/** Forget what the server said: the next drawing asks again. */
function forget() {
  answers.clear();
}

window.addEventListener("online", () => {
  forget();
  if (location.hash.startsWith("#/equipment")) go(location.hash);
});

/** @param {string} day */
function day(day) {
  return formatDay(day, { day: "numeric", month: "short", year: "numeric" });
}

/** @param {string} instant */
function dayOf(instant) {
  return day(instant.slice(0, 10));
}

/** @param {{problem?: string, offline?: boolean, data?: any}} answer */
function waiting(answer) {
  if (answer.problem) {
    return html`<p class="notice warn" role="alert" id="${answer.offline
      ? "desk-offline" : "desk-problem"}">${icon(answer.offline ? "offline"
      : "warn")}${answer.problem}</p>`;
  }
  return html`<p class="muted" aria-busy="true">${t("equipment.loading")}</p>`;
}

function listPath() {
  const query = new URLSearchParams({ limit: String(filters.shown) });
  for (const name of FILTERS) {
    const value = filters[/** @type {"text" | "serial" | "customer" |
      "affair"} */ (name)].trim();
    if (value) query.set(name, value);
  }
  return `/api/equipment?${query}`;
}

/** @param {any} item */
function card(item) {
  return html`<li><a class="card equipment-card" href="#/equipment/${item.id}">
    <span class="card-title">${item.label}</span>
    <span class="card-sub">${item.customer_name ?? ""}</span>
    <span class="card-meta">${item.serial_number
      ? t("equipment.serial", { serial: item.serial_number }) : ""} · ${
      item.affair_code}</span></a></li>`;
}

/** A choice among the records on this device, "all" first.
 * @param {string} name @param {[string, string][]} choices */
function select(name, choices) {
  const chosen = filters[/** @type {"customer" | "affair"} */ (name)];
  return html`<label for="equipment-${name}">${t(`equipment.filter_${name}`)}</label>
    <select id="equipment-${name}" name="${name}">
      <option value="">${t(`equipment.all_${name}`)}</option>
      ${choices.map(([id, label]) => html`<option value="${id}" ${id === chosen
        ? "selected" : ""}>${label}</option>`)}</select>`;
}

/** The open affairs and their customers the device holds. */
function filterChoices() {
  const affairs = openAffairs();
  /** @type {Map<string, string>} */
  const customers = new Map();
  for (const affair of affairs) {
    const customer = affair.customer_id && find("customer", affair.customer_id);
    if (customer) customers.set(customer.id, customer.name);
  }
  return {
    affairs: affairs.map((a) => /** @type {[string, string]} */ (
      [a.id, `${a.code} · ${a.title}`])),
    customers: [...customers].sort((a, b) => a[1].localeCompare(b[1])),
  };
}

export function equipmentListScreen() {
  const hash = "#/equipment";
  const answer = ask(listPath(), hash);
  const choices = filterChoices();
  const list = answer.data;
  const body = list ? html`
    <p class="muted" id="equipment-count">${t("equipment.count",
      { count: list.total })}</p>
    ${list.items.length ? html`<ul class="cards" id="equipment-list">${
      list.items.map(card)}</ul>` : html`<p class="empty">${
      t("equipment.empty")}</p>`}
    ${list.total > list.items.length ? html`<button type="button"
      class="button big secondary" data-action="more">${
      t("equipment.more")}</button>` : ""}` : waiting(answer);

  const content = html`
    ${backLink("#/me", t("me.title"))}
    <form class="desk-form" data-submit="search" role="search">
      <label for="equipment-text">${t("equipment.filter_text")}</label>
      <input id="equipment-text" name="text" type="text" enterkeyhint="search"
        value="${filters.text}" autocomplete="off">
      <label for="equipment-serial">${t("equipment.filter_serial")}</label>
      <input id="equipment-serial" name="serial" type="text" enterkeyhint="search"
        value="${filters.serial}" autocomplete="off" autocapitalize="characters">
      ${select("customer", choices.customers)}
      ${select("affair", choices.affairs)}
      <div class="actionbar"><button class="button big primary" type="submit">${
        t("equipment.search")}</button></div>
    </form>
    ${body}`;

  return {
    title: t("equipment.title"), nav: "me", content,
    submits: {
      /** @param {HTMLFormElement} form */
      search: (form) => {
        const data = new FormData(form);
        filters.text = String(data.get("text") ?? "");
        filters.serial = String(data.get("serial") ?? "");
        filters.customer = String(data.get("customer") ?? "");
        filters.affair = String(data.get("affair") ?? "");
        filters.shown = PAGE_SIZE;
        forget();
        go(hash);
      },
    },
    actions: {
      more: () => {
        filters.shown += PAGE_SIZE;
        go(hash);
      },
    },
  };
}

/** @param {any} warranty */
function warrantyLine(warranty) {
  const name = t(`equipment.warranty.${warranty.kind}`);
  const state = warranty.state;
  const said = state === "unknown" ? t("equipment.warranty_unknown")
    : t(`equipment.warranty_${state}`, { day: day(warranty.ends_on) });
  const mark = state === "running" ? "check" : state === "ended" ? "cross"
    : "warn";
  return html`<li class="warranty warranty-${state}"
    data-warranty="${warranty.kind}"><span class="strong">${name}</span>
    <span class="chip chip-warranty-${state}">${icon(mark)}${said}</span></li>`;
}

/** @param {any} part */
function partLine(part) {
  return html`<li class="part" data-serial="${part.serial_number ?? ""}"><span
    class="strong">${part.part_label}</span> ${part.serial_number
    ? html`<span class="muted">${t("equipment.serial",
      { serial: part.serial_number })}</span>` : ""}</li>`;
}

/** @param {string | null} number */
function onOrder(number) {
  return number ? t("equipment.on_order", { number }) : "";
}

/** "Fitted on 7 Dec 2023", "... by Thomas Martin" when it is known who.
 * @param {"fitted" | "removed"} what @param {string} at
 * @param {string | null} who */
function said(what, at, who) {
  return who ? t(`equipment.${what}`, { day: dayOf(at), who })
    : t(`equipment.${what}_day`, { day: dayOf(at) });
}

/** One fitting: when and by whom the part went in, and out.
 * @param {any} f @param {boolean} [elsewhere] names the machine instead */
function fittingLine(f, elsewhere = false) {
  const what = elsewhere ? f.equipment_label : f.part_label;
  const fitted = said("fitted", f.fitted_at, f.fitted_by);
  const removed = f.removed_at ? said("removed", f.removed_at, f.removed_by)
    : "";
  return html`<li class="fitting" data-serial="${f.serial_number ?? ""}">
    <span class="strong">${what}</span> ${!elsewhere && f.serial_number
      ? html`<span class="muted">${t("equipment.serial",
        { serial: f.serial_number })}</span>` : ""}
    <span class="hint">${fitted} ${onOrder(f.fitted_order_number)}</span>
    ${removed ? html`<span class="hint">${removed} ${
      onOrder(f.removed_order_number)}</span>` : html`<span class="hint">${
      t("equipment.still_fitted")}</span>`}</li>`;
}

/** @param {any} o */
function orderLine(o) {
  const when = o.received_at || o.scheduled_start;
  return html`<li><a class="card" href="#/order/${o.id}">
    <span class="card-top"><span>${o.number}</span>${orderChip(o.status)}</span>
    <span class="card-title">${o.title}</span>
    <span class="card-meta">${when ? dayOf(when) : ""}${o.technician
      ? ` · ${o.technician}` : ""}</span></a></li>`;
}

/** @param {any} file */
function fileLine(file) {
  return html`<li><a href="/api/blobs/${file.sha256}" target="_blank"
    rel="noopener">${icon(file.kind === "photo" ? "camera" : "list")}${
    file.title}</a> <span class="hint">${dayOf(file.added_at)}${file.added_by
    ? ` · ${file.added_by}` : ""}</span></li>`;
}

/** @param {string} title @param {string} id @param {import("../html.js").Html} body */
function section(title, id, body) {
  return html`<section class="panel" aria-labelledby="${id}">
    <h2 id="${id}">${title}</h2>${body}</section>`;
}

/** @param {any[]} items @param {(x: any) => any} line @param {string} empty */
function listOf(items, line, empty) {
  return items.length ? html`<ul class="plain">${items.map(line)}</ul>`
    : html`<p class="muted">${t(empty)}</p>`;
}

/** Days chosen for the composition, per machine. @type {Map<string, string>} */
const chosenDays = new Map();

/** @param {{id: string}} params */
export function equipmentPageScreen({ id }) {
  const hash = `#/equipment/${id}`;
  const answer = ask(`/api/equipment/${id}`, hash);
  const page = answer.data;
  if (!page) {
    return { title: t("equipment.title"), nav: "me", content: html`
      ${backLink("#/equipment", t("equipment.title"))}${waiting(answer)}` };
  }
  const e = page.equipment;
  const on = chosenDays.get(id) || today();
  const past = on !== today();
  const then = past
    ? ask(`/api/equipment/${id}/composition?on=${on}`, hash) : null;
  const parts = past ? then?.data?.parts : page.composition;

  const facts = [
    e.serial_number ? t("equipment.serial", { serial: e.serial_number }) : "",
    e.customer_name ?? "", e.affair_code,
    e.installed_on ? t("equipment.installed", { day: day(e.installed_on) }) : "",
  ].filter(Boolean);

  const content = html`
    ${backLink("#/equipment", t("equipment.title"))}
    <section class="panel" aria-labelledby="equipment-name">
      <h2 id="equipment-name">${e.label}</h2>
      ${facts.map((fact) => html`<p>${fact}</p>`)}
    </section>
    ${section(t("equipment.warranties"), "equipment-warranties",
      html`<ul class="plain" id="warranties">${
        page.warranties.map(warrantyLine)}</ul>`)}
    ${section(t("equipment.composition"), "equipment-composition", html`
      <label for="composition-day">${t("equipment.composition_on")}</label>
      <input id="composition-day" type="date" value="${on}" max="${today()}"
        data-change="day">
      <div id="composition" data-on="${on}">${parts ? listOf(parts, partLine,
        "equipment.no_parts") : waiting(then ?? {})}</div>`)}
    ${section(t("equipment.history"), "equipment-history", html`<div
      id="history">${listOf(page.history, (f) => fittingLine(f),
        "equipment.no_history")}
      ${page.fitted_in.length ? html`<h3>${t("equipment.fitted_in")}</h3><ul
        class="plain">${page.fitted_in.map((f) => fittingLine(f, true))}</ul>`
        : ""}</div>`)}
    ${section(t("equipment.orders"), "equipment-orders", page.orders.length
      ? html`<ul class="cards" id="equipment-orders-list">${
        page.orders.map(orderLine)}</ul>` : html`<p class="muted">${
        t("equipment.no_orders")}</p>`)}
    ${section(t("equipment.files"), "equipment-files",
      listOf(page.files, fileLine, "equipment.no_files"))}`;

  return {
    title: e.label, nav: "me", content,
    changes: {
      /** @param {HTMLInputElement} el */
      day: (el) => {
        const chosen = el.value && el.value <= today() ? el.value : today();
        chosenDays.set(id, chosen);
        go(hash);
      },
    },
    // Back on the page later: what changed meanwhile is asked again.
    leave: () => forget(),
  };
}
