// @ts-check
/**
 * A repair on the phone, from intake to the signed return: its steps with
 * who and when, who pays and why, photos on arrival, diagnosis and report,
 * and the customer's signature drawn on the screen. Everything is saved on
 * this phone first and sent when the network allows.
 */

import { html } from "../html.js";
import { t, formatDay, formatTime, pickLabel } from "../i18n.js";
import { icon } from "../icons.js";
import { uuid7 } from "../ids.js";
import { enqueue, pulled, pulledAll } from "../store.js";
import {
  order, find, userName, runsOf, answers, photosOf, stepsOf, arrivalPhotos,
  openRepairsOf,
} from "../model.js";
import { preparePhoto, photoUrl, sha256Of } from "../photos.js";
import { go, toast } from "../ui.js";
import { backLink, orderChip, pendingMark } from "./parts.js";
import { checklistSection, whereSection } from "./order.js";
import { partsSection, partsHandlers } from "./order_parts.js";
import {
  clearPad, drawnOn, forgetStrokes, signatureImage, signaturePad,
} from "../signature.js";

const STEPS = ["intake", "diagnosis", "repair", "quality_check", "ready",
  "returned"];
/** The steps a technician moves a repair to, from each step. */
const NEXT = {
  intake: ["diagnosis"], diagnosis: ["repair"], repair: ["quality_check"],
  quality_check: ["ready", "repair"],
};
const CLOSED = ["closed", "cancelled"];

/** @param {string} orderId */
const base = (orderId) => pulled("service_order", orderId)?.version;

/** @param {string} day */
const shortDay = (day) => formatDay(day, { day: "numeric", month: "short" });

/**
 * Labels of the required items still unanswered in the checklists that
 * guard `step` (the server's rule: hidden items are not required).
 * @param {string} orderId @param {string} step
 */
function missingFor(orderId, step) {
  /** @type {string[]} */
  const out = [];
  for (const r of runsOf(orderId)) {
    if (r.guards_step !== step) continue;
    const given = answers(r.id);
    const shown = new Set();
    for (const item of find("checklist_template", r.template_id)?.items
      ?? []) {
      const c = item.visible_if;
      if (c && !(shown.has(c.item) && given.get(c.item)?.value === c.equals)) {
        continue;
      }
      shown.add(item.key);
      const value = item.kind === "photo"
        ? photosOf(r.id, item.key).length || null
        : given.get(item.key)?.value;
      // A quality item answered "no" is a check that failed: the step
      // waits for the repair to be done again.
      if ((item.required && (value == null || value === ""))
        || (item.quality && value === false)) {
        out.push(pickLabel(item.label));
      }
    }
  }
  return out;
}

/** Who pays, and why, in words. @param {Record<string, any>} o */
function warrantyWords(o) {
  if (!o.warranty) return t("repair.warranty_unknown");
  const machine = find("equipment", o.equipment_id);
  const ends = { customer_warranty_running: "customer_warranty_ends_on",
    manufacturer_warranty_running: "manufacturer_warranty_ends_on" };
  const day = machine?.[ends[/** @type {keyof ends} */ (o.warranty_reason)]];
  const reason = `repair.reason.${o.warranty_reason}`;
  const why = t(reason) === reason
    ? t("repair.reason.office", { reason: o.warranty_reason })
    : t(reason, { day: day ? shortDay(day) : "" });
  return `${t(`repair.warranty.${o.warranty}`)} · ${why}`;
}

/** @param {Record<string, any>} o */
function stepBar(o) {
  const done = stepsOf(o.id);
  const at = STEPS.indexOf(o.step);
  return html`<ol class="steps">${STEPS.map((step, i) => {
    const last = done.filter((s) => s.step === step).pop();
    const reached = i <= at && last;
    return html`<li class="${reached ? "done" : ""}" ${i === at
      ? html`aria-current="step"` : ""}>${icon(reached ? "check" : "clock")}
      <span class="strong">${t(`repair.step.${step}`)}</span>${reached
      ? html`<span class="card-meta">${userName(last.by_id)} · ${
        formatTime(last.at, { day: "numeric", month: "short",
          hour: "2-digit", minute: "2-digit" })}</span>${
        pendingMark(i === at && last.pending)}` : ""}</li>`;
  })}</ol>`;
}

