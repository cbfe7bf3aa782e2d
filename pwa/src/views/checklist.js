// @ts-check
/**
 * Answering a checklist: one item per row, each answer saved on this
 * device the moment it is given (no Save button). Each item takes photos
 * from the camera; they show at once and wait on the phone to be sent.
 * An item with a condition shows only while the item it names holds the
 * answer asked for; a signature is drawn in a box and kept as a picture.
 */

import { html } from "../html.js";
import { t, pickLabel, formatNumber, has } from "../i18n.js";
import { icon } from "../icons.js";
import {
  run, find, answers, progress, answer, photosOf, attachPhoto, order,
  refusedAnswers, shownItems,
} from "../model.js";
import { preparePhoto, photoUrl, sha256Of } from "../photos.js";
import { go, toast } from "../ui.js";
import {
  PAD_SIZE, clearPad, drawnOn, forgetStrokes, signatureImage, signaturePad,
} from "../signature.js";
import { backLink, pendingMark } from "./parts.js";
import { explain } from "./problems.js";

/** A visit in these states takes no more answers (the server's rule). */
const CLOSED_ORDER = ["closed", "cancelled"];

/**
 * Readings being typed, by item key, until they are saved: the screen is
 * redrawn from them, so a sync in the background keeps the warning of an
 * out-of-bounds reading on screen while the person is still typing it.
 * @type {Map<string, string>}
 */
const typing = new Map();

/** "1,6" or "1.6" -> 1.6; "" -> null; anything else -> NaN. */
export function parseReading(/** @type {string} */ text) {
  const clean = text.trim().replace(/\s/g, "").replace(",", ".");
  if (!clean) return null;
  return /^[-+]?\d*\.?\d+$/.test(clean) ? Number(clean) : NaN;
}

/** @param {Record<string, any>} item @param {number | null} value */
export function outOfBounds(item, value) {
  if (value === null || Number.isNaN(value)) return false;
  return (item.min != null && value < item.min)
    || (item.max != null && value > item.max);
}

/** Why a reading is flagged, in words: which bound it passes.
 * @param {Record<string, any>} item @param {number} reading */
function flagText(item, reading) {
  if (Number.isNaN(reading)) return t("checklist.not_a_number");
  const said = { value: formatNumber(reading), min: formatNumber(item.min),
    max: formatNumber(item.max), unit: item.unit ? ` ${item.unit}` : "" };
  return t(item.min != null && reading < item.min ? "checklist.below_min"
    : "checklist.above_max", said);
}

/** Items whose saved signature is being drawn again. @type {Set<string>} */
const resigning = new Set();

/** @param {Record<string, any>} item @param {unknown} value
 * @param {boolean} locked @param {string} label */
function signature(item, value, locked, label) {
  const id = `item-${item.key}`;
  if (typeof value === "string" && !resigning.has(item.key)) {
    return html`<img class="signature" src="${photoUrl(value)}" width="${
      PAD_SIZE.width}" height="${PAD_SIZE.height}" alt="${t("checklist.signature_alt",
      { item: label })}">${locked ? "" : html`<button type="button"
      class="button secondary" data-action="sign-again" data-key="${
      item.key}">${t("checklist.sign_again")}</button>`}`;
  }
  if (locked) return "";
  return html`${signaturePad(item.key, `${id}-label`, `${id}-hint`)}
    <p id="${id}-hint" class="hint">${t("checklist.sign_here")}</p>
    <div class="toggles"><button type="button" class="button secondary"
      data-action="sign-clear" data-key="${item.key}">${
      t("checklist.sign_clear")}</button><button type="button" class="button"
      data-action="sign-save" data-key="${item.key}">${
      t("checklist.sign_save")}</button></div>`;
}

/** @param {string} choice */
function choiceLabel(choice) {
  return has(`choice.${choice}`) ? t(`choice.${choice}`) : choice;
}

/** @param {Record<string, any>} item */
function bounds(item) {
  const unit = item.unit ? ` ${item.unit}` : "";
  if (item.min != null && item.max != null) {
    return t("checklist.between", { min: formatNumber(item.min),
      max: formatNumber(item.max), unit });
  }
  if (item.min != null) return t("checklist.at_least",
    { min: formatNumber(item.min), unit });
  if (item.max != null) return t("checklist.at_most",
    { max: formatNumber(item.max), unit });
  return "";
}

/** @param {Record<string, any>} item @param {Record<string, any> | undefined} a
 * @param {boolean} locked @param {string} label */
