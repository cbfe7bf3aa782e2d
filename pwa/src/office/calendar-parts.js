// @ts-check
/**
 * What the parts of the calendars screen share: asking the server for
 * what a part shows, saying its refusals beside the field they name, the
 * people who do the work, and the pieces of markup every part draws.
 */

import { html } from "../html.js";
import { t, has } from "../i18n.js";
import { icon } from "../icons.js";
import { api, ApiError } from "../api.js";
import { go } from "../ui.js";

/**
 * @typedef {{user_id: string, name: string, skills: string[]}} Person
 * @typedef {{asked: string, busy: boolean, problem: string}} Loading
 * @typedef {{draw: () => import("../html.js").Html,
 *   submits?: Record<string, Function>, actions?: Record<string, Function>,
 *   changes?: Record<string, Function>,
 *   inputs?: Record<string, Function>}} CalendarPart
 */

/** Every working person with their skills (GET /api/planning/skills). */
export const people = {
  asked: "", busy: false, problem: "",
  /** @type {Person[] | null} */ list: null,
};

/** Every part that asked the server for something. @type {Set<Loading>} */
const loadings = new Set([people]);

export const offline = () => !navigator.onLine;

/** Redraw the screen, if it is still the one shown. */
export function redraw() {
  if (location.hash.startsWith("#/calendars")) go(location.hash);
}

/** No answer, a refusal of the person, or the server's own words.
 * @param {unknown} exc */
export function failure(exc) {
  if (!(exc instanceof ApiError)) return t("calendars.offline");
  if (exc.code === "forbidden") return t("calendars.forbidden");
  return exc.message || t("calendars.failed");
}

/** What the server said is wrong with a field, in this screen's words.
 * @param {string} reason the details' reason */
export function refusalText(reason) {
  const longest = /length <= (\d+)/.exec(reason);
  if (longest) return t("calendars.refused.too_long_text", { max: longest[1] });
  if (/length >= 1/.test(reason)) return t("calendars.refused.empty");
  if (/end is before the start/.test(reason)) {
    return t("calendars.refused.end_before_start");
  }
  if (/at most \d+ days/.test(reason)) return t("calendars.refused.too_long");
  if (/a day from/.test(reason)) return t("calendars.refused.too_far");
  if (/end after it starts/.test(reason)) {
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
export function refusal(exc, fields) {
  if (exc instanceof ApiError && exc.status === 400) {
    const details = exc.body?.details ?? {};
    const named = String(details.field ?? "");
    // "skills[2]" or "periods[0].starts": the list the field is in.
    const field = fields[named] ?? fields[named.replace(/[[.].*$/, "")];
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
export function load(part, path, keep) {
  if (part.asked === path || offline()) return;
  loadings.add(part);
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
  for (const part of loadings) {
    if (part.problem) part.asked = "";
  }
});

/** Coming back to the screen shows what the server holds then. */
export function forgetLoaded() {
  for (const part of loadings) part.asked = "";
}

export function loadPeople() {
  load(people, "/api/planning/skills", (list) => {
    people.list = list;
  });
}

/** @param {string} id */
export function personName(id) {
  return people.list?.find((p) => p.user_id === id)?.name ?? "";
}

/** A skill's name in the screen's language when the catalogue has it.
 * @param {string} skill */
export function skillName(skill) {
  return has(`skill.${skill}`) ? t(`skill.${skill}`) : skill;
}

// ---- pieces every part draws ----------------------------------------

export function offlineNotice() {
  return offline() ? html`<p class="notice warn" id="calendars-offline">${
    icon("offline")}${t("calendars.offline")}</p>` : "";
}

/** @param {string} text @param {string} [id] */
export function problemBox(text, id = "") {
  return html`<div role="alert" ${id ? html`id="${id}"` : ""}>${text
    ? html`<p class="notice warn">${icon("warn")}${text}</p>` : ""}</div>`;
}

/** The refusal said under a field, linked to it. @param {string} id
 * @param {string | undefined} text */
export function fieldError(id, text) {
  return html`<p class="error field-error" id="${id}-error" ${
    text ? "" : "hidden"}>${text ? html`${icon("warn")}${text}` : ""}</p>`;
}

/** Attributes of a field that may be refused. @param {string} id
 * @param {string | undefined} error @param {string} [hint] an id */
export function described(id, error, hint = "") {
  const ids = [hint, error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return html`${ids ? html`aria-describedby="${ids}"` : ""} ${
    error ? html`aria-invalid="true"` : ""}`;
}

/** A <select> of the working people. @param {string} id
 * @param {string} chosen @param {string} handler @param {unknown} [first]
 * @param {string} [error] */
export function personSelect(id, chosen, handler, first = "", error = "") {
  return html`<select id="${id}" name="person" data-change="${handler}"
    ${described(id, error)}>
    ${first}
    ${(people.list ?? []).map((p) => html`<option value="${p.user_id}" ${
      p.user_id === chosen ? "selected" : ""}>${p.name}</option>`)}
  </select>`;
}
