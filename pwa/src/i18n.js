// @ts-check
/**
 * French and English: the catalogue, plural forms and Intl formats.
 *
 * The language is, in order: the one chosen on this device, the user's
 * setting on the server, the browser's first known language, English.
 */

import { parseDate, weekNumber, daysOf } from "./dates.js";

export const LANGUAGES = ["en", "fr"];

/** @type {Record<string, Record<string, string>>} */
const catalogues = {};
let language = "en";
/** @type {Intl.PluralRules} */
let plurals = new Intl.PluralRules("en");

/**
 * Intl formatters are slow to make and quick to use: each one is made
 * once per locale and options, then kept (a screen formats dozens of days
 * and numbers on every redraw).
 * @type {Map<string, any>}
 */
const formatters = new Map();

/**
 * @template T
 * @param {new (locale: string, options?: any) => T} Kind
 * @param {object} [options]
 * @returns {T}
 */
function formatter(Kind, options) {
  const key = `${Kind.name}|${locale()}|${JSON.stringify(options ?? {})}`;
  let made = formatters.get(key);
  if (!made) {
    made = new Kind(locale(), options);
    formatters.set(key, made);
  }
  return made;
}

/**
 * @param {string | null | undefined} chosen
 * @param {string | null | undefined} setting
 */
export function pickLanguage(chosen, setting) {
  for (const candidate of [chosen, setting, ...navigator.languages]) {
    const tag = (candidate || "").slice(0, 2).toLowerCase();
    if (LANGUAGES.includes(tag)) return tag;
  }
  return "en";
}

/** Load the catalogues (from the service worker's cache when offline). */
export async function loadCatalogues() {
  await Promise.all(LANGUAGES.map(async (lang) => {
    if (catalogues[lang]) return;
    const response = await fetch(`/i18n/${lang}.json`);
    catalogues[lang] = await response.json();
  }));
}

/** @type {Promise<void> | null} */
let officeWords = null;

/**
 * The words of the office's screens (src/office/words/), loaded with them
 * from the server and added to the catalogues; asked again after a
 * failure. They stay out of the first load, as the screens do.
 */
export function loadOfficeWords() {
  officeWords ??= Promise.all(LANGUAGES.map(async (lang) => {
    const response = await fetch(`/src/office/words/${lang}.json`);
    if (!response.ok) throw new Error(`office words: ${response.status}`);
    catalogues[lang] = { ...catalogues[lang], ...await response.json() };
  })).then(() => {}, (exc) => {
    officeWords = null;
    throw exc;
  });
  return officeWords;
}

/** @param {string} lang */
export function setLanguage(lang) {
  language = LANGUAGES.includes(lang) ? lang : "en";
  plurals = new Intl.PluralRules(locale());
  document.documentElement.lang = language;
}

export function currentLanguage() {
  return language;
}

/** The locale for Intl: the browser's own variant when it is ours. */
export function locale() {
  const browser = navigator.languages.find((tag) => tag.startsWith(language));
  if (browser && browser.includes("-")) return browser;
  return language === "fr" ? "fr-FR" : "en-GB";
}

/**
 * The text for `key`, with `{name}` fields filled in. With a numeric
 * `count` field, `key.one` / `key.other` are tried first.
 * @param {string} key
 * @param {Record<string, unknown>} [fields]
 */
export function t(key, fields = {}) {
  const own = catalogues[language] || {};
  const fallback = catalogues.en || {};
  let template;
  if (typeof fields.count === "number") {
    const form = `${key}.${plurals.select(fields.count)}`;
    template = own[form] ?? own[`${key}.other`] ?? fallback[form]
      ?? fallback[`${key}.other`];
  }
  template = template ?? own[key] ?? fallback[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name) =>
    name in fields ? String(fields[name]) : whole);
}

/** Does the catalogue know `key`? */
export function has(/** @type {string} */ key) {
  return key in (catalogues[language] || {}) || key in (catalogues.en || {});
}

/** A label that is one text or one per language. @param {unknown} label */
export function pickLabel(label) {
  if (label && typeof label === "object") {
    const texts = /** @type {Record<string, string>} */ (label);
    return texts[language] ?? texts.en ?? Object.values(texts)[0] ?? "";
  }
  return String(label ?? "");
}

/** @param {string} day @param {Intl.DateTimeFormatOptions} options */
export function formatDay(day, options = { weekday: "long", day: "numeric",
  month: "long" }) {
  return formatter(Intl.DateTimeFormat, options).format(parseDate(day));
}

/** @param {string | Date} instant @param {Intl.DateTimeFormatOptions} [o] */
export function formatTime(instant,
  o = { hour: "2-digit", minute: "2-digit" }) {
  const d = typeof instant === "string" ? new Date(instant) : instant;
  return formatter(Intl.DateTimeFormat, o).format(d);
}

/** @param {number} value @param {Intl.NumberFormatOptions} [options] */
export function formatNumber(value, options) {
  return formatter(Intl.NumberFormat, options).format(value);
}

/** Minutes as hours and minutes: "7 h 30". @param {number} minutes */
export function formatDuration(minutes) {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (m === 0) return t("duration.hours", { h: formatNumber(h) });
  return t("duration.hm", { h: formatNumber(h),
    m: String(m).padStart(2, "0") });
}

/** "30 Nov – 6 Dec". @param {string} week */
export function weekRange(week) {
  const days = daysOf(week);
  const range = formatter(Intl.DateTimeFormat, { day: "numeric",
    month: "short" });
  return range.formatRange(parseDate(days[0]), parseDate(days[6]));
}

/** "Week 49 · 30 Nov – 6 Dec". @param {string} week */
export function formatWeek(week) {
  return t("week.label", { n: weekNumber(week), range: weekRange(week) });
}

/** A relative "2 min ago". @param {number} ms since then */
export function formatAgo(ms) {
  const rtf = formatter(Intl.RelativeTimeFormat, { numeric: "auto" });
  const minutes = Math.round(ms / 60000);
  if (minutes < 1) return t("time.just_now");
  if (minutes < 60) return rtf.format(-minutes, "minute");
  const hours = Math.round(minutes / 60);
  if (hours < 24) return rtf.format(-hours, "hour");
  return rtf.format(-Math.round(hours / 24), "day");
}
