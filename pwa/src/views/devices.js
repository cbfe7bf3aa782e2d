// @ts-check
/**
 * Team devices: each install of the app of the people one looks after,
 * when it was last heard from, and whether it is still the one in use.
 * A phone whose storage the browser wiped comes back as a new device: the
 * old one shows here as replaced and gone silent (case S10).
 *
 * Only a device that may hold work never sent asks for the supervisor's
 * attention: one gone silent whose last push was never confirmed back to
 * it, or whose changes wait in open conflicts. A silent or replaced
 * device with neither is history, told calmly.
 */

import { html } from "../html.js";
import { t, formatAgo, formatTime } from "../i18n.js";
import { icon } from "../icons.js";
import {
  asked, knownDevices, refreshDevices, shortId, isThisDevice, openConflicts,
} from "../devices.js";
import { go } from "../ui.js";
import { backLink } from "./parts.js";

/**
 * @typedef {import("../devices.js").DeviceRow} DeviceRow
 */

/** @type {Record<string, import("../icons.js").IconName>} */
const STATUS_ICONS = { active: "check", silent: "offline", replaced: "undo" };

/** "4 Dec, 10:42". @param {string} at */
function moment(at) {
  return formatTime(at, { day: "numeric", month: "short", hour: "2-digit",
    minute: "2-digit" });
}

/** @param {string} at */
function ago(at) {
  return formatAgo(Date.now() - Date.parse(at));
}

/** Whether a device asks for the supervisor's attention (see above).
 * @param {DeviceRow} d @param {number} conflicts */
function atStake(d, conflicts) {
  return d.status !== "active" && (d.unconfirmed || conflicts > 0);
}

/** @param {DeviceRow} d */
function statusChip(d) {
  const word = t(`devices.status.${d.status}`);
  return html`<span class="chip chip-device-${d.status}">${icon(
    STATUS_ICONS[d.status] ?? "check")}${word}</span>`;
}

/** What the supervisor should know about it, in sentences: a warning
 * only when work may be at stake.
 * @param {DeviceRow} d @param {number} days silent after so many days
 * @param {boolean} stake */
function story(d, days, stake) {
  const lines = [];
  const said = (/** @type {string} */ text) => (stake
    ? html`<p class="notice warn">${icon("warn")}${text}</p>`
    : html`<p>${text}</p>`);
  if (d.status === "replaced" && d.replaced_at) {
    lines.push(said(t("devices.replaced", { name: d.user_name,
      since: moment(d.replaced_at), last: moment(d.last_seen_at) })));
  } else if (d.status === "silent") {
    lines.push(said(t("devices.silent", { days })));
  }
  if (d.unconfirmed && d.last_push_at) {
    lines.push(html`<p>${t("devices.unconfirmed",
      { at: moment(d.last_push_at) })}</p>`);
  }
  if (stake) {
    lines.push(html`<p class="strong">${
      t("devices.ask", { name: d.user_name })}</p>`);
  } else if (d.status !== "active") {
    lines.push(html`<p class="muted">${t(d.last_seq
      ? "devices.nothing_waiting" : "devices.nothing_sent",
      { name: d.user_name })}</p>`);
  }
  return lines;
}

/** The device in hand is in use, whatever a list asked before its last
 * pull says. @param {DeviceRow} d @returns {DeviceRow} */
function asSeenHere(d) {
  return isThisDevice(d) ? { ...d, status: "active" } : d;
}

/** @param {DeviceRow} d @param {number} days @param {number} conflicts */
function deviceCard(d, days, conflicts) {
  const name = d.agent || t("devices.unknown_agent");
  const here = isThisDevice(d);
  const stake = atStake(d, conflicts);
  return html`<li class="card device device-${d.status}${
    stake ? " device-at-stake" : ""}">
    <span class="card-top"><span class="card-title">${icon("phone")}<span>${
      name} <span class="short-id">${shortId(d.client_id)}</span></span></span>${
      here ? html`<span class="chip chip-device-here">${icon("phone")}${
        t("devices.this_device")}</span>` : statusChip(d)}</span>
    <span class="card-sub">${t("devices.last_seen", {
      ago: ago(d.last_seen_at), at: moment(d.last_seen_at) })}</span>
    <span class="card-meta">${t("devices.first_seen",
      { at: moment(d.first_seen_at) })} · ${t("devices.received",
      { count: d.last_seq })}</span>
    ${story(d, days, stake)}
    ${conflicts ? html`<a class="button" href="#/conflicts">${
      icon("warn")}${t("devices.conflicts", { count: conflicts })}</a>`
      : ""}
  </li>`;
}

