// @ts-check
/**
 * The sync page: where things stand, changes waiting to be sent, and the
 * changes that did not take, each said in words with what to do.
 */

import { html, keepWhole } from "../html.js";
import {
  t, has, formatDay, formatDuration, formatTime, pickLabel, formatAgo,
} from "../i18n.js";
import { icon } from "../icons.js";
import { weekNumber } from "../dates.js";
import {
  mem, getMeta, setMeta, dismissProblem, pendingMutations, pendingBlobs,
  storedBlob, givenUp,
} from "../store.js";
import {
  find, problems, order, stillOpen, userName, me,
} from "../model.js";
import { requestSync } from "../sync.js";

/** The item label of a checklist answer. @param {Record<string, any>} args */
function itemLabel(args) {
  const runRow = find("checklist_run", args.run_id);
  const template = runRow ? find("checklist_template", runRow.template_id)
    : undefined;
  const item = (template?.items ?? []).find(
    (/** @type {any} */ i) => i.key === args.item_key);
  return item ? pickLabel(item.label) : args.item_key;
}

/** A value as a person reads it. @param {unknown} value */
function valueText(value) {
  if (value === true) return t("checklist.yes");
  if (value === false) return t("checklist.no");
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "string" && has(`choice.${value}`)) {
    return t(`choice.${value}`);
  }
  return String(value);
}

/** @param {string | undefined} id */
function orderNumber(id) {
  return (id && (order(id)?.number || find("service_order", id)?.number)) || "";
}

/**
 * What a change was, in words: "Monday's hours", "the answer to ...".
 * @param {string} name @param {Record<string, any>} args
 */
export function describeChange(name, args) {
  switch (name) {
    case "time_entry.put":
      return t("change.hours", { day: args.work_date
        ? formatDay(args.work_date, { weekday: "long" }) : "" });
    case "time_entry.delete":
      return t("change.delete_hours");
    case "timesheet.submit":
      return t("change.submit", { n: weekNumber(args.week) });
    case "timesheet.approve":
      return t("change.approve", { n: weekNumber(args.week) });
    case "timesheet.reject":
      return t("change.reject", { n: weekNumber(args.week) });
    case "timesheet.reopen":
      return t("change.reopen", { n: weekNumber(args.week) });
    case "time_entry.approve":
    case "time_entry.reject": {
      const line = find("time_entry", args.id);
      return t(name === "time_entry.approve" ? "change.approve_line"
        : "change.reject_line", { name: userName(line?.user_id) || "—",
        day: line?.work_date ? formatDay(line.work_date) : "" });
    }
    case "checklist.answer":
      return t("change.answer", { item: itemLabel(args) });
    case "checklist.attach":
      return t("change.photo", { item: itemLabel(args) });
    case "service_order.set_status":
      return t("change.status", { number: orderNumber(args.id),
        status: t(`order.status.${args.status}`) });
    case "service_order.note":
      return t("change.note", { number: orderNumber(args.id) });
    case "voucher.redeem":
      return t("change.voucher", { code: args.code });
    case "service_order.use_part":
      return t(`change.part_${args.action}`, { part: args.serial_number
        ?? args.label ?? find("product", args.product_id)?.label ?? "" });
    case "service_order.intake":
    case "service_order.step":
    case "service_order.record":
    case "service_order.photo":
    case "service_order.return":
      return t("change.repair", { number: orderNumber(args.id) });
    case "conflict.resolve":
      return t("change.resolve", { name: userName(
        find("conflict", args.conflict_id)?.author_id) || "—" });
    default:
      return name;
  }
}

/** The value that did not take. @param {string} name
 * @param {Record<string, any>} args */
function changeValue(name, args) {
  if (name === "time_entry.put") {
    const affair = find("affair", args.affair_id);
    return t("value.hours", { hours: formatDuration(args.minutes || 0),
      day: args.work_date ? formatDay(args.work_date) : "",
      affair: affair ? `${affair.code} · ${affair.title}` : "" });
  }
  if (name === "checklist.answer") return valueText(args.value);
  if (name === "service_order.note") return args.text;
  if (name === "timesheet.reject") return args.reason;
  return "";
}

/**
 * A change waiting in the outbox, in words: a new record named by what
 * it is ("new time entry, 1 h 15 on AFF-2026-003, Sat 5 Dec"), a change
 * to one by the change and its value. The codes it names stay whole.
 * @param {{name: string, args: Record<string, any>}} m
 */
function waitingChange(m) {
  const affair = find("affair", m.args.affair_id);
  const codes = [affair?.code, orderNumber(m.args.id),
    orderNumber(m.args.service_order_id)];
  if (m.name === "time_entry.put" && isNewEntry(m)) {
    return keepWhole(t("outbox.new_hours", {
      hours: formatDuration(m.args.minutes || 0),
      affair: affair?.code ?? "—",
      day: m.args.work_date ? formatDay(m.args.work_date, { weekday: "short",
        day: "numeric", month: "short" }) : "" }), codes);
  }
  const value = changeValue(m.name, m.args);
  return keepWhole(`${describeChange(m.name, m.args)}${
    value ? ` — ${value}` : ""}`, codes);
}

