// @ts-check
/**
 * The app: starts from the device's store before any network call,
 * routes the screens, keeps the sync line and the update banner.
 */

import { html, render } from "./html.js";
import { icon } from "./icons.js";
import {
  t, loadCatalogues, setLanguage, pickLanguage, currentLanguage,
} from "./i18n.js";
import { api, ApiError } from "./api.js";
import { openStore, getMeta, setMeta, onChange } from "./store.js";
import { requestSync, onStatus, status } from "./sync.js";
import {
  adopt, chooseLanguage, refreshMe, sendLanguage, setSessionHooks,
} from "./session.js";
import {
  me, supervises, overseesTeams, myOrders, conflictsToResolve, readsCosts,
  plansWork, order,
} from "./model.js";
import { go, revealField } from "./ui.js";
import { ordersScreen } from "./views/orders.js";
import { orderScreen } from "./views/order.js";
import { repairScreen, intakeScreen } from "./views/repair.js";
import { checklistScreen } from "./views/checklist.js";
import { timeScreen } from "./views/time.js";
import { entryScreen } from "./views/entry.js";
import { gridScreen, myTimeScreen } from "./views/grid.js";
import { approvalsScreen, approvalScreen } from "./views/approvals.js";
import { syncScreen, syncSentence } from "./views/problems.js";
import { meScreen } from "./views/me.js";
import { conflictsScreen } from "./views/conflicts.js";
import { devicesScreen } from "./views/devices.js";
import { signInScreen } from "./views/signin.js";
import { officeScreen } from "./office.js";

/**
 * @typedef {(el: any, event: Event) => unknown} Handler
 * @typedef {{title: string, nav?: string, content: import("./html.js").Html,
 *   actions?: Record<string, Handler>, changes?: Record<string, Handler>,
 *   inputs?: Record<string, Handler>, submits?: Record<string, Handler>,
 *   leave?: () => void}} Screen
 */