function control(item, a, locked, label) {
  const id = `item-${item.key}`;
  const value = a?.value ?? null;
  const off = locked ? html` disabled` : "";
  if (item.kind === "yes_no") {
    return html`<div class="toggles" role="group" aria-labelledby="${id}-label">
      ${[true, false].map((v) => html`<button type="button"
        class="toggle ${value === v ? "on" : ""}" aria-pressed="${
        value === v ? "true" : "false"}" data-action="answer"
        data-key="${item.key}" data-value="${v ? "yes" : "no"}"${off}>${
        icon(v ? "check" : "cross")}${t(v ? "checklist.yes" : "checklist.no")
        }</button>`)}</div>
      ${item.quality && value === false ? html`<p class="flag">${
        icon("warn")}${t("checklist.quality_failed")}</p>` : ""}`;
  }
  // A photo item is answered by its photos (below every item).
  if (item.kind === "photo") return "";
  if (item.kind === "signature") return signature(item, value, locked, label);
  if (item.kind === "choice") {
    return html`<div class="toggles wrap" role="group"
      aria-labelledby="${id}-label">${(item.choices ?? []).map(
      (/** @type {string} */ c) => html`<button type="button"
        class="toggle ${value === c ? "on" : ""}" aria-pressed="${
        value === c ? "true" : "false"}" data-action="answer"
        data-key="${item.key}" data-value="${c}"${off}>${
        value === c ? icon("check") : ""}${choiceLabel(c)}</button>`)}</div>`;
  }
  if (item.kind === "number") {
    const typed = typing.get(item.key);
    const reading = typed === undefined
      ? (typeof value === "number" ? value : null) : parseReading(typed);
    const flagged = Number.isNaN(reading) || outOfBounds(item, reading);
    const shown = typed ?? (typeof value === "number" ? formatNumber(value,
      { maximumFractionDigits: 6, useGrouping: false }) : "");
    return html`<div class="reading">
      <input id="${id}" type="text" inputmode="decimal" autocomplete="off"
        value="${shown}" data-drawn-value data-change="reading"
        data-input="reading-check"
        data-key="${item.key}" aria-describedby="${id}-bounds ${id}-flag"
        class="${flagged ? "flagged" : ""}"${off}>
      ${item.unit ? html`<span class="unit">${item.unit}</span>` : ""}
    </div>
    <p id="${id}-bounds" class="hint">${bounds(item)}</p>
    <p id="${id}-flag" class="flag" ${flagged ? "" : "hidden"}>${icon("warn")}<span>${
      flagged ? flagText(item, /** @type {number} */ (reading)) : ""}</span></p>`;
  }
  return html`<textarea id="${id}" rows="2" maxlength="2000"
    data-change="text" data-key="${item.key}"${off}>${
    typeof value === "string" ? value : ""}</textarea>`;
}

/**
 * The photos of an item and, while the checklist is open, the control
 * that takes another (the camera on a phone, files elsewhere).
 * @param {Record<string, any>} runRow @param {Record<string, any>} item
 * @param {string} label @param {boolean} locked
 */
function photos(runRow, item, label, locked) {
  const taken = photosOf(runRow.id, item.key);
  // A signature is its own picture.
  if (item.kind === "signature" || (locked && !taken.length)) return "";
  return html`<div class="photos">
    ${taken.map((p, i) => html`<figure class="thumb${
      p.pending ? " pending" : ""}">
      <img src="${photoUrl(p.sha256)}" width="80" height="80" alt="${
        t("checklist.photo_alt", { n: i + 1, item: label })}">
      ${p.pending ? html`<figcaption>${icon("cloud")}<span
        class="visually-hidden">${t("pending.mark")}</span></figcaption>`
        : ""}</figure>`)}
    ${locked ? "" : html`<label class="button secondary photo-add">${
      icon("camera")}<span>${t("checklist.add_photo")}</span><input
      type="file" accept="image/*" capture="environment"
      class="visually-hidden" data-change="photo" data-key="${item.key}"
      aria-label="${t("checklist.add_photo_for", { item: label })}"></label>`}
  </div>`;
}

/**
 * An answer of this person that did not take: beside the server's value
 * the item shows, what happened and the value that was not applied.
 * @param {Record<string, any> | undefined} problem
 */
function refusal(problem) {
  if (!problem) return "";
  const words = explain(problem);
  return html`<div class="refused" role="status">
    <p class="strong">${icon("warn")}<span>${words.text}</span></p>
    ${words.value ? html`<p>${words.valueLabel} <span
      class="strong">${words.value}</span></p>` : ""}
    <a href="#/sync">${t("checklist.refused_more")}</a>
  </div>`;
}

/** Why a checklist takes no more answers, or "" while it does.
 * @param {Record<string, any>} runRow */
function lockReason(runRow) {
  if (runRow.status === "signed") return t("checklist.signed");
  const status = order(runRow.service_order_id)?.status;
  return CLOSED_ORDER.includes(status) ? t(`checklist.order_${status}`) : "";
}