/** The devices by person, the most worrying first: people, then each
 * person's devices (the latest seen first among equals). A device that
 * may hold unsent work comes first, then those in use, then the quiet
 * ones with nothing at stake.
 * @param {DeviceRow[]} devices @param {(d: DeviceRow) => boolean} stake */
function byPerson(devices, stake) {
  const urgency = (/** @type {DeviceRow} */ d) => (stake(d) ? 0
    : d.status === "active" ? 1 : 2);
  /** @type {Map<string, {name: string, devices: DeviceRow[]}>} */
  const people = new Map();
  for (const d of devices) {
    const person = people.get(d.user_id) ?? { name: d.user_name,
      devices: [] };
    person.devices.push(d);
    people.set(d.user_id, person);
  }
  const worst = (/** @type {{devices: DeviceRow[]}} */ p) =>
    Math.min(...p.devices.map(urgency));
  for (const person of people.values()) {
    person.devices.sort((a, b) => urgency(a) - urgency(b)
      || Date.parse(b.last_seen_at) - Date.parse(a.last_seen_at));
  }
  return [...people.values()]
    .sort((a, b) => worst(a) - worst(b) || a.name.localeCompare(b.name));
}

export function devicesScreen() {
  refreshDevices(() => {
    if (location.hash === "#/devices") go("#/devices");
  });
  const list = knownDevices();
  const devices = (list?.devices ?? []).map(asSeenHere);
  const conflictsOf = (/** @type {DeviceRow} */ d) =>
    (list ? openConflicts(d, list) : 0);
  const stake = (/** @type {DeviceRow} */ d) => atStake(d, conflictsOf(d));
  const quiet = devices.filter((d) => d.status !== "active").length;
  const worrying = devices.filter(stake).length;

  let state = html``;
  if (asked.problem && asked.problem !== "offline") {
    state = html`<p class="notice warn">${t("devices.failed")}</p>`;
  } else if (asked.problem && list) {
    state = html`<p class="notice">${icon("offline")}${
      t("devices.as_of", { at: moment(new Date(list.at).toISOString()) })}</p>`;
  } else if (asked.problem) {
    state = html`<p class="notice warn">${icon("offline")}${
      t("devices.offline")}</p>`;
  }

  let summary = html``;
  if (list && worrying) {
    summary = html`<p class="strong">${icon("warn")}${
      t("devices.at_stake", { count: worrying })}</p>`;
  } else if (list && quiet) {
    summary = html`<p>${icon("check")}${t("devices.nothing_at_stake")}</p>`;
  } else if (list) {
    summary = html`<p>${icon("check")}${t("devices.all_active",
      { days: list.silent_after_days })}</p>`;
  }

  const content = html`
    ${backLink("#/me", t("me.title"))}
    ${state}
    ${summary}
    ${!list && !asked.problem ? html`<p class="muted">${
      t("devices.loading")}</p>` : ""}
    ${list && !devices.length ? html`<p class="empty">${
      t("devices.none")}</p>` : ""}
    ${byPerson(devices, stake).map((p, i) => html`<section
      class="device-group" aria-labelledby="person-${i}">
      <h2 id="person-${i}">${icon("user")}${p.name}</h2>
      <ul class="cards">${p.devices.map((d) => deviceCard(d,
        list?.silent_after_days ?? 3, conflictsOf(d)))}</ul>
    </section>`)}
    <button type="button" class="button secondary" data-action="refresh">${
      icon("sync")}${t("devices.refresh")}</button>`;

  return {
    title: t("devices.title"), nav: "me", content,
    actions: {
      refresh: () => refreshDevices(() => go("#/devices"), { now: true }),
    },
  };
}
