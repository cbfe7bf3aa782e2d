// @ts-check
/** One visit: what to do, where, the checklist, time, notes, next step. */

import { html } from "../html.js";
import {
  t, formatDay, formatTime, formatDuration, pickLabel,
} from "../i18n.js";
import { icon } from "../icons.js";
import { isoDate } from "../dates.js";
import { uuid7 } from "../ids.js";
import {
  order, find, notesOf, runsOf, progress, entriesOfOrder, userName,
  setOrderStatus, addNote,
} from "../model.js";
import { go, toast } from "../ui.js";
import { backLink, orderChip, pendingMark } from "./parts.js";
import { timeWindow } from "./orders.js";
import { voucherSection, redeemVoucher } from "./vouchers.js";
import { partsSection, partsHandlers } from "./order_parts.js";

/** The technician's next step from each status. */
const NEXT_STEP = {
  planned: { to: "in_progress", label: "order.start", primary: true },
  in_progress: { to: "done", label: "order.finish", primary: true },
  done: { to: "in_progress", label: "order.reopen", primary: false },
};

/** @param {Record<string, any> | undefined} site */
function address(site) {
  if (!site) return "";
  return [site.address, [site.postcode, site.town].filter(Boolean).join(" ")]
    .filter(Boolean).join(", ");
}

/** @param {Record<string, any>} o */
export function whereSection(o) {
  const customer = find("customer", o.customer_id);
  const site = find("site", o.site_id);
  const place = address(site);
  const phone = site?.contact_phone || customer?.phone;
  const maps = place ? `geo:0,0?q=${encodeURIComponent(place)}` : "";
  return html`<section class="panel" aria-labelledby="where">
    <h2 id="where">${t("order.where")}</h2>
    <p class="strong">${customer?.name ?? ""}</p>
    ${place ? html`<p>${place}</p>
      <a class="button secondary" href="${maps}">${icon("pin")}${
        t("order.maps")}</a>` : ""}
    ${site?.contact_name ? html`<p>${t("order.contact",
      { name: site.contact_name })}</p>` : ""}
    ${phone ? html`<a class="button secondary" href="tel:${
      phone.replace(/[^+\d]/g, "")}">${icon("phone")}${
      t("order.call", { phone })}</a>` : ""}
  </section>`;
}

/** @param {Record<string, any>} o */
export function checklistSection(o) {
  const runs = runsOf(o.id);
  if (!runs.length) return "";
  return html`<section class="panel" aria-labelledby="checklists">
    <h2 id="checklists">${t("order.checklist")}</h2>
    <ul class="cards">${runs.map((r) => {
      const p = progress(r);
      const template = find("checklist_template", r.template_id);
      return html`<li><a class="card" href="#/checklist/${r.id}">
        <span class="card-title">${icon("list")}${pickLabel(
          template?.name ?? "")}</span>
        <span class="card-sub">${t("checklist.progress",
          { answered: p.answered, total: p.total })}</span>
        <progress max="${p.total}" value="${p.answered}"
          aria-hidden="true"></progress>
      </a></li>`;
    })}</ul>
  </section>`;
}

/** @param {Record<string, any>} o */
function timeSection(o) {
  const entries = entriesOfOrder(o.id)
    .sort((a, b) => String(a.work_date).localeCompare(String(b.work_date)));
  const total = entries.reduce((sum, e) => sum + e.minutes, 0);
  return html`<section class="panel" aria-labelledby="visit-time">
    <h2 id="visit-time">${t("order.time",
      { total: formatDuration(total) })}</h2>
    <ul class="plain">${entries.map((e) => html`<li>
      <a href="#/entry/${e.id}?from=order/${o.id}">${formatDay(e.work_date,
        { weekday: "short", day: "numeric", month: "short" })} · ${
        formatDuration(e.minutes)} · ${userName(e.user_id)}</a>${
        pendingMark(e.pending)}</li>`)}</ul>
    <a class="button secondary" href="#/entry/new?order=${o.id}&day=${
      isoDate(new Date())}&from=order/${o.id}">${icon("plus")}${t("order.add_time")}</a>
  </section>`;
}

/** The last note sent was blank: say so under the field until it is
 * typed in again or the screen is left. */
let noteBlank = false;