/** @param {{id: string}} params */
export function checklistScreen(params) {
  const r = run(params.id);
  const template = r ? find("checklist_template", r.template_id) : undefined;
  if (!r || !template) {
    return { title: t("checklist.title"), nav: "orders",
      content: html`${backLink("#/orders", t("orders.title"))}
        <p class="empty">${t("checklist.missing")}</p>` };
  }
  const given = answers(r.id);
  const refused = refusedAnswers(r.id);
  const p = progress(r);
  const lock = lockReason(r);
  const locked = Boolean(lock);
  /** @type {Record<string, any>[]} */
  const all = template.items ?? [];
  const byKey = new Map(all.map((i) => [i.key, i]));
  // Shown for the answers given so far: an answer redraws the screen, so
  // items come and go as conditions hold.
  const items = shownItems(all, given);

  const content = html`
    ${backLink(`#/order/${r.service_order_id}`, t("order.title"))}
    <h2 class="title">${pickLabel(template.name)}</h2>
    <div class="progress-line" role="status">
      <span>${t("checklist.progress", { answered: p.answered,
        total: p.total })}</span>
      <progress max="${p.total}" value="${p.answered}"
        aria-hidden="true"></progress>
    </div>
    ${locked ? html`<p class="locked">${icon("lock")}${lock}</p>` : ""}
    <ol class="items">${items.map((item) => {
      const a = given.get(item.key);
      const id = `item-${item.key}`;
      const label = pickLabel(item.label);
      return html`<li class="item">
        ${["number", "text"].includes(item.kind)
          ? html`<label id="${id}-label" for="${id}">${label}</label>`
          : html`<p id="${id}-label" class="label">${label}</p>`}
        ${item.required ? html`<span class="required">${t(
          "checklist.required")}</span>` : ""}
        ${control(item, a, locked, label)}
        ${pendingMark(a?.pending)}
        ${refusal(refused.get(item.key))}
        ${photos(r, item, label, locked)}
      </li>`;
    })}</ol>`;

  /** @param {string} key @param {unknown} value */
  const save = (key, value) => answer(r.id, key, value,
    given.get(key)?.note ?? null);

  return {
    title: t("checklist.title"), nav: "orders", content,
    // Readings typed and signatures drawn and never saved do not follow
    // to another checklist.
    leave: () => {
      typing.clear();
      forgetStrokes();
      resigning.clear();
    },
    actions: {
      /** @param {HTMLElement} el */
      answer: (el) => {
        const item = byKey.get(el.dataset.key);
        if (!item) return;
        const raw = String(el.dataset.value);
        const value = item.kind === "yes_no" ? raw === "yes" : raw;
        return save(item.key, value);
      },
      /** @param {HTMLElement} el */
      "sign-clear": (el) => {
        clearPad(String(el.dataset.key));
      },
      /** @param {HTMLElement} el */
      "sign-again": (el) => {
        resigning.add(String(el.dataset.key));
        go(location.hash);
      },
      /** The drawing becomes a picture kept with the answer naming it.
       * @param {HTMLElement} el */
      "sign-save": async (el) => {
        const key = String(el.dataset.key);
        if (!drawnOn(key)) {
          toast(t("checklist.sign_first"));
          return;
        }
        const bytes = await signatureImage(key);
        const sha256 = await sha256Of(bytes);
        forgetStrokes(key);
        resigning.delete(key);
        await answer(r.id, key, sha256, given.get(key)?.note ?? null,
          { sha256, bytes });
      },
    },
    changes: {
      /** @param {HTMLInputElement} el */
      reading: (el) => {
        const value = parseReading(el.value);
        if (Number.isNaN(value)) return;
        typing.delete(String(el.dataset.key));
        const before = given.get(String(el.dataset.key))?.value ?? null;
        if (value === before) return;
        return save(String(el.dataset.key), value);
      },
      /** A photo from the camera: kept on this phone, shown at once.
       * @param {HTMLInputElement} el */
      photo: async (el) => {
        const file = el.files?.[0];
        const key = String(el.dataset.key);
        el.value = "";
        if (!file || !byKey.has(key)) return;
        let photo;
        try {
          photo = await preparePhoto(file);
        } catch {
          toast(t("checklist.photo_unreadable"));
          return;
        }
        await attachPhoto(r.id, key, photo);
        toast(t("checklist.photo_saved"));
      },
      /** @param {HTMLTextAreaElement} el */
      text: (el) => {
        const value = el.value.trim() || null;
        const before = given.get(String(el.dataset.key))?.value ?? null;
        if (value === before) return;
        return save(String(el.dataset.key), value);
      },
    },
    inputs: {
      /** Flag a reading out of its bounds as it is typed. */
      "reading-check": (/** @type {HTMLInputElement} */ el) => {
        const item = byKey.get(el.dataset.key);
        const value = parseReading(el.value);
        const flag = document.getElementById(`item-${el.dataset.key}-flag`);
        if (!item || !flag) return;
        typing.set(item.key, el.value);
        const bad = Number.isNaN(value) || outOfBounds(item, value);
        el.classList.toggle("flagged", bad);
        flag.hidden = !bad;
        flag.lastChild && (flag.lastChild.textContent = bad
          ? flagText(item, /** @type {number} */ (value)) : "");
      },
    },
  };
}
