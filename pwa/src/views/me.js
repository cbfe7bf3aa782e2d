// @ts-check
/** The person: who is signed in, the language, the sync page, the
 * calendar link, the office's screens, sign out. */

import { html } from "../html.js";
import { t } from "../i18n.js";
import { icon } from "../icons.js";
import { api, NetworkError } from "../api.js";
import { me, overseesTeams, readsCosts, plansWork } from "../model.js";
import { getMeta, pendingMutations, setMeta } from "../store.js";
import { signOut } from "../session.js";
import { go, toast } from "../ui.js";

/** Asking for the calendar link: once a start of the app, unless it failed. */
const feed = { asked: false, busy: false, copied: false };

/** The link this device kept for the person signed in, if any.
 * @returns {string} */
function knownFeed() {
  const kept = getMeta("calendar_feed");
  return kept && kept.user_id === me()?.id ? kept.url : "";
}

/** Ask the server for the link (it changes only when renewed, here or
 * by an administrator), keep it on this device, and redraw the screen.
 * @param {boolean} [again] ask even if asked since the app started */
function askFeed(again = false) {
  if ((feed.asked && !again) || feed.busy || !navigator.onLine) return;
  feed.busy = true;
  api("/api/calendar/feed")
    .then(async (answer) => {
      feed.asked = true;
      await setMeta({ calendar_feed: { user_id: me()?.id, url: answer.url } });
    })
    .catch(() => {})
    .finally(() => {
      feed.busy = false;
      if (location.hash === "#/me") go("#/me");
    });
}

/** Put `text` on the clipboard; older browsers copy a selected field.
 * @param {string} text */
async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const field = /** @type {HTMLInputElement | null} */ (
      document.getElementById("calendar-url"));
    field?.select();
    return document.execCommand?.("copy") ?? false;
  }
}

function calendarPanel() {
  const url = knownFeed();
  let body;
  if (url) {
    body = html`
      <label for="calendar-url">${t("calendar.url")}</label>
      <input id="calendar-url" type="text" readonly value="${url}"
        aria-describedby="calendar-how">
      <button type="button" class="button big secondary" id="calendar-copy"
        data-action="copy">${icon(feed.copied ? "check" : "copy")}${
        feed.copied ? t("calendar.copied") : t("calendar.copy")}</button>
      <p class="hint" id="calendar-how">${t("calendar.how")}</p>
      <p class="hint">${t("calendar.private")}</p>
      <button type="button" class="button secondary" id="calendar-renew"
        data-action="renew">${icon("undo")}${t("calendar.renew")}</button>`;
  } else if (!navigator.onLine) {
    body = html`<p class="notice warn">${icon("offline")}${
      t("calendar.offline")}</p>`;
  } else {
    body = html`<p class="muted">${t("calendar.loading")}</p>`;
  }
  return html`<section class="panel calendar-link"
    aria-labelledby="calendar-title">
    <h2 id="calendar-title">${icon("calendar")}${t("calendar.title")}</h2>
    <p>${t("calendar.intro")}</p>
    ${body}
  </section>`;
}

/** Links to the office's screens, for the roles that may use them. */
function deskLinks() {
  const links = [
    ...(plansWork() ? [
      html`<a class="button big secondary" href="#/planning/available">${
        icon("user")}${t("planning.available_title_screen")}</a>`,
      html`<a class="button big secondary" href="#/planning/actions">${
        icon("calendar")}${t("planning.actions_title")}</a>`,
      html`<a class="button big secondary" href="#/calendars">${
        icon("clock")}${t("calendars.title")}</a>`] : []),
    ...(readsCosts() ? [html`<a class="button big secondary"
      href="#/exports">${icon("forward")}${t("exports.link")}</a>`] : []),
    ...(overseesTeams() ? [html`<a class="button big secondary"
      href="#/equipment" id="equipment-link">${icon("list")}${
      t("equipment.link")}</a>`, html`<a class="button big secondary"
      href="#/contracts" id="contracts-link">${icon("calendar")}${
      t("contracts.link")}</a>`] : []),
  ];
  if (!links.length) return "";
  return html`<section class="desk-links" aria-labelledby="desk-title">
    <h2 id="desk-title">${t("desk.title")}</h2>${links}</section>`;
}

export function meScreen() {
  const self = me();
  askFeed();
  const content = html`
    <section class="panel" aria-labelledby="me-name">
      <h2 id="me-name">${icon("user")}${self?.name ?? ""}</h2>
      <p>${self?.email ?? ""}</p>
      <p>${t(`role.${self?.role}`)}</p>
    </section>
    <a class="button big secondary" href="#/sync">${icon("sync")}${
      t("sync.title")}</a>
    ${overseesTeams() ? html`<a class="button big secondary" href="#/devices">${
      icon("phone")}${t("devices.title")}</a>` : ""}
    ${deskLinks()}
    ${calendarPanel()}
    <div class="actionbar">
      <button type="button" class="button big danger" data-action="signout">${
        t("me.signout")}</button>
    </div>`;
  return {
    title: t("me.title"), nav: "me", content,
    actions: {
      copy: async () => {
        const copied = await copy(knownFeed());
        toast(copied ? t("calendar.copied_toast") : t("calendar.copy_failed"));
        feed.copied = copied;
        go("#/me");
        setTimeout(() => {
          feed.copied = false;
          if (location.hash === "#/me") go("#/me");
        }, 3000);
      },
      renew: async () => {
        if (!confirm(t("calendar.renew_confirm"))) return;
        try {
          await api(`/api/calendar/${me()?.id}/renew`, {});
        } catch (exc) {
          if (!(exc instanceof NetworkError)) throw exc;
          return toast(t("calendar.renew_offline"));
        }
        await setMeta({ calendar_feed: null });
        askFeed(true);
        toast(t("calendar.renewed"));
      },
      signout: async () => {
        const waiting = pendingMutations().length;
        if (waiting && !confirm(t("me.signout_pending", { count: waiting }))) {
          return;
        }
        try {
          await signOut();
        } catch (exc) {
          if (exc instanceof NetworkError) toast(t("me.signout_offline"));
          else throw exc;
        }
      },
    },
  };
}