/** @param {Record<string, any>} o @param {boolean} open */
function photoSection(o, open) {
  const taken = arrivalPhotos(o.id);
  return html`<section class="panel" aria-labelledby="arrival">
    <h2 id="arrival">${t("repair.photos")}</h2>
    <div class="photos">${taken.map((p, i) => html`<figure class="thumb${
      p.pending ? " pending" : ""}"><img src="${photoUrl(p.sha256)}"
      width="80" height="80" alt="${t("repair.photo_alt", { n: i + 1 })}">
      </figure>`)}
    ${open ? html`<label class="button secondary photo-add">${
      icon("camera")}<span>${t("checklist.add_photo")}</span><input
      type="file" accept="image/*" capture="environment"
      class="visually-hidden" data-change="photo"></label>` : ""}</div>
  </section>`;
}

/** @param {Record<string, any>} o @param {string} field @param {boolean} open */
function report(o, field, open) {
  return html`<label for="repair-${field}">${t(`repair.${field}`)}</label>
    <textarea id="repair-${field}" rows="3" maxlength="20000"
      data-change="record" data-field="${field}"${open ? "" : " disabled"}>${
      o[field] ?? ""}</textarea>`;
}

/** What comes next: step buttons, the signature, or the signed return.
 * @param {Record<string, any>} o @param {boolean} open */
