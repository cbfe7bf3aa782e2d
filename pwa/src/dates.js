// @ts-check
/**
 * Calendar arithmetic on local dates ("YYYY-MM-DD") and ISO weeks
 * ("2026-W49"). Dates are local to the device: a time entry's work date
 * is the day on the technician's wall calendar.
 */

const DAY_MS = 86400000;

/** @param {number} n */
const two = (n) => String(n).padStart(2, "0");

/** @param {Date} d */
export function isoDate(d) {
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

/** @param {string} day @returns {Date} local midnight */
export function parseDate(day) {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(y, m - 1, d);
}

export function today() {
  return isoDate(new Date());
}

/** @param {string} day @param {number} n */
export function addDays(day, n) {
  const d = parseDate(day);
  d.setDate(d.getDate() + n);
  return isoDate(d);
}

/** @param {string} day @returns {string} e.g. "2026-W49" */
export function weekOf(day) {
  const d = parseDate(day);
  const weekday = (d.getDay() + 6) % 7;
  const thursday = new Date(d.getFullYear(), d.getMonth(),
    d.getDate() - weekday + 3);
  const year = thursday.getFullYear();
  const jan1 = new Date(year, 0, 1);
  const index = Math.round((thursday.getTime() - jan1.getTime()) / DAY_MS);
  const week = 1 + Math.floor(index / 7);
  return `${year}-W${two(week)}`;
}

/** @param {string} week @returns {string} the Monday of an ISO week */
export function mondayOf(week) {
  const [year, w] = week.split("-W").map(Number);
  const jan4 = new Date(year, 0, 4);
  const weekday = (jan4.getDay() + 6) % 7;
  const monday = new Date(year, 0, 4 - weekday + (w - 1) * 7);
  return isoDate(monday);
}

/** @param {string} week @returns {string[]} Monday to Sunday */
export function daysOf(week) {
  const monday = mondayOf(week);
  return [0, 1, 2, 3, 4, 5, 6].map((n) => addDays(monday, n));
}

/** @param {string} week @param {number} n */
export function addWeeks(week, n) {
  return weekOf(addDays(mondayOf(week), 7 * n));
}

/** 49 for "2026-W49"; 0 when there is no week to read (an odd record
 * must not break the screen that shows it). @param {string} week */
export function weekNumber(week) {
  return typeof week === "string" ? Number(week.split("-W")[1]) || 0 : 0;
}

/**
 * Now as ISO 8601 with the device's offset: "2026-12-04T09:15:02.120+01:00".
 * @param {Date} [at]
 */
export function nowWithOffset(at = new Date()) {
  const offset = -at.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const abs = Math.abs(offset);
  const ms = String(at.getMilliseconds()).padStart(3, "0");
  return `${isoDate(at)}T${two(at.getHours())}:${two(at.getMinutes())}:`
    + `${two(at.getSeconds())}.${ms}`
    + `${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

export function timeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Hours typed by a person: "1:30", "1.5", "1,5", "1h30", "90min", "2".
 * @param {string} text
 * @returns {number | null} whole minutes, or null when not understood
 */
export function parseHours(text) {
  const t = text.trim().toLowerCase().replace(/\s+/g, "");
  if (!t) return null;
  let m = /^(\d{1,2})[:h](\d{1,2})?(?:m|min)?$/.exec(t);
  if (m) {
    const minutes = m[2] ? Number(m[2]) : 0;
    if (minutes >= 60) return null;
    return Number(m[1]) * 60 + minutes;
  }
  m = /^(\d+)(?:m|min)$/.exec(t);
  if (m) return Number(m[1]);
  m = /^(\d{0,2}(?:[.,]\d+)?)h?$/.exec(t);
  if (m && m[1] && m[1] !== "." && m[1] !== ",") {
    return Math.round(Number(m[1].replace(",", ".")) * 60);
  }
  return null;
}

/** @param {number} minutes @returns {string} "1:30" */
export function hoursText(minutes) {
  return `${Math.floor(minutes / 60)}:${two(minutes % 60)}`;
}