/** Does this change make the entry? Neither the server nor an earlier
 * change in the outbox has it yet.
 * @param {{name: string, args: Record<string, any>}} m */
function isNewEntry(m) {
  if (find("time_entry", m.args.id)) return false;
  const first = mem.outbox.find((x) => x.name === "time_entry.put"
    && x.args.id === m.args.id);
  return first === m;
}

/**
 * The words for one problem: what happened, what did not take, what to do.
 * @param {Record<string, any>} p
 */
export function explain(p) {
  const c = p.conflict;
  const name = p.name || c?.mutation_name || "";
  const args = p.args || deviceArgs(c) || {};
  const change = describeChange(name, args);
  const code = c?.code || p.code || "";
  const details = { ...(p.details ?? {}), ...(c?.details ?? {}) };
  const fields = { change, ...details };
  if (details.week) fields.n = weekNumber(String(details.week));
  if (details.on) fields.on = formatDay(String(details.on), { day: "numeric",
    month: "long", year: "numeric" });
  // Inside a sentence, a status is a plain word: "is cancelled".
  if (details.status) {
    fields.status = t(`order.status.${details.status}`).toLocaleLowerCase();
  }

  const key = wordsKey(code, name, c);
  let text;
  if (has(`problem.${key}`)) text = t(`problem.${key}`, fields);
  else if (p.message) text = t("problem.server", { change,
    message: p.message });
  else text = t("problem.generic", { change });
  // A photo this phone cannot send will not arrive by waiting.
  const refused = code === "missing_blob"
    && storedBlob(args.sha256)?.state === "refused";
  const advice = refused ? "advice.photo_refused" : `advice.${key}`;
  const resolved = c?.status === "resolved" ? resolution(c) : "";
  // Once settled, why it was held back is history: the card names the
  // change, and the resolution alone says whether it was applied.
  if (resolved) text = t("problems.resolved_about", { change });
  // A change that won a same-field conflict stands: what is worth seeing
  // is the other side's value, which it replaced.
  const won = code === "concurrent_update" && Boolean(details.device_won);
  return { text, resolved,
    value: changeValue(name, won ? replacedArgs(c, args) : args),
    valueLabel: t(won ? "problems.replaced" : "problems.not_applied"),
    advice: !resolved && has(advice) ? t(advice, fields) : "" };
}

/**
 * Which words a problem takes: by its code, and for some codes by the
 * change or by where it was made.
 * @param {string} code @param {string} name
 * @param {Record<string, any> | undefined} c
 */
function wordsKey(code, name, c) {
  if (code === "concurrent_update") return concurrentKey(c);
  // A week submitted once approved changed no hours: nothing was lost.
  if (code === "week_locked" && name === "timesheet.submit") {
    return "week_locked_submit";
  }
  // Only the device that took the photo holds it: elsewhere, waiting
  // with the app open sends nothing.
  if (code === "missing_blob" && !madeHere(c)) return "missing_blob_elsewhere";
  return code;
}

/** Was the change made on this device? A problem of this device's own
 * push has no other device to come from.
 * @param {Record<string, any> | undefined} c */
function madeHere(c) {
  return !c?.client_id || c.client_id === getMeta("client_id");
}

/**
 * Which words a same-field conflict takes: whether this person's change
 * stands, and whether the other side was this person too (another of
 * their devices), who is then not "someone else". A conflict of this
 * person's can also come from their other device (it is pulled here
 * too): then the other side may be this phone, and the words say so.
 * @param {Record<string, any> | undefined} c
 */
function concurrentKey(c) {
  const self = c?.server_author_id && c.server_author_id === me()?.id;
  const elsewhere = self && c?.client_id
    && c.client_id !== getMeta("client_id");
  return `concurrent_update${c?.details?.device_won ? "_won" : ""}${
    self ? "_self" : ""}${elsewhere ? "_elsewhere" : ""}`;
}

/** The args of the change with the other side's values in their place.
 * @param {Record<string, any>} c @param {Record<string, any>} args */
function replacedArgs(c, args) {
  const server = c?.server_value;
  if (!server || typeof server !== "object") return {};
  return { ...args, ...server };
}

/** How a conflict was settled, for its author: "Resolved by Marie Dubois
 * on 4 December: your change was applied.", or that a supervisor gave up
 * on its photo.
 * @param {Record<string, any>} c */
function resolution(c) {
  const on = c.resolved_at ? formatTime(c.resolved_at,
    { day: "numeric", month: "long" }) : "";
  // A photo given up on is no value kept over another: the change is
  // dropped, and the person should know it will not come back.
  const how = givenUp(c) ? "given_up"
    : c.resolution === "device" ? "device" : "server";
  return t(`problems.resolved.${how}`,
    { by: userName(c.resolved_by_id) || "—", on });
}

/** A conflict from another device names its values, not its args.
 * @param {Record<string, any> | undefined} c */