/** @param {Record<string, any>} o */
function notesSection(o) {
  const notes = notesOf(o.id);
  return html`<section class="panel" aria-labelledby="notes">
    <h2 id="notes">${t("order.notes")}</h2>
    ${notes.length ? html`<ul class="notes">${notes.map((n) => html`<li>
      <p class="note-text">${n.text}</p>
      <p class="card-meta">${userName(n.author_id)} · ${
        n.written_at ? formatTime(n.written_at, { day: "numeric",
          month: "short", hour: "2-digit", minute: "2-digit" }) : ""}${
        pendingMark(n.pending)}</p></li>`)}</ul>`
      : html`<p class="muted">${t("order.no_notes")}</p>`}
    <form data-submit="note" class="stack" novalidate>
      <label for="note-text">${t("order.new_note")}</label>
      <textarea id="note-text" name="text" rows="3" required
        maxlength="5000" data-input="note-typed" ${noteBlank
          ? html`aria-invalid="true" aria-describedby="note-error"` : ""}
        ></textarea>
      ${noteBlank ? html`<p id="note-error" class="error" role="alert">${
        icon("warn")}${t("order.note_blank")}</p>` : ""}
      <button class="button secondary" type="submit">${icon("plus")}${
        t("order.add_note")}</button>
    </form>
  </section>`;
}

/** @param {{id: string}} params */
export function orderScreen(params) {
  const o = order(params.id);
  if (!o) {
    return { title: t("order.title"), nav: "orders",
      content: html`${backLink("#/orders", t("orders.title"))}
        <p class="empty">${t("order.missing")}</p>` };
  }
  const step = NEXT_STEP[/** @type {keyof NEXT_STEP} */ (o.status)];
  const date = o.scheduled_start
    ? formatDay(isoDate(new Date(o.scheduled_start))) : "";
  const day = date.charAt(0).toUpperCase() + date.slice(1);
  const content = html`
    ${backLink("#/orders", t("orders.title"))}
    <div class="order-head">
      <p class="head-meta"><span class="card-meta">${o.number}</span>${
        orderChip(o.status)}${pendingMark(o.pending)}</p>
      <h2 class="title">${o.title}</h2>
      <p class="when-line">${icon("clock")}<span>${day} · ${
        timeWindow(o)}</span></p>
    </div>
    ${whereSection(o)}
    <section class="panel" aria-labelledby="todo">
      <h2 id="todo">${t("order.todo")}</h2>
      <p class="prose">${o.description || t("order.no_description")}</p>
    </section>
    ${checklistSection(o)}
    ${partsSection(o, !["closed", "cancelled"].includes(o.status))}
    ${timeSection(o)}
    ${notesSection(o)}
    ${voucherSection(o)}
    <div class="actionbar">${step ? html`<button type="button"
      class="button big ${step.primary ? "primary" : "secondary"}"
      data-action="step" data-to="${step.to}">${t(step.label)}</button>`
      : html`<p class="locked">${icon("lock")}${t("order.locked")}</p>`}
    </div>`;
  const parts = partsHandlers(o);

  return {
    title: t("order.title"), nav: "orders", content,
    leave: () => {
      noteBlank = false;
      parts.leave();
    },
    inputs: {
      ...parts.inputs,
      "note-typed": () => {
        if (!noteBlank) return;
        noteBlank = false;
        go(location.hash);
      },
    },
    actions: {
      ...parts.actions,
      /** @param {HTMLElement} el */
      step: async (el) => {
        // Read before saving: the save redraws the button for the next
        // step, and the toast names the step taken.
        const to = String(el.dataset.to);
        await setOrderStatus(o.id, to);
        toast(t(`order.now.${to}`));
      },
    },
    submits: {
      ...parts.submits,
      /** @param {HTMLFormElement} form */
      voucher: (form) => redeemVoucher(o, form),
      /** @param {HTMLFormElement} form */
      note: async (form) => {
        // A note says something: spaces and new lines alone are no note.
        const text = String(new FormData(form).get("text") || "").trim();
        if (!text) {
          noteBlank = true;
          go(location.hash);
          document.getElementById("note-text")?.focus();
          return;
        }
        noteBlank = false;
        await addNote(o.id, uuid7(), text);
        form.reset();
        toast(t("saved.on_phone"));
      },
    },
  };
}
