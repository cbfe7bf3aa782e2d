// @ts-check
/** The person: who is signed in, the language, the sync page, sign out. */

import { html } from "../html.js";
import { t } from "../i18n.js";
import { icon } from "../icons.js";
import { NetworkError } from "../api.js";
import { me, supervises } from "../model.js";
import { pendingMutations } from "../store.js";
import { signOut } from "../session.js";
import { toast } from "../ui.js";

export function meScreen() {
  const self = me();
  const content = html`
    <section class="panel" aria-labelledby="me-name">
      <h2 id="me-name">${icon("user")}${self?.name ?? ""}</h2>
      <p>${self?.email ?? ""}</p>
      <p>${t(`role.${self?.role}`)}</p>
    </section>
    <a class="button big secondary" href="#/sync">${icon("sync")}${
      t("sync.title")}</a>
    ${supervises() ? html`<a class="button big secondary" href="#/devices">${
      icon("phone")}${t("devices.title")}</a>` : ""}
    <div class="actionbar">
      <button type="button" class="button big danger" data-action="signout">${
        t("me.signout")}</button>
    </div>`;
  return {
    title: t("me.title"), nav: "me", content,
    actions: {
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
