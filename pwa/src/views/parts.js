// @ts-check
/** Pieces several screens share: chips, headings, links. */

import { html } from "../html.js";
import { icon } from "../icons.js";
import { t } from "../i18n.js";

/** @type {Record<string, import("../icons.js").IconName>} */
const ORDER_ICONS = {
  planned: "calendar", in_progress: "play", done: "check", closed: "lock",
  cancelled: "cross",
};

/** A service order's status: a word and an icon, never colour alone. */
export function orderChip(/** @type {string} */ status) {
  return html`<span class="chip chip-${status}">${icon(
    ORDER_ICONS[status] ?? "calendar")}${t(`order.status.${status}`)}</span>`;
}

/** @type {Record<string, import("../icons.js").IconName>} */
const WEEK_ICONS = {
  draft: "clock", submitted: "forward", approved: "lock", rejected: "cross",
};

export function weekChip(/** @type {string} */ status) {
  return html`<span class="chip chip-week-${status}">${icon(
    WEEK_ICONS[status] ?? "clock")}${t(`week.status.${status}`)}</span>`;
}

/** Marks a row changed on this device and not yet sent. */
export function pendingMark(/** @type {boolean | undefined} */ pending) {
  if (!pending) return "";
  return html`<span class="pending-mark">${icon("cloud")}${
    t("pending.mark")}</span>`;
}

/** @param {string} href @param {string} label */
export function backLink(href, label) {
  return html`<a class="back" href="${href}">${icon("back")}${label}</a>`;
}

/**
 * The switch between the two views of My time, days or grid, for one
 * week. The view chosen is the one My time opens with next (views/grid.js).
 * @param {string} week @param {"days" | "grid"} current
 */
export function timeViews(week, current) {
  const link = (/** @type {string} */ view, /** @type {string} */ href,
    /** @type {import("../icons.js").IconName} */ name) => html`<a
    href="${href}" data-time-view="${view}" ${view === current
    ? html`aria-current="page"` : ""}>${icon(name)}${
    t(`time.view_${view}`)}</a>`;
  return html`<nav class="segmented time-views" aria-label="${
    t("time.views")}">${link("days", `#/time/${week}`, "calendar")}${
    link("grid", `#/time/grid/${week}`, "list")}</nav>`;
}