/** Routes: a pattern of "#/" paths and the screen it shows. */
const ROUTES = [
  [/^#\/orders$/, () => ordersScreen()],
  [/^#\/order\/([\w-]+)$/, (/** @type {string[]} */ m) =>
    (order(m[1])?.kind === "repair" ? repairScreen : orderScreen)({ id: m[1] })],
  [/^#\/intake$/, () => intakeScreen()],
  [/^#\/checklist\/([\w-]+)$/, (/** @type {string[]} */ m) =>
    checklistScreen({ id: m[1] })],
  [/^#\/time$/, () => myTimeScreen()],
  [/^#\/time(?:\/(\d{4}-W\d{2}))?(?:\/(\d{4}-\d{2}-\d{2}))?$/,
    (/** @type {string[]} */ m) => timeScreen({ week: m[1], day: m[2] })],
  [/^#\/time\/grid(?:\/(\d{4}-W\d{2}))?$/, (/** @type {string[]} */ m) =>
    gridScreen({ week: m[1] })],
  [/^#\/entry\/([\w-]+)$/, (/** @type {string[]} */ m) =>
    entryScreen({ id: m[1] })],
  [/^#\/approvals$/, () => approvalsScreen()],
  [/^#\/approvals\/([\w-]+)\/(\d{4}-W\d{2})$/, (/** @type {string[]} */ m) =>
    approvalScreen({ user: m[1], week: m[2] })],
  [/^#\/sync$/, () => syncScreen()],
  [/^#\/me$/, () => meScreen()],
];

/** Screens of those who look after others: nobody else reaches them (the
 * server would refuse their data anyway). */
const OVERSEEING_ROUTES = [
  [/^#\/conflicts$/, () => conflictsScreen()],
  [/^#\/devices$/, () => devicesScreen()],
];

/** The office's screens, each for the roles the server lets use it;
 * loaded on demand from src/office/ (see office.js). */
const EXPORT_ROUTES = [[/^#\/exports$/, () =>
  officeScreen("exports", (office) => office.exportsScreen())]];
const PLANNING_ROUTES = [
  [/^#\/planning\/available$/, () =>
    officeScreen("planning", (office) => office.availabilityScreen())],
  [/^#\/planning\/actions$/, () =>
    officeScreen("planning", (office) => office.proposalScreen())],
  [/^#\/calendars(?:\/(absences|holidays|weeks|skills))?$/,
    (/** @type {string[]} */ m) => officeScreen("calendars",
      (office) => office.calendarsScreen({ part: m[1] }))],
];

/** The equipment desk, for those who look after machines. */
const EQUIPMENT_ROUTES = [[/^#\/equipment(?:\/([\w-]+))?$/,
  (/** @type {string[]} */ m) => officeScreen("equipment", (office) => m[1]
    ? office.equipmentPageScreen({ id: m[1] }) : office.equipmentListScreen())],
  // Maintenance contracts: supervisors read them, managers and admins write.
  [/^#\/contracts(?:\/([\w-]+))?$/,
    (/** @type {string[]} */ m) => officeScreen("contracts", (office) =>
      m[1] === "new" && plansWork() ? office.newContractScreen()
        : m[1] ? office.contractScreen({ id: m[1] }) : office.contractsScreen())]];

/** @type {Screen | null} */
let screen = null;
let touching = false;
let redrawDue = false;
/** A fresh store asks the server whose session this is before it shows
 * the sign-in form (see `start`). */
let askingWho = false;

/** Redraw after a change of the data, unless a finger is down. */
function redrawSoon() {
  if (touching) {
    redrawDue = true;
    return;
  }
  redrawDue = false;
  draw();
}
let lastRoute = "";

const $ = (/** @type {string} */ id) =>
  /** @type {HTMLElement} */ (document.getElementById(id));

/** Field roles start on their visits; the others on their hours. */
function home() {
  const fieldRoles = ["technician", "supervisor", "manager", "admin"];
  return fieldRoles.includes(me()?.role) || myOrders().length ? "#/orders"
    : "#/time";
}

/** What shows while a fresh store waits for the server's answer. */
const WAITING = { title: "", content: html`` };

function route() {
  const hash = location.hash.split("?")[0];
  if (!me()) return askingWho ? WAITING : signInScreen();
  const routes = [...ROUTES, ...(overseesTeams() ? OVERSEEING_ROUTES : []),
    ...(readsCosts() ? EXPORT_ROUTES : []),
    ...(plansWork() ? PLANNING_ROUTES : []),
    ...(overseesTeams() ? EQUIPMENT_ROUTES : [])];
  for (const [pattern, make] of routes) {
    const found = /** @type {RegExp} */ (pattern).exec(hash);
    if (found) return /** @type {Function} */ (make)(found);
  }
  return null;
}

/** Draw the current screen (and the frame around it). */
function draw() {
  const hash = location.hash.split("?")[0];
  const next = route();
  if (!next) {
    location.replace(home());
    return;
  }
  if (hash !== lastRoute) screen?.leave?.();
  screen = next;
  const main = $("main");
  // Nothing to show yet: no box either, so the first screen appears in
  // one piece (with the sync line and the notice) and nothing moves.
  main.hidden = next === WAITING;
  render(main, next.content);
  document.title = next.title ? `${next.title} · Affaires` : "Affaires";
  $("title").textContent = next.title || "Affaires";
  drawNav(next.nav || "");
  drawLanguage();
  drawSyncLine();
  drawNotice();
  drawUpdate();
  if (hash !== lastRoute) {
    lastRoute = hash;
    window.scrollTo(0, 0);
    // Tell screen-reader users where they are; no scroll jump.
    main.focus({ preventScroll: true });
  }
}

/** @param {string} current */
function drawNav(current) {
  const nav = $("nav");
  nav.hidden = !me();
  if (!me()) return;
  // Conflicts waiting for this person's decision: counted on the tab of
  // the screens where they decide.
  const waiting = overseesTeams() ? conflictsToResolve().length : 0;
  const items = [
    ["orders", "#/orders", "calendar", t("nav.orders"), 0],
    ["time", "#/time", "clock", t("nav.time"), 0],
    ...(supervises() ? [["approvals", "#/approvals", "approve",
      t("nav.approvals"), waiting]] : []),
    ["me", "#/me", "user", t("nav.me"), 0],
  ];
  const tab = (/** @type {any[]} */ [key, href, name, label, count]) => {
    // The count is drawn on the icon and said with the tab's name.
    const said = count ? html`aria-label="${label}, ${t("approvals.conflicts",
      { count })}"` : "";
    const badge = count ? html`<span class="badge" aria-hidden="true">${
      count > 99 ? "99+" : count}</span>` : "";
    return html`<li><a href="${href}" ${said} ${key === current
      ? html`aria-current="page"` : ""}><span class="nav-icon">${
      icon(name)}${badge}</span><span>${label}</span></a></li>`;
  };
  render(nav, html`<ul>${items.map(tab)}</ul>`);
  nav.setAttribute("aria-label", t("nav.label"));
}

function drawLanguage() {
  const other = currentLanguage() === "fr" ? "en" : "fr";
  const button = $("language");
  button.textContent = other.toUpperCase();
  button.setAttribute("aria-label", t(`language.switch_${other}`));
  button.setAttribute("lang", other);
}

function drawSyncLine() {
  // For people who script the app (and its tests): what the outbox holds.
  document.body.dataset.seq = String(getMeta("next_seq") ?? "");
  document.body.dataset.sync = status.state;
  document.body.dataset.syncError = status.lastError;
  document.body.dataset.live = String(status.live);
  document.body.dataset.pokes = String(status.pokes);
  const line = $("sync-line");
  line.hidden = !me();
  if (!me()) return;
  const said = syncSentence(status.state);
  line.className = `sync-line sync-${said.kind}`;
  render(line, html`${icon(/** @type {any} */ (said.icon))}<span>${
    said.text}</span>`);
}

// ---- events: one listener per kind, handlers named by data-* --------

/** @param {string} kind @param {string} attribute */
function delegate(kind, attribute) {
  $("main").addEventListener(kind, (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    const el = /** @type {HTMLElement | null} */ (
      target.closest(`[data-${attribute}]`));
    if (!el || !screen) return;
    const table = /** @type {Record<string, Handler> | undefined} */ (
      /** @type {any} */ (screen)[{ action: "actions", change: "changes",
        input: "inputs", submit: "submits" }[attribute] || ""]);
    const handler = table?.[String(el.dataset[attribute])];
    if (!handler) return;
    if (kind === "submit" || kind === "click") event.preventDefault();
    Promise.resolve(handler(el, event)).catch(report);
  });
}

/** @param {unknown} exc */
function report(exc) {
  console.error(exc);
  const box = $("toast");
  box.textContent = t("error.unexpected");
  box.hidden = false;
}

// ---- service worker and updates ---------------------------------------

let updating = false;
/** A newer worker took control of this page after it loaded (another tab
 * applied an update): the code running here is the old one. */
let replaced = false;
/** A new version waiting for the person's word.
 * @type {ServiceWorkerRegistration | null} */
let waitingUpdate = null;

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  const registration = await navigator.serviceWorker.register("/sw.js",
    { scope: "/" });
  if (!registration) return;
  const watch = (/** @type {ServiceWorker | null} */ worker) => {
    worker?.addEventListener("statechange", () => {
      if (worker.state === "installed") offerUpdate(registration);
    });
  };
  if (registration.waiting) offerUpdate(registration);
  watch(registration.installing);
  registration.addEventListener("updatefound",
    () => watch(registration.installing));
  // None on a first visit: the first install taking control is the
  // version this page runs, not a newer one.
  let controller = navigator.serviceWorker.controller;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    // Only a version the person (or a 426) asked for reloads the page.
    if (updating) location.reload();
    else if (controller) replaced = true;
    controller = navigator.serviceWorker.controller;
  });
}

/** @param {ServiceWorkerRegistration} registration */
function offerUpdate(registration) {
  if (!registration.waiting || !navigator.serviceWorker.controller) return;
  // The server refuses this version (426) and a newer one just arrived,
  // found by the browser or by another tab: take it without waiting for
  // the person or for the next try; the new version sends the outbox.
  if (status.state === "upgrading") return applyUpdate(registration);
  waitingUpdate = registration;
  drawUpdate();
}

/** The update banner, in the current language (redrawn with the screen). */
function drawUpdate() {
  const banner = $("update");
  const registration = waitingUpdate;
  if (!registration) {
    banner.hidden = true;
    return;
  }
  render(banner, html`<p>${t("update.ready")}</p>
    <button type="button" class="button primary" id="update-now">${
      t("update.now")}</button>`);
  banner.hidden = false;
  $("update-now").onclick = () => applyUpdate(registration);
}

/** The outbox lives in IndexedDB: reloading into the new version keeps it.
 * @param {ServiceWorkerRegistration} registration
 * @param {ServiceWorker | null} [worker] the new one, when known: the
 *   registration may name it as waiting a moment after it says so */
function applyUpdate(registration, worker = null) {
  updating = true;
  (registration.waiting || worker)?.postMessage("skip-waiting");
}

/** The server wants a newer app (426): fetch it, then take it. Another
 * tab may have taken it already: then this one only reloads into it. */
async function upgradeForServer() {
  const registration = await navigator.serviceWorker?.getRegistration();
  if (!registration) return;
  await registration.update().catch(() => {});
  if (registration.waiting) return applyUpdate(registration);
  const worker = registration.installing;
  if (!worker) {
    if (replaced) location.reload();
    // Taking over right now (another tab asked): reload once it has.
    else if (registration.active !== navigator.serviceWorker.controller) {
      updating = true;
    }
    return;
  }
  const installed = () => {
    if (worker.state === "installed") applyUpdate(registration, worker);
  };
  worker.addEventListener("statechange", installed);
  // It may have finished installing before anyone listened.
  installed();
}

// ---- start -------------------------------------------------------------

/** How long a fresh store waits for the server before showing sign-in. */
const ASK_WHO_MS = 1500;

/** Shown once when the browser emptied this device's store (case S10);
 * drawn with the screen, so it always speaks the screen's language. */
function drawNotice() {
  const box = $("notice");
  if (getMeta("notice") !== "wiped") {
    box.hidden = true;
    return;
  }
  render(box, html`<p>${icon("warn")}${t("notice.wiped")}</p>
    <button type="button" class="button secondary" id="notice-ok">${
      t("problems.ok")}</button>`);
  box.hidden = false;
  $("notice-ok").onclick = async () => {
    await setMeta({ notice: null });
    drawNotice();
  };
}

async function start() {
  const { fresh } = await openStore();
  await loadCatalogues();
  setLanguage(pickLanguage(getMeta("lang"), me()?.language));

  for (const [kind, attribute] of [["click", "action"], ["change", "change"],
    ["input", "input"], ["submit", "submit"]]) delegate(kind, attribute);
  window.addEventListener("hashchange", draw);
  // A field taking the focus comes out from under a sticky action bar,
  // once the browser has scrolled it the way it knows.
  $("main").addEventListener("focusin", (event) => {
    const field = event.target;
    if (field instanceof HTMLInputElement || field instanceof HTMLSelectElement
      || field instanceof HTMLTextAreaElement) {
      requestAnimationFrame(() => revealField(field));
    }
  });
  onChange(redrawSoon);
  // A finger on the screen: redraws wait until it is lifted, so a tap
  // always lands on the element it started on.
  document.addEventListener("pointerdown", () => {
    touching = true;
  }, true);
  for (const end of ["pointerup", "pointercancel"]) {
    document.addEventListener(end, () => {
      touching = false;
      if (redrawDue) setTimeout(redrawSoon, 0);
    }, true);
  }
  onStatus(() => {
    drawSyncLine();
    // A language chosen offline goes out once the server answers again.
    if (status.state === "idle") void sendLanguage();
  });
  setSessionHooks({
    signedIn: () => go(location.hash && location.hash !== "#/" ? location.hash
      : home()),
    signedOut: draw,
    upgrade: () => void upgradeForServer(),
  });
  // The switch takes effect at once; saving it (on this device, then with
  // the person's account) follows and never holds it back.
  $("language").addEventListener("click", () => {
    const next = currentLanguage() === "fr" ? "en" : "fr";
    setLanguage(next);
    draw();
    chooseLanguage(next).catch(report);
  });
  for (const wake of ["online", "focus"]) {
    window.addEventListener(wake, () => requestSync());
  }
  // Screens that need the server say at once whether it can be reached.
  for (const change of ["online", "offline"]) {
    window.addEventListener(change, redrawSoon);
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") requestSync();
  });
  setInterval(drawSyncLine, 30000);

  // The screen comes from the device's store, before any network call.
  // A fresh store (first start, or emptied by the browser) holds nothing
  // to show: it asks the server whose session this is first, so that a
  // session that still works goes straight to its screen (with the
  // notice, all in one frame, nothing jumps) instead of flashing the
  // sign-in form. A slow answer does not hold the form back for long.
  const known = me();
  askingWho = fresh && !known;
  const showForm = askingWho ? setTimeout(() => {
    askingWho = false;
    draw();
  }, ASK_WHO_MS) : undefined;
  draw();
  registerWorker().catch((exc) => console.warn("no service worker", exc));

  if (known) {
    await adopt(known);
    // What changed since sign-in (a route, an approver named) shows now.
    if (await refreshMe()) redrawSoon();
    return;
  }
  try {
    const current = await api("/api/auth/me");
    if (fresh) await setMeta({ notice: "wiped" });
    clearTimeout(showForm);
    askingWho = false;
    await adopt(current, { fromServer: true });
  } catch (exc) {
    clearTimeout(showForm);
    if (askingWho || !(exc instanceof ApiError)) {
      askingWho = false;
      draw();
    }
  }
}

start().catch(report);

document.getElementById("sync-line")?.addEventListener("click",
  () => go("#/sync"));
