// @ts-check
/**
 * Parts on a service order: what is fitted in the machine now, what was
 * fitted, removed or used on this order, and the forms to do it by a
 * serial (typed, or scanned when the phone can read barcodes). Each
 * change is kept on the phone first; a refusal comes back in words.
 */

import { html } from "../html.js";
import { t } from "../i18n.js";
import { icon } from "../icons.js";
import { uuid7 } from "../ids.js";
import { mem, enqueue, pulledAll } from "../store.js";
import { find, order } from "../model.js";
import { go, toast } from "../ui.js";
import { pendingMark } from "./parts.js";
import { explain } from "./problems.js";

const USE = "service_order.use_part";

/** @param {string} type */
const live = (type) => pulledAll(type).filter((e) => !e.data.deleted_at)
  .map((e) => ({ ...e.data, id: e.id }));

/** The serial as the server knows it, when it knows it in another case.
 * @param {string} typed */
function knownSerial(typed) {
  const low = typed.toLowerCase();
  return live("equipment").find((m) => String(m.serial_number ?? "")
    .toLowerCase() === low)?.serial_number ?? typed;
}

/** A catalogue product by its exact name. @param {string} label */
const productNamed = (label) => live("product")
  .find((p) => p.label === label);

/**
 * The parts in this machine: the server's open fittings, with the fits
 * and removals this phone has not seen come back yet laid on top.
 * @param {Record<string, any>} machine
 */
function fittedIn(machine) {
  /** @type {Map<string, Record<string, any>>} */
  const out = new Map();
  for (const f of live("equipment_part")) {
    if (f.equipment_id !== machine.id || f.removed_at) continue;
    const part = find("equipment", f.part_id);
    if (part?.serial_number) out.set(part.serial_number, part);
  }
  for (const m of mem.outbox) {
    if (m.name !== USE || order(m.args.id)?.equipment_id !== machine.id) {
      continue;
    }
    const serial = m.args.serial_number;
    if (m.args.action === "remove") out.delete(serial);
    if (m.args.action === "fit" && !out.has(serial)) {
      out.set(serial, { serial_number: serial,
        label: m.args.label ?? serial, pending: m.state === "pending" });
    }
  }
  return [...out.values()];
}

/**
 * This order's uses of parts, newest first: refused ones (a problem kept
 * on this phone), those in the outbox, and those the server holds.
 * @param {string} orderId
 */
function usesOf(orderId) {
  /** @type {Map<string, Record<string, any>>} */
  const out = new Map();
  for (const p of mem.problems.values()) {
    if (p.name !== USE || p.args?.id !== orderId) continue;
    out.set(p.args.use_id, { ...p.args, at: p.at, refused: explain({ ...p,
      conflict: p.conflict_id ? find("conflict", p.conflict_id)
        : undefined }).text });
  }
  for (const m of mem.outbox) {
    if (m.name === USE && m.args.id === orderId && !out.has(m.args.use_id)) {
      out.set(m.args.use_id, { ...m.args, at: m.at,
        pending: m.state === "pending" });
    }
  }
  for (const u of live("service_order_part")) {
    if (u.service_order_id === orderId && !out.has(u.id)) {
      out.set(u.id, { ...u, at: u.used_at });
    }
  }
  return [...out.values()]
    .sort((a, b) => String(b.at).localeCompare(String(a.at)));
}

/** A part by its name and serial, or its quantity.
 * @param {Record<string, any>} u */
function named(u) {
  const label = u.label || find("product", u.product_id)?.label;
  const serial = u.serial_number ?? "";
  const name = !label || label === serial ? serial
    : serial ? `${label} · ${serial}` : label;
  return `${name}${u.action === "use" && u.quantity > 1
    ? ` × ${u.quantity}` : ""}`;
}

/** Why the last form sent was not kept (a message key), and which form
 * it was, until one is sent again. */
let formError = { form: "", key: "" };
/** The serial as typed or scanned: a redraw while typing keeps it. */
let serial = "";