function nextPart(o, open) {
  if (o.step === "returned") {
    return html`<section class="panel" aria-labelledby="returned">
      <h2 id="returned">${t("repair.step.returned")}</h2>
      ${o.signature_sha256 ? html`<img class="signature" src="${
        photoUrl(o.signature_sha256)}" alt="${t("repair.signature")}">` : ""}
      <p>${t("repair.signed_by", { name: o.signed_by ?? "" })}</p>
      <p class="locked">${icon("lock")}${t("repair.locked")}</p></section>`;
  }
  if (!open) return html`<p class="locked">${icon("lock")}${t("order.locked")}</p>`;
  if (o.step === "ready") {
    const missing = missingFor(o.id, "returned");
    return html`<form data-submit="return" class="panel stack" novalidate>
      <h2 id="return-title">${t("repair.return")}</h2>
      <p id="sign-hint">${t("repair.sign_here")}</p>
      ${signaturePad(padKey(o), "return-title", "sign-hint")}
      <button type="button" class="button secondary"
        data-action="clear-pad">${t("repair.clear")}</button>
      <label for="signer">${t("repair.signer")}</label>
      <input id="signer" name="signer" autocomplete="name" maxlength="200"
        required value="${signer}" data-input="signer">
      ${blocked(missing)}${padProblem(o)}
      <button class="button big primary" type="submit"${missing.length
        ? " disabled" : ""}>${t("repair.hand_back")}</button></form>`;
  }
  const next = (NEXT[/** @type {keyof NEXT} */ (o.step)] ?? []).map(
    (step) => ({ step, missing: missingFor(o.id, step) }));
  // What holds a step back is said above the buttons, in the page: the
  // bar at the bottom keeps to its buttons and covers little of the screen.
  return html`${next.map(({ missing }) => blocked(missing))}
    <div class="actionbar two">${next.map(({ step, missing }, i) => html`<div>
      <button type="button" class="button big ${i ? "secondary" : "primary"}"
        data-action="step" data-to="${step}"${missing.length ? " disabled" : ""}>${
        t(o.step === "quality_check" && step === "repair" ? "repair.to.rework"
          : `repair.to.${step}`)}</button></div>`)}</div>`;
}

/** The printable report, made by the server from what it merged: it needs
 * a connection, and the signature to have reached the server.
 * @param {Record<string, any>} o */
function reportLink(o) {
  return html`<p><a class="button big secondary" id="service-report"
    href="/api/service-orders/${o.id}/report" target="_blank"
    rel="noopener">${icon("list")}${t("repair.report_link")}</a></p>`;
}

/** @param {string[]} missing */
function blocked(missing) {
  return missing.length ? html`<p class="error" role="alert">${icon("warn")}${
    t("repair.blocked", { items: missing.join(", ") })}</p>` : "";
}

/** Why the last return could not be saved (a message key), or "". */
let padError = "";
/** The signer's name as typed: a redraw while the customer signs keeps it. */
let signer = "";

/** @param {{id: string}} params */
export function repairScreen(params) {
  const o = /** @type {Record<string, any>} */ (order(params.id));
  const open = !CLOSED.includes(o.status) && o.step !== "returned";
  const machine = find("equipment", o.equipment_id);
  const content = html`
    ${backLink("#/orders", t("orders.title"))}
    <div class="order-head">
      <p class="head-meta"><span class="card-meta">${o.number
        || t("repair.new")}</span>${orderChip(o.status)}${
        pendingMark(o.pending)}</p>
      <h2 class="title">${o.title}</h2>
      ${machine?.serial_number ? html`<p class="card-meta">${
        machine.serial_number}</p>` : ""}
    </div>
    ${stepBar(o)}
    <section class="panel" aria-labelledby="warranty">
      <h2 id="warranty">${t("repair.who_pays")}</h2>
      <p class="warranty">${warrantyWords(o)}</p>
    </section>
    ${whereSection(o)}
    <section class="panel" aria-labelledby="symptoms">
      <h2 id="symptoms">${t("repair.symptoms")}</h2>
      <p class="prose">${o.symptoms ?? ""}</p>
      ${STEPS.indexOf(o.step) >= 1 ? report(o, "diagnosis", open) : ""}
      ${STEPS.indexOf(o.step) >= 2 ? report(o, "repair_report", open) : ""}
    </section>
    ${photoSection(o, open)}
    ${checklistSection(o)}
    ${partsSection(o, open)}
    ${nextPart(o, open)}
    ${o.step === "returned" && !o.pending ? reportLink(o) : ""}`;
  const parts = partsHandlers(o);

  return {
    title: t("repair.title"), nav: "orders", content,
    leave: () => {
      padError = "";
      forgetStrokes(padKey(o));
      signer = "";
      parts.leave();
    },
    inputs: {
      ...parts.inputs,
      signer: (/** @type {HTMLInputElement} */ el) => {
        signer = el.value;
      },
    },
    actions: {
      ...parts.actions,
      /** @param {HTMLElement} el */
      step: async (el) => {
        const to = String(el.dataset.to);
        await enqueue("service_order.step",
          { id: o.id, step: to, from_step: o.step }, base(o.id));
        toast(t("repair.now", { step: t(`repair.step.${to}`) }));
      },
      "clear-pad": () => clearPad(padKey(o)),
    },
    changes: {
      /** @param {HTMLTextAreaElement} el */
      record: async (el) => {
        const field = String(el.dataset.field);
        if (el.value === (o[field] ?? "")) return;
        // The text shown before: the server tells whether someone else
        // wrote another meanwhile.
        await enqueue("service_order.record", { id: o.id, [field]: el.value,
          [`${field}_was`]: o[field] ?? "" }, base(o.id));
        toast(t("saved.on_phone"));
      },
      /** @param {HTMLInputElement} el */
      photo: async (el) => {
        const file = el.files?.[0];
        el.value = "";
        if (!file) return;
        let photo;
        try {
          photo = await preparePhoto(file);
        } catch {
          toast(t("checklist.photo_unreadable"));
          return;
        }
        await enqueue("service_order.photo", { id: o.id, photo_id: uuid7(),
          sha256: photo.sha256 }, undefined, photo);
        toast(t("checklist.photo_saved"));
      },
    },
    submits: {
      ...parts.submits,
      /** @param {HTMLFormElement} form */
      return: async (form) => {
        const name = String(new FormData(form).get("signer") || "").trim();
        padError = !drawnOn(padKey(o)) ? "repair.sign_first"
          : !name ? "repair.signer_missing" : "";
        if (padError) {
          go(location.hash);
          return;
        }
        const bytes = await signatureImage(padKey(o));
        const sha256 = await sha256Of(bytes);
        await enqueue("service_order.return", { id: o.id,
          signature_sha256: sha256, signed_by: name }, base(o.id),
        { sha256, bytes });
        forgetStrokes(padKey(o));
        signer = "";
        toast(t("repair.now", { step: t("repair.step.returned") }));
      },
    },
  };
}

/** Why the return could not be saved, until the customer starts signing
 * when that was the reason. @param {{id: string}} o */
function padProblem(o) {
  const unsigned = padError === "repair.sign_first";
  if (!padError || (unsigned && drawnOn(padKey(o)))) return "";
  return html`<p class="error" role="alert" data-pad-error="${
    unsigned ? padKey(o) : ""}">${icon("warn")}${t(padError)}</p>`;
}

