// @ts-check
/** Sign in, with the language switch in sight. */

import { html } from "../html.js";
import { t } from "../i18n.js";
import { icon } from "../icons.js";
import { ApiError, NetworkError, api } from "../api.js";
import { OwnerPending, adopt, signIn } from "../session.js";
import { go } from "../ui.js";

/** @type {{error: string, email: string, waiting: any, me: any}} */
const state = { error: "", email: "", waiting: null, me: null };

export function signInScreen() {
  const waiting = state.waiting;
  const content = html`
    <div class="signin">
      <p class="brand-big">${icon("list")}Affaires</p>
      <h2 class="title">${t("signin.title")}</h2>
      ${waiting ? html`<div class="notice warn" role="alert">
        <p>${icon("warn")}${t("signin.owner_pending", { count: waiting.count,
          name: waiting.owner })}</p>
        <button type="button" class="button big danger"
          data-action="discard">${t("signin.discard")}</button>
        <button type="button" class="button big secondary"
          data-action="cancel">${t("signin.cancel")}</button>
      </div>` : html`
      <form class="stack" data-submit="signin" novalidate>
        <label for="email">${t("signin.email")}</label>
        <input id="email" name="email" type="email" autocomplete="username"
          inputmode="email" autocapitalize="off" spellcheck="false" required
          value="${state.email}">
        <label for="password">${t("signin.password")}</label>
        <input id="password" name="password" type="password"
          autocomplete="current-password" required>
        ${state.error ? html`<p class="error" role="alert">${icon("warn")}${
          state.error}</p>` : ""}
        <button class="button big primary" type="submit">${
          t("signin.submit")}</button>
      </form>`}
      ${navigator.onLine ? "" : html`<p class="notice">${icon("offline")}${
        t("signin.offline")}</p>`}
    </div>`;
  return {
    title: t("signin.title"), nav: "", content,
    submits: {
      /** @param {HTMLFormElement} form */
      signin: async (form) => {
        const data = new FormData(form);
        state.email = String(data.get("email") || "").trim();
        const password = String(data.get("password") || "");
        state.error = "";
        if (!state.email || !password) {
          state.error = t("signin.missing");
          return void go(location.hash);
        }
        try {
          await signIn(state.email, password);
          state.email = "";
        } catch (exc) {
          if (exc instanceof OwnerPending) {
            state.waiting = exc;
          } else if (exc instanceof ApiError && exc.status === 401) {
            state.error = t("signin.bad");
          } else if (exc instanceof NetworkError) {
            state.error = t("signin.offline");
          } else {
            state.error = exc instanceof ApiError ? exc.message : String(exc);
          }
          go(location.hash);
        }
      },
    },
    actions: {
      discard: async () => {
        state.waiting = null;
        const me = await api("/api/auth/me");
        await adopt(me, { discard: true, fromServer: true });
      },
      cancel: async () => {
        state.waiting = null;
        await api("/api/auth/logout", {}).catch(() => {});
        go(location.hash);
      },
    },
  };
}