/** @param {Record<string, any>} o a service order @param {boolean} open */
export function partsSection(o, open) {
  const machine = find("equipment", o.equipment_id);
  if (!machine) return "";
  const fitted = fittedIn(machine);
  const uses = usesOf(o.id);
  const scan = "BarcodeDetector" in window;
  return html`<section class="panel" aria-labelledby="parts">
    <h2 id="parts">${t("parts.title")}</h2>
    <h3>${t("parts.fitted", { machine: machine.label })}</h3>
    ${fitted.length ? html`<ul class="plain fitted-parts">${fitted.map((p) =>
      html`<li data-serial="${p.serial_number}"><span>${named(p)}${
        pendingMark(p.pending)}</span>${open ? html`<button type="button"
        class="button secondary" data-action="remove-part" data-serial="${
        p.serial_number}">${t("parts.remove")}</button>` : ""}</li>`)}</ul>`
      : html`<p class="muted">${t("parts.none_fitted")}</p>`}
    ${uses.length ? html`<h3>${t("parts.on_order")}</h3>
      <ul class="plain part-uses">${uses.map((u) => html`<li class="${
        u.refused ? "part-refused" : ""}"><span><span class="strong">${
        t(`parts.did.${u.action}`)}</span> ${named(u)}${
        pendingMark(u.pending)}${u.refused ? html`<span class="error"
        role="status">${icon("warn")}${u.refused}</span>` : ""}</span></li>`)}
      </ul>` : ""}
    ${open ? html`<form data-submit="fit-part" class="stack" novalidate>
      <label for="part-serial">${t("parts.serial")}</label>
      <input id="part-serial" name="serial" maxlength="80" autocomplete="off"
        autocapitalize="characters" spellcheck="false" value="${serial}"
        data-input="part-serial" ${said("fit")}>
      ${error("fit")}
      <label for="part-name">${t("parts.name_new")}</label>
      <input id="part-name" name="name" maxlength="200" list="part-products"
        autocomplete="off">
      <div class="two">${scan ? html`<button type="button"
        class="button secondary" data-action="scan-part">${icon("camera")}${
        t("parts.scan")}</button>` : ""}<button class="button primary"
        type="submit">${icon("plus")}${t("parts.fit")}</button></div>
    </form>
    <form data-submit="use-part" class="stack" novalidate>
      <label for="part-used">${t("parts.used")}</label>
      <input id="part-used" name="name" maxlength="200" list="part-products"
        autocomplete="off" ${said("use")}>
      <label for="part-quantity">${t("parts.quantity")}</label>
      <input id="part-quantity" name="quantity" type="number" min="1"
        max="1000" value="1" inputmode="numeric">
      ${error("use")}
      <button class="button secondary" type="submit">${icon("plus")}${
        t("parts.record")}</button>
    </form>
    <datalist id="part-products">${live("product").map((p) => html`<option
      value="${p.label}"></option>`)}</datalist>` : ""}
  </section>`;
}

/** The field of `form` is said wrong. @param {string} form */
const said = (form) => formError.form === form ? html`aria-invalid="true"
  aria-describedby="part-error"` : "";

/** Why `form` was not kept, under it. @param {string} form */
const error = (form) => formError.form === form ? html`<p id="part-error"
  class="error" role="alert">${icon("warn")}${t(formError.key)}</p>` : "";

/** @param {string} form @param {string} key a message key */
function refuse(form, key) {
  formError = { form, key };
  go(location.hash);
}

/**
 * @param {Record<string, any>} o @param {string} action
 * @param {Record<string, any>} part serial_number, label, quantity
 */
async function usePart(o, action, part) {
  const product = part.label ? productNamed(part.label) : undefined;
  /** @type {Record<string, any>} */
  const args = { id: o.id, use_id: uuid7(), action };
  for (const [k, v] of Object.entries(part)) if (v) args[k] = v;
  if (product) args.product_id = product.id;
  await enqueue(USE, args);
  formError = { form: "", key: "" };
  toast(t("saved.on_phone"));
}

/** The handlers of the section, for the screen that shows it.
 * @param {Record<string, any>} o */
export function partsHandlers(o) {
  return {
    actions: {
      /** @param {HTMLElement} el */
      "remove-part": (el) => usePart(o, "remove",
        { serial_number: el.dataset.serial }),
      "scan-part": () => scanSerial(),
    },
    inputs: {
      /** @param {HTMLInputElement} el */
      "part-serial": (el) => {
        serial = el.value;
      },
    },
    submits: {
      /** @param {HTMLFormElement} form */
      "fit-part": async (form) => {
        const data = new FormData(form);
        const typed = String(data.get("serial") || "").trim();
        if (!typed) return refuse("fit", "parts.serial_missing");
        serial = "";
        await usePart(o, "fit", { serial_number: knownSerial(typed),
          label: String(data.get("name") || "").trim() });
        form.reset();
      },
      /** @param {HTMLFormElement} form */
      "use-part": async (form) => {
        const data = new FormData(form);
        const label = String(data.get("name") || "").trim();
        const quantity = Number(data.get("quantity") || 1);
        if (!label) return refuse("use", "parts.name_missing");
        if (!Number.isInteger(quantity) || quantity < 1 || quantity > 1000) {
          return refuse("use", "parts.quantity_bad");
        }
        await usePart(o, "use", { label, quantity });
        form.reset();
      },
    },
    leave: () => {
      formError = { form: "", key: "" };
      serial = "";
    },
  };
}

// ---- the camera reads the serial's barcode ------------------------------

/** Film with the back camera until a barcode is read, or the person
 * closes the view; the serial read goes into the form. */
async function scanSerial() {
  const Detector = /** @type {any} */ (window).BarcodeDetector;
  /** @type {MediaStream} */
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia(
      { video: { facingMode: "environment" } });
  } catch {
    toast(t("parts.no_camera"));
    return;
  }
  const detector = new Detector();
  const view = document.createElement("dialog");
  view.className = "scanner";
  view.innerHTML = `<video playsinline muted></video>
    <button type="button" class="button secondary"></button>`;
  const video = /** @type {HTMLVideoElement} */ (view.querySelector("video"));
  const close = /** @type {HTMLButtonElement} */ (view.querySelector("button"));
  close.textContent = t("parts.scan_stop");
  let open = true;
  const stop = () => {
    open = false;
    for (const track of stream.getTracks()) track.stop();
    view.remove();
  };
  close.addEventListener("click", stop);
  view.addEventListener("cancel", stop);
  document.body.append(view);
  view.showModal();
  video.srcObject = stream;
  await video.play().catch(() => undefined);
  while (open) {
    const found = await detector.detect(video).catch(() => []);
    if (found.length) {
      serial = String(found[0].rawValue).trim();
      stop();
      go(location.hash);
      document.getElementById("part-serial")?.focus();
      return;
    }
    await new Promise((done) => setTimeout(done, 250));
  }
}