/** The signature box of a repair's return. @param {{id: string}} o */
function padKey(o) {
  return `return-${o.id}`;
}

// ---- intake -------------------------------------------------------------

/** Why the last intake could not be saved (a message key), or "". */
let intakeError = "";
/** What was typed, kept when the form is shown again with a problem. */
const intakeDraft = { machine: "", symptoms: "" };
/** The machine whose open repair was pointed out: a second press opens
 * another repair of it all the same (a second fault, another part). */
let confirmedMachine = "";

/** A run of each checklist that guards a step (its latest revision on
 * this phone): the repair can be checked offline, and the server starts
 * the same runs under these ids. */
function guardingRuns() {
  /** @type {Map<string, Record<string, any>>} */
  const latest = new Map();
  for (const e of pulledAll("checklist_template")) {
    const tpl = { ...e.data, id: e.id };
    if (!tpl.guards_step || tpl.deleted_at) continue;
    const known = latest.get(tpl.code);
    if (!known || known.revision < tpl.revision) latest.set(tpl.code, tpl);
  }
  return [...latest.values()].map((tpl) => ({ id: uuid7(),
    template_id: tpl.id }));
}

/** The machines this phone holds, to pick by serial or name. */
function machines() {
  return pulledAll("equipment").map((e) => ({ ...e.data, id: e.id }))
    .filter((m) => !m.deleted_at);
}

/** The number of the open repair of the machine just pointed out. */
function openNumber() {
  const open = confirmedMachine ? openRepairsOf(confirmedMachine) : [];
  return open.map((o) => o.number || t("repair.new")).join(", ");
}

export function intakeScreen() {
  const list = machines();
  const content = html`
    ${backLink("#/orders", t("orders.title"))}
    <form data-submit="intake" class="panel stack" novalidate>
      <h2>${t("repair.intake")}</h2>
      <label for="intake-machine">${t("repair.machine")}</label>
      <input id="intake-machine" name="machine" list="intake-machines"
        autocomplete="off" autocapitalize="characters" required
        value="${intakeDraft.machine}"
        aria-describedby="intake-hint${intakeError ? " intake-error" : ""}">
      <p id="intake-hint" class="hint">${t("repair.machine_hint")}</p>
      <datalist id="intake-machines">${list.map((m) => html`<option
        value="${m.serial_number ?? m.label}">${m.label}</option>`)}</datalist>
      ${intakeError ? html`<p id="intake-error" class="error" role="alert">${
        icon("warn")}${t(intakeError, { number: openNumber() })}</p>` : ""}
      <label for="intake-symptoms">${t("repair.symptoms")}</label>
      <textarea id="intake-symptoms" name="symptoms" rows="4" maxlength="5000"
        required>${intakeDraft.symptoms}</textarea>
      <button class="button big primary" type="submit">${
        t("repair.receive_now")}</button>
    </form>`;
  return {
    title: t("repair.intake"), nav: "orders", content,
    leave: () => {
      intakeError = "";
      confirmedMachine = "";
      Object.assign(intakeDraft, { machine: "", symptoms: "" });
    },
    submits: {
      /** @param {HTMLFormElement} form */
      intake: async (form) => {
        const data = new FormData(form);
        const typed = String(data.get("machine") || "").trim().toLowerCase();
        const symptoms = String(data.get("symptoms") || "").trim();
        const machine = machines().find((m) => typed
          && [m.serial_number, m.label].some(
            (v) => String(v ?? "").toLowerCase() === typed));
        Object.assign(intakeDraft, { machine: String(data.get("machine") || ""),
          symptoms: String(data.get("symptoms") || "") });
        intakeError = !machine ? "repair.no_machine"
          : !symptoms ? "repair.no_symptoms"
          : openRepairsOf(machine.id).length && confirmedMachine !== machine.id
            ? "repair.already_open" : "";
        if (machine && intakeError === "repair.already_open") {
          confirmedMachine = machine.id;
        }
        if (!machine || intakeError) {
          go(location.hash);
          return;
        }
        confirmedMachine = "";
        Object.assign(intakeDraft, { machine: "", symptoms: "" });
        const id = uuid7();
        await enqueue("service_order.intake", { id, equipment_id: machine.id,
          title: machine.label, symptoms, runs: guardingRuns() });
        go(`#/order/${id}`);
      },
    },
  };
}
