// @ts-check
/** "Today": the person's service orders by day, today first. */

import { html } from "../html.js";
import { t, formatDay, formatTime } from "../i18n.js";
import { icon } from "../icons.js";
import { isoDate, today } from "../dates.js";
import { myOrders, find } from "../model.js";
import { orderChip, pendingMark } from "./parts.js";

/** A contract's visit not given a time yet shows on the day it is due.
 * @param {Record<string, any>} o */
function dayOf(o) {
  return o.scheduled_start ? isoDate(new Date(o.scheduled_start))
    : o.visit_due_on || "";
}

/** Today, then the days ahead, then undated, then the past (latest first). */
export function groupByDay(/** @type {Record<string, any>[]} */ orders) {
  const now = today();
  /** @type {Map<string, Record<string, any>[]>} */
  const groups = new Map();
  for (const o of orders) {
    const day = dayOf(o);
    if (!groups.has(day)) groups.set(day, []);
    groups.get(day)?.push(o);
  }
  const rank = (/** @type {string} */ day) => {
    if (day === now) return [0, ""];
    if (day > now) return [1, day];
    if (!day) return [2, ""];
    return [3, String(99999999 - Number(day.replaceAll("-", "")))];
  };
  return [...groups.entries()].sort(([a], [b]) => {
    const [ra, ka] = rank(a);
    const [rb, kb] = rank(b);
    return ra === rb ? String(ka).localeCompare(String(kb))
      : Number(ra) - Number(rb);
  }).map(([day, list]) => [day, list.sort((x, y) =>
    String(x.scheduled_start).localeCompare(String(y.scheduled_start)))]);
}

/** @param {string} day */
function dayTitle(day) {
  if (!day) return t("orders.undated");
  const now = today();
  const name = formatDay(day);
  if (day === now) return t("orders.today", { day: name });
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** @param {Record<string, any>} o */
export function timeWindow(o) {
  if (!o.scheduled_start) return "";
  const start = formatTime(o.scheduled_start);
  return o.scheduled_end ? `${start} – ${formatTime(o.scheduled_end)}` : start;
}

/** @param {Record<string, any>} o */
function card(o) {
  const customer = find("customer", o.customer_id);
  const site = find("site", o.site_id);
  return html`<li><a class="card order-card" href="#/order/${o.id}">
    <span class="card-top"><span class="when">${icon("clock")}${
      timeWindow(o)}</span>${orderChip(o.status)}</span>
    <span class="card-title">${o.title}</span>
    <span class="card-sub">${customer?.name ?? ""}${
      site?.town ? html` · ${site.town}` : ""}</span>
    <span class="card-meta">${o.number}${pendingMark(o.pending)}</span>
  </a></li>`;
}

export function ordersScreen() {
  const groups = groupByDay(myOrders());
  const body = groups.length ? html`${groups.map(([day, list]) => html`
    <section class="day-group" aria-labelledby="day-${day || "none"}">
      <h2 id="day-${day || "none"}" class="${day === today() ? "is-today" : ""}"
        >${dayTitle(day)}</h2>
      <ul class="cards">${list.map(card)}</ul>
    </section>`)}` : html`<p class="empty">${t("orders.empty")}</p>`;
  // A product brought in for repair: received on the phone, by its serial.
  const intake = html`<a class="button secondary" href="#/intake">${
    icon("plus")}${t("repair.receive")}</a>`;
  return { title: t("orders.title"), nav: "orders",
    content: html`${body}${intake}` };
}