function deviceArgs(c) {
  if (!c) return null;
  // The change as the device sent it, when the record keeps it; else the
  // conflict's device side (which names some things its own way).
  if (c.mutation_args && typeof c.mutation_args === "object") {
    return c.mutation_args;
  }
  if (!c.device_value || typeof c.device_value !== "object") return null;
  return { ...c.device_value, id: c.entity_id };
}

/** The sync sentence, also used by the sync line. */
export function syncSentence(/** @type {string} */ state) {
  const pending = pendingMutations().length;
  const attention = problems().filter(stillOpen).length;
  // Photos are counted apart: they are the heavy part of what waits.
  const photos = pendingBlobs().length;
  /** @param {string} text */
  const withPhotos = (text) => (photos
    ? `${text} · ${t("sync.photos", { count: photos })}` : text);
  const since = getMeta("offline_since");
  // The browser knows it is offline before any sync has failed (a
  // reload with no network): say so at once.
  const offline = state === "offline" || !navigator.onLine;
  const at = formatTime(new Date(since || Date.now()));
  const offlineText = pending
    ? withPhotos(t("sync.offline_pending", { at, count: pending }))
    : t("sync.offline", { at });
  if (attention) {
    // What needs the person comes first; whether work is saved and sent
    // stays said after it.
    const after = offline ? offlineText
      : pending ? withPhotos(t("sync.pending", { count: pending })) : "";
    return { kind: "attention", icon: "warn",
      text: [t("sync.attention", { count: attention }), after]
        .filter(Boolean).join(" · ") };
  }
  if (state === "signed_out") return { kind: "offline", icon: "user",
    text: withPhotos(t("sync.signed_out", { count: pending })) };
  if (state === "upgrading") return { kind: "busy", icon: "sync",
    text: t("sync.upgrading") };
  if (offline) return { kind: "offline", icon: "offline", text: offlineText };
  if (pending) return { kind: "pending", icon: "cloud",
    text: withPhotos(t("sync.pending", { count: pending })) };
  const last = getMeta("last_synced_at");
  if (!last) return { kind: "busy", icon: "sync", text: t("sync.never") };
  return { kind: "ok", icon: "check",
    text: t("sync.sent", { ago: formatAgo(Date.now() - last) }) };
}

export function syncScreen() {
  const list = problems();
  const pending = pendingMutations();
  const content = html`
    <button type="button" class="button secondary" data-action="now">${
      icon("sync")}${t("sync.now")}</button>
    <section class="sync-section" aria-labelledby="problems-title">
      <h2 id="problems-title">${t("problems.title")}</h2>
      ${list.length ? html`<ul class="cards">${list.map((p) => {
        const words = explain(p);
        if (words.resolved) {
          return html`<li class="card problem resolved">
            <p class="strong">${icon("check")}${words.resolved}</p>
            <p>${words.text}</p>
            ${words.value ? html`<p>${t("problems.your_value")} <span
              class="strong">${words.value}</span></p>` : ""}
            <button type="button" class="button secondary"
              data-action="dismiss" data-id="${p.id}" data-resolved="1"
              data-conflict="${p.conflict_id || ""}">${
                t("problems.ok")}</button>
          </li>`;
        }
        return html`<li class="card problem">
          <p class="strong">${icon("warn")}${words.text}</p>
          ${words.value ? html`<p>${words.valueLabel} <span
            class="strong">${words.value}</span></p>` : ""}
          ${words.advice ? html`<p>${words.advice}</p>` : ""}
          <button type="button" class="button secondary"
            data-action="dismiss" data-id="${p.id}"
            data-conflict="${p.conflict_id || ""}">${t("problems.ok")}</button>
        </li>`;
      })}</ul>` : html`<p class="muted">${t("problems.none")}</p>`}
    </section>
    <section class="sync-section" aria-labelledby="outbox-title">
      <h2 id="outbox-title">${t("outbox.title", { count: pending.length })}</h2>
      ${pending.length ? html`<ul class="plain outbox">${pending.map((m) =>
        html`<li>${icon("cloud")}<span>${waitingChange(m)}</span></li>`)}</ul>`
        : html`<p class="muted">${t("outbox.empty")}</p>`}
    </section>`;
  return {
    title: t("sync.title"), nav: "me", content,
    actions: {
      now: () => requestSync(),
      /** @param {HTMLElement} el */
      dismiss: async (el) => {
        // Read before any await: a redraw meanwhile replaces the card.
        const { conflict, resolved, id } = el.dataset;
        if (conflict) {
          // Read while open: hidden until someone resolves it (then the
          // resolution is news); read once resolved: hidden for good.
          const list = resolved ? "seen_resolutions"
            : "dismissed_conflicts";
          const seen = getMeta(list) ?? [];
          await setMeta({ [list]: [...seen, conflict] });
        }
        if (mem.problems.has(String(id))) {
          await dismissProblem(String(id));
        } else {
          await dismissProblem("");
        }
      },
    },
  };
}
