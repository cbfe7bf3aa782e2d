// @ts-check
/**
 * The office's screens (planning, calendars, exports...) live in
 * src/office/ and come from the server the first time their route opens.
 * They need the server anyway, so they stay out of the first load and of
 * the service worker's cache, and the phone in the field does not carry
 * them. Their words come with them (src/office/words/).
 *
 * Offline, a screen not loaded yet says plainly that it needs a
 * connection; once the phone is back online the app redraws and the
 * screen loads. A screen loaded once stays for as long as the app is open.
 */

import { html } from "./html.js";
import { t, loadOfficeWords } from "./i18n.js";
import { icon } from "./icons.js";
import { go } from "./ui.js";
import { backLink } from "./views/parts.js";

/** The modules of src/office/ imported so far, by name. @type {Map<string, any>} */
const imported = new Map();
/** The names whose module and words are both in. */
const ready = new Set();
/** Loads under way, by name. @type {Set<string>} */
const loading = new Set();
/** Names whose last load failed although the phone said it was online. */
const failed = new Set();
/** A failure online is tried again by itself this many times, this long
 * apart: the browser says "online" a moment before its network works. */
const AUTO_TRIES = 3;
const RETRY_MS = 1500;
/** Failures in a row, by name. @type {Map<string, number>} */
const failures = new Map();
/** Each try of a name gets its own address: a browser may keep the
 * failure of a module's first fetch and answer every import of the same
 * address with it. @type {Map<string, number>} */
const tries = new Map();

// Back online: what failed for want of a network is tried again at the
// redraw that follows (app.js redraws on "online" too, after this).
window.addEventListener("online", () => {
  failed.clear();
  failures.clear();
});

/** @param {string} name */
function importOnce(name) {
  const known = imported.get(name);
  if (known) return Promise.resolve(known);
  const attempt = (tries.get(name) ?? 0) + 1;
  tries.set(name, attempt);
  const address = attempt === 1 ? `./office/${name}.js`
    : `./office/${name}.js?try=${attempt}`;
  return import(address).then((module) => {
    imported.set(name, module);
    return module;
  });
}

/**
 * The module `src/office/<name>.js` and the office's words, then a redraw
 * of the route that asked for them, if it is still the one shown.
 * @param {string} name
 */
function load(name) {
  const hash = location.hash;
  loading.add(name);
  Promise.all([importOnce(name), loadOfficeWords()])
    .then(() => {
      ready.add(name);
      failed.delete(name);
      failures.delete(name);
    }, (exc) => {
      console.warn("office screen not loaded", name, exc);
      failed.add(name);
      const count = (failures.get(name) ?? 0) + 1;
      failures.set(name, count);
      if (count < AUTO_TRIES) {
        setTimeout(() => {
          failed.delete(name);
          if (location.hash === hash) go(hash);
        }, RETRY_MS * count);
      }
    })
    .finally(() => {
      loading.delete(name);
      if (location.hash === hash) go(hash);
    });
}

/**
 * The screen `make` builds from the module `src/office/<name>.js`, or,
 * until it is there, a screen that waits for it or says why it cannot.
 * @param {string} name
 * @param {(module: any) => import("./app.js").Screen} make
 * @returns {import("./app.js").Screen}
 */
export function officeScreen(name, make) {
  if (ready.has(name)) return make(imported.get(name));
  const offline = !navigator.onLine;
  if (!offline && !loading.has(name) && !failed.has(name)) load(name);
  // Tries left: the screen waits for them before it speaks of a failure.
  const givenUp = failed.has(name) && (failures.get(name) ?? 0) >= AUTO_TRIES;
  if (!offline && !givenUp) {
    return { title: "", nav: "me", content: html`<p class="muted"
      id="office-loading" role="status" aria-busy="true">${
      t("office.loading")}</p>` };
  }
  return {
    title: t("office.title"), nav: "me",
    content: html`${backLink("#/me", t("me.title"))}
      <p class="notice warn" id="office-offline">${icon("offline")}${
        t(offline ? "office.offline" : "office.failed")}</p>
      ${offline ? "" : html`<button type="button" class="button secondary"
        data-action="office-retry">${icon("undo")}${t("office.retry")}</button>`}`,
    actions: {
      "office-retry": () => {
        failed.delete(name);
        failures.delete(name);
        go(location.hash);
      },
    },
  };
}
