// @ts-check
/**
 * Vouchers on a visit: redeem one (kept in the outbox offline), and see
 * what became of each: waiting, taken, or refused with the reason the
 * server gave (over the limit with what is left, expired...).
 */

import { html } from "../html.js";
import { t, formatNumber, formatDay } from "../i18n.js";
import { icon } from "../icons.js";
import { uuid7 } from "../ids.js";
import { mem, enqueue, pulledAll, pulled } from "../store.js";
import { go, toast } from "../ui.js";

/** @param {number} cents */
const euros = (cents) => formatNumber(cents / 100,
  { style: "currency", currency: "EUR" });

/** "12,50" or "12.50" as cents; NaN when it is no amount. @param {string} s */
function cents(s) {
  const m = /^(\d{1,7})(?:[.,](\d{1,2}))?$/.exec(s.replace(/\s/g, ""));
  return m ? Number(m[1]) * 100 + Number((m[2] || "0").padEnd(2, "0")) : NaN;
}

/** Why the last form sent was not kept, until it is sent again. */
let formError = "";

/**
 * This visit's redemptions, newest first: refused ones (a problem kept
 * on this phone), those in the outbox, and those the server holds.
 * @param {string} orderId
 */
function redemptionsOf(orderId) {
  /** @type {Array<Record<string, any>>} */
  const out = [];
  const seen = new Set();
  const add = (/** @type {Record<string, any>} */ r) => {
    if (!seen.has(r.id)) out.push(r);
    seen.add(r.id);
  };
  for (const p of mem.problems.values()) {
    if (p.name === "voucher.redeem" && p.args?.service_order_id === orderId) {
      add({ ...p.args, id: p.args.redemption_id, state: "refused",
        why: p.code, details: p.details || {}, at: p.at });
    }
  }
  for (const m of mem.outbox) {
    if (m.name === "voucher.redeem" && m.args.service_order_id === orderId) {
      add({ ...m.args, id: m.args.redemption_id, at: m.at,
        state: m.state === "pending" ? "waiting" : "taken" });
    }
  }
  for (const e of pulledAll("voucher_redemption")) {
    if (e.data.service_order_id !== orderId) continue;
    add({ ...e.data, id: e.id, state: "taken", at: e.data.redeemed_at,
      code: pulled("voucher", e.data.voucher_id)?.data.code });
  }
  return out.sort((a, b) => String(b.at).localeCompare(String(a.at)));
}

/** The refusal in words. @param {Record<string, any>} r */
function refusal(r) {
  const d = r.details;
  const key = `voucher.no.${r.why}`;
  const text = t(key, {
    balance: euros(Number(d.balance_cents ?? 0)),
    until: d.valid_until ? formatDay(d.valid_until) : "",
    from: d.issued_on ? formatDay(d.issued_on) : "" });
  return text === key ? t("voucher.no.unexplained") : text;
}

/** @param {Record<string, any>} o a service order */
export function voucherSection(o) {
  const list = redemptionsOf(o.id);
  return html`<section class="panel" aria-labelledby="vouchers">
    <h2 id="vouchers">${t("voucher.title")}</h2>
    ${list.length ? html`<ul class="plain voucher-list">${list.map((r) =>
      html`<li class="voucher-${r.state}"><span class="strong">${
        euros(Number(r.amount_cents))}</span> ${
        String(r.code ?? "").toUpperCase()} · ${
        t(`voucher.${r.state}`)}${r.state === "refused"
          ? html`<p class="error" role="status">${icon("warn")}${
            refusal(r)}</p>` : ""}</li>`)}</ul>` : ""}
    <form data-submit="voucher" class="stack" novalidate>
      <label for="voucher-code">${t("voucher.code")}</label>
      <input id="voucher-code" name="code" required maxlength="40"
        autocapitalize="characters" autocomplete="off" spellcheck="false">
      <label for="voucher-amount">${t("voucher.amount")}</label>
      <input id="voucher-amount" name="amount" required inputmode="decimal"
        ${formError ? html`aria-invalid="true"
          aria-describedby="voucher-error"` : ""}>
      ${formError ? html`<p id="voucher-error" class="error" role="alert">${
        icon("warn")}${t(formError)}</p>` : ""}
      <button class="button secondary" type="submit">${icon("plus")}${
        t("voucher.redeem")}</button>
    </form>
  </section>`;
}

/** @param {Record<string, any>} o @param {HTMLFormElement} form */
export async function redeemVoucher(o, form) {
  const data = new FormData(form);
  const code = String(data.get("code") || "").trim();
  const amount = cents(String(data.get("amount") || ""));
  formError = !code ? "voucher.code_missing"
    : amount > 0 ? "" : "voucher.amount_bad";
  if (formError) {
    go(location.hash);
    return;
  }
  await enqueue("voucher.redeem", { redemption_id: uuid7(), code,
    amount_cents: amount, service_order_id: o.id });
  form.reset();
  toast(t("saved.on_phone"));
}
