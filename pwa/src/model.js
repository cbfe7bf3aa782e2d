// @ts-check
/**
 * What the screens show: the pulled data with the outbox laid on top.
 *
 * A change waiting in the outbox (or sent, until a pull brings its effect
 * back) is replayed over the server's rows in seq order, so a saved answer
 * or hour shows at once, after a reload, and offline. Rows changed by a
 * change not yet sent carry `pending: true`.
 */

import {
  mem, onChange, getMeta, enqueue, pulled, settledByItself,
} from "./store.js";
import { weekOf, daysOf } from "./dates.js";
import { uuid7 } from "./ids.js";

/**
 * @typedef {Record<string, any>} Row
 * @typedef {{
 *   orders: Map<string, Row>, notes: Map<string, Row>,
 *   runs: Map<string, Row>, answers: Map<string, Map<string, Row>>,
 *   photos: Map<string, Row>, entries: Map<string, Row>, weeks: Map<string, Row>,
 *   conflicts: Map<string, Row>,
 *   steps: Map<string, Row>, arrival: Map<string, Row>,
 * }} View
 */

/** @type {View | null} */
let cached = null;
onChange(() => {
  cached = null;
});

/** @param {string} type */
function rows(type) {
  /** @type {Map<string, Row>} */
  const out = new Map();
  for (const [id, entity] of mem.entities.get(type) ?? []) {
    out.set(id, { ...entity.data, id, version: entity.version });
  }
  return out;
}

/** @returns {View} */
function view() {
  if (cached) return cached;
  /** @type {View} */
  const v = {
    orders: rows("service_order"),
    notes: rows("service_order_note"),
    runs: rows("checklist_run"),
    answers: new Map(),
    photos: rows("checklist_photo"),
    entries: rows("time_entry"),
    weeks: new Map(),
    conflicts: rows("conflict"),
    steps: rows("service_order_step"),
    arrival: rows("service_order_photo"),
  };
  for (const answer of rows("checklist_answer").values()) {
    answersOf(v, answer.run_id).set(answer.item_key, answer);
  }
  for (const week of rows("timesheet_week").values()) {
    v.weeks.set(`${week.user_id}|${week.week}`, week);
  }
  // A photo the server holds until its bytes arrive is still there for
  // the person: shown as not sent, until the server settles it.
  for (const p of mem.problems.values()) {
    if (p.name === "checklist.attach" && waitsForItsPhoto(p)) {
      replay(v, p.name, p.args, true, p.at);
    }
  }
  for (const mutation of mem.outbox) {
    replay(v, mutation.name, mutation.args, mutation.state === "pending",
      mutation.at);
  }
  cached = v;
  return v;
}

/** @param {import("./store.js").Problem} p */
function waitsForItsPhoto(p) {
  const c = p.conflict_id ? pulled("conflict", p.conflict_id)?.data
    : undefined;
  if (c) return c.kind === "missing_blob" && c.status === "open";
  return p.code === "missing_blob";
}

/** @param {View} v @param {string} runId */
function answersOf(v, runId) {
  let found = v.answers.get(runId);
  if (!found) {
    found = new Map();
    v.answers.set(runId, found);
  }
  return found;
}

/**
 * @param {View} v @param {string} userId @param {string} week
 * @returns {Row}
 */
function weekRow(v, userId, week) {
  const key = `${userId}|${week}`;
  let row = v.weeks.get(key);
  if (!row) {
    row = { user_id: userId, week, status: "draft", total_minutes: 0 };
    v.weeks.set(key, row);
  }
  return row;
}

/**
 * The effect of one change, as the server's mutator would make it.
 * @param {View} v @param {string} name @param {Row} args
 * @param {boolean} pending @param {string} at
 */
function replay(v, name, args, pending, at) {
  const me = getMeta("me")?.id;
  switch (name) {
    case "checklist.answer": {
      const answers = answersOf(v, args.run_id);
      answers.set(args.item_key, { ...answers.get(args.item_key),
        run_id: args.run_id, item_key: args.item_key, value: args.value,
        note: args.note ?? null, pending });
      break;
    }
    case "checklist.attach":
      // Photos are only added: one more row, never a replacement.
      if (!v.photos.has(args.photo_id)) {
        v.photos.set(args.photo_id, { id: args.photo_id,
          run_id: args.run_id, item_key: args.item_key,
          sha256: args.sha256, note: args.note ?? null, taken_by_id: me,
          taken_at: at, pending });
      }
      break;
    case "time_entry.put": {
      const before = v.entries.get(args.id);
      v.entries.set(args.id, { ...before, service_order_id: null, note: null,
        ...args, user_id: me, pending });
      for (const day of new Set([before?.work_date, args.work_date])) {
        if (!day) continue;
        const week = weekRow(v, me, weekOf(day));
        if (week.status === "submitted") week.status = "draft";
      }
      break;
    }
    case "time_entry.delete": {
      const before = v.entries.get(args.id);
      v.entries.delete(args.id);
      if (before) {
        const week = weekRow(v, me, weekOf(before.work_date));
        if (week.status === "submitted") week.status = "draft";
      }
      break;
    }
    case "timesheet.submit":
      Object.assign(weekRow(v, me, args.week),
        { status: "submitted", reason: null, pending });
      break;
    case "timesheet.approve": {
      const week = weekRow(v, args.user_id, args.week);
      // The server approves a submitted week only (an approved one stays),
      // and not unseen when a line changed since it was approved.
      if (week.status !== "submitted") break;
      const lines = linesOfWeek(v, args.user_id, args.week);
      const mine = lines.filter(mayDecideOn);
      if (lines.length && !mine.length) break;
      if (mine.some((e) => lineState(e) === "changed")) break;
      for (const e of mine) {
        if (lineState(e) !== "approved") approveLine(v, e, me, at, pending);
      }
      completeWeek(v, week, me, at, pending);
      break;
    }
    case "time_entry.approve": {
      const e = v.entries.get(args.id);
      if (!e || lineState(e) === "approved") break;
      const week = weekRow(v, e.user_id, weekOf(e.work_date));
      if (week.status !== "submitted") break;
      approveLine(v, e, me, at, pending);
      completeWeek(v, week, me, at, pending);
      break;
    }
    case "time_entry.reject": {
      const e = v.entries.get(args.id);
      if (!e) break;
      const week = weekRow(v, e.user_id, weekOf(e.work_date));
      if (week.status !== "submitted") break;
      v.entries.set(e.id, { ...e, decision: "rejected",
        decision_reason: args.reason, decided_by_id: me, decided_at: at,
        pending });
      const code = find("affair", e.affair_id)?.code ?? "";
      Object.assign(week, { status: "rejected", decided_by_id: me,
        decided_at: at, reason: `${code} ${e.work_date}: ${args.reason}`,
        pending });
      break;
    }
    case "timesheet.reject":
      Object.assign(weekRow(v, args.user_id, args.week),
        { status: "rejected", reason: args.reason, decided_by_id: me,
          decided_at: at, pending });
      break;
    case "timesheet.reopen": {
      // The server reopens a decided week only (a submitted one stays).
      const week = weekRow(v, args.user_id, args.week);
      if (week.status === "approved" || week.status === "rejected") {
        Object.assign(week, { status: "draft", submitted_at: null,
          decided_by_id: me, decided_at: at, pending });
      }
      break;
    }
    case "service_order.set_status": {
      const order = v.orders.get(args.id);
      if (order) v.orders.set(args.id, { ...order, status: args.status,
        pending });
      break;
    }
    case "service_order.note":
      v.notes.set(args.note_id, { id: args.note_id, service_order_id: args.id,
        text: args.text, author_id: me, written_at: at, pending });
      break;
    case "service_order.intake":
    case "service_order.step":
    case "service_order.record":
    case "service_order.photo":
    case "service_order.return":
      replayRepair(v, name, args, pending, at, me);
      break;
    case "conflict.resolve": {
      // A decision taken here shows at once; the server replays the kept
      // side, and its effect on the record arrives with the next pull.
      const conflict = v.conflicts.get(args.conflict_id);
      if (conflict && conflict.status === "open") {
        v.conflicts.set(args.conflict_id, { ...conflict, status: "resolved",
          resolution: args.keep, resolved_by_id: me, resolved_at: at,
          pending });
      }
      break;
    }
    default:
      break;
  }
}

// ---- repairs -----------------------------------------------------------

/** A repair's status follows its step (the server's rule). */
const STEP_STATUS = { intake: "planned", returned: "done" };

/**
 * Who pays, decided on the phone until the server's decision comes back
 * (the server also knows the contracts): the same table, warranties only.
 * @param {Row | undefined} m equipment @param {string} day
 */
function warrantyOn(m, day) {
  const c = m?.customer_warranty_ends_on;
  const f = m?.manufacturer_warranty_ends_on;
  if (c && day <= c) return ["customer_warranty", "customer_warranty_running"];
  if (f && day <= f) {
    return ["manufacturer_warranty", "manufacturer_warranty_running"];
  }
  return ["chargeable", c || f ? "warranty_ended" : "no_warranty_known"];
}

/** @param {View} v @param {string} name @param {Row} args
 * @param {boolean} pending @param {string} at @param {string} me */
function replayRepair(v, name, args, pending, at, me) {
  const o = v.orders.get(args.id);
  const step = (/** @type {string} */ s) => {
    v.steps.set(`${args.id}|${s}|${at}`, { service_order_id: args.id,
      step: s, by_id: me, at, pending });
    v.orders.set(args.id, { ...v.orders.get(args.id), step: s,
      status: STEP_STATUS[/** @type {keyof STEP_STATUS} */ (s)]
        ?? "in_progress", pending });
  };
  if (name === "service_order.intake") {
    if (o) return;
    const m = find("equipment", args.equipment_id);
    const [warranty, reason] = warrantyOn(m, at.slice(0, 10));
    v.orders.set(args.id, { id: args.id, number: "", kind: "repair",
      title: args.title, symptoms: args.symptoms,
      equipment_id: args.equipment_id, affair_id: m?.affair_id,
      customer_id: m?.customer_id, site_id: m?.site_id, technician_id: me,
      warranty, warranty_reason: reason });
    for (const r of args.runs ?? []) {
      if (v.runs.has(r.id)) continue;
      v.runs.set(r.id, { id: r.id, template_id: r.template_id,
        service_order_id: args.id, affair_id: m?.affair_id, status: "open",
        guards_step: find("checklist_template", r.template_id)?.guards_step,
        pending });
    }
    step("intake");
  } else if (!o || o.step === "returned") {
    // The server keeps such a change as a conflict: nothing to show.
  } else if (name === "service_order.step") {
    if (o.step !== args.step) step(args.step);
  } else if (name === "service_order.record") {
    const { diagnosis, repair_report: report } = args;
    v.orders.set(args.id, { ...o, diagnosis: diagnosis ?? o.diagnosis,
      repair_report: report ?? o.repair_report, pending });
  } else if (name === "service_order.photo") {
    v.arrival.set(args.photo_id, { id: args.photo_id,
      service_order_id: args.id, sha256: args.sha256, taken_at: at, pending });
  } else if (o.step === "ready") {
    v.orders.set(args.id, { ...o, signature_sha256: args.signature_sha256,
      signed_by: args.signed_by, returned_at: at });
    step("returned");
  }
}

/** A repair's history, oldest first. @param {string} orderId */
export function stepsOf(orderId) {
  return [...view().steps.values()]
    .filter((s) => s.service_order_id === orderId)
    .sort((a, b) => instant(a.at) - instant(b.at));
}

/** Photos of a repair on arrival. @param {string} orderId */
export function arrivalPhotos(orderId) {
  return [...view().arrival.values()]
    .filter((p) => p.service_order_id === orderId);
}

// ---- approval line by line -------------------------------------------

/** The fields an approval keeps (the server's ``ENTRY_FIELDS``). */
const APPROVED_FIELDS = ["affair_id", "service_order_id", "action_id",
  "work_date", "minutes", "starts_at", "ends_at", "time_zone", "note",
  "activity"];

/** Two values of a field, alike? Instants compare as instants (the
 * server writes them in UTC, a device in its own zone).
 * @param {any} a @param {any} b */
function alike(a, b) {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === null || b === null) return a === b;
  if (typeof a === "string" && typeof b === "string" && a.includes("T")) {
    const [x, y] = [Date.parse(a), Date.parse(b)];
    if (!Number.isNaN(x) && !Number.isNaN(y)) return x === y;
  }
  return String(a) === String(b);
}

/** The names of the fields of `e` changed since it was approved.
 * @param {Row} e @returns {string[]} */
export function changedSinceApproved(e) {
  const kept = e.approved_values ?? {};
  return APPROVED_FIELDS.filter((name) => !alike(kept[name], e[name]));
}

/**
 * Where a line stands: "approved" while it still holds what was approved,
 * "changed" once anything moved since (the server's rule too),
 * "rejected", or "pending".
 * @param {Row} e @returns {"approved" | "changed" | "rejected" | "pending"}
 */
export function lineState(e) {
  if (e.decision === "rejected") return "rejected";
  if (e.decision !== "approved") return "pending";
  return changedSinceApproved(e).length ? "changed" : "approved";
}

/**
 * May the signed-in person decide on this line (or, without an affair, on
 * the person's week)? The server's rule (policy.may_decide_on_time):
 * never one's own; administrators; the person's named approver; then the
 * company's route: the affair's manager, or the team's deciders. The
 * device holds only the time of the people it oversees or approves for.
 * The route comes with the person from `/api/auth/me`, asked again at
 * each start when online: a running app learns a changed route at its
 * next start (the server decides meanwhile).
 * @param {Row} e
 */
export function mayDecideOn(e) {
  const self = me();
  if (!self || e.user_id === self.id) return false;
  if (self.role === "admin") return true;
  if (find("user", e.user_id)?.time_approver_id === self.id) return true;
  const manager = find("affair", e.affair_id)?.manager_id;
  if (self.time_approval === "affair" && manager && manager !== e.user_id) {
    return manager === self.id;
  }
  return overseesTeams();
}

/** @param {View} v @param {string} userId @param {string} week */
function linesOfWeek(v, userId, week) {
  const days = new Set(daysOf(week));
  return [...v.entries.values()]
    .filter((e) => e.user_id === userId && days.has(e.work_date));
}

/** @param {View} v @param {Row} e @param {string} by @param {string} at
 * @param {boolean} pending */
function approveLine(v, e, by, at, pending) {
  const kept = Object.fromEntries(APPROVED_FIELDS.map((f) => [f, e[f] ?? null]));
  v.entries.set(e.id, { ...e, decision: "approved", decision_reason: null,
    approved_values: kept, decided_by_id: by, decided_at: at, pending });
}

/** A submitted week whose lines all stand approved is approved.
 * @param {View} v @param {Row} week @param {string} by @param {string} at
 * @param {boolean} pending */
function completeWeek(v, week, by, at, pending) {
  const lines = linesOfWeek(v, week.user_id, week.week);
  if (week.status !== "submitted") return;
  if (!lines.every((e) => lineState(e) === "approved")) return;
  Object.assign(week, { status: "approved", reason: null, decided_by_id: by,
    decided_at: at, pending });
}

/** Lines of submitted weeks waiting for this person's decision. */
export function linesToDecide() {
  const v = view();
  return [...v.entries.values()].filter((e) => {
    const week = v.weeks.get(`${e.user_id}|${weekOf(e.work_date)}`);
    return week?.status === "submitted" && lineState(e) !== "approved"
      && mayDecideOn(e);
  });
}

// ---- reading ---------------------------------------------------------

/** @returns {Row | undefined} */
export function me() {
  return getMeta("me");
}

/** @param {string} type @param {string | null | undefined} id */
export function find(type, id) {
  if (!id) return undefined;
  const entity = pulled(type, id);
  return entity ? { ...entity.data, id, version: entity.version } : undefined;
}

/** @param {string | null | undefined} id */
export function userName(id) {
  return find("user", id)?.name ?? "";
}

/** Service orders of the signed-in person (everyone's for the office). */
export function myOrders() {
  const self = me();
  const all = [...view().orders.values()];
  const own = all.filter((o) => o.technician_id === self?.id);
  return own.length || self?.role === "technician" ? own : all;
}

/** Repairs of a machine not handed back yet, as this phone knows them.
 * @param {string} equipmentId */
export function openRepairsOf(equipmentId) {
  return [...view().orders.values()].filter((o) => o.kind === "repair"
    && o.equipment_id === equipmentId && o.step !== "returned"
    && !["closed", "cancelled"].includes(o.status));
}

/** @param {string} id */
export function order(id) {
  return view().orders.get(id);
}

/** @param {string} orderId */
export function notesOf(orderId) {
  return [...view().notes.values()]
    .filter((n) => n.service_order_id === orderId)
    .sort((a, b) => String(a.written_at).localeCompare(String(b.written_at)));
}

/** @param {string} orderId */
export function runsOf(orderId) {
  return [...view().runs.values()]
    .filter((r) => r.service_order_id === orderId);
}

/** @param {string} id */
export function run(id) {
  return view().runs.get(id);
}

/** @param {string} runId @returns {Map<string, Row>} */
export function answers(runId) {
  return view().answers.get(runId) ?? new Map();
}

/** Photos of one item, oldest first. @param {string} runId
 * @param {string} key */
export function photosOf(runId, key) {
  return [...view().photos.values()]
    .filter((p) => p.run_id === runId && p.item_key === key)
    .sort((a, b) => String(a.taken_at).localeCompare(String(b.taken_at)));
}

/**
 * The items shown for these answers, as the server's checklist_rules: an
 * item with a condition shows when the item it names shows and holds the
 * answer asked for (a yes never stands for the number 1).
 * @param {Row[]} items @param {Map<string, Row>} given
 */
export function shownItems(items, given) {
  /** @type {Set<string>} */
  const shown = new Set();
  return items.filter((item) => {
    const when = item.visible_if;
    const value = when ? given.get(when.item)?.value : undefined;
    const ok = !when || (shown.has(when.item) && value === when.equals
      && (typeof value === "boolean") === (typeof when.equals === "boolean"));
    if (ok) shown.add(item.key);
    return ok;
  });
}

/** Answered items and all items a run shows now. @param {Row} runRow */
export function progress(runRow) {
  const all = find("checklist_template", runRow.template_id)?.items ?? [];
  const given = answers(runRow.id);
  const items = shownItems(all, given);
  const answered = items.filter((/** @type {Row} */ item) => {
    // A photo item is answered by its photos.
    if (item.kind === "photo") return photosOf(runRow.id, item.key).length > 0;
    const a = given.get(item.key);
    return a && a.value !== null && a.value !== "";
  }).length;
  return { answered, total: items.length };
}

/** @param {string} id */
export function entry(id) {
  return view().entries.get(id);
}

/** @param {string} userId @param {string} week */
export function entriesOfWeek(userId, week) {
  const days = new Set(daysOf(week));
  return [...view().entries.values()]
    .filter((e) => e.user_id === userId && days.has(e.work_date));
}

/** @param {string} orderId */
export function entriesOfOrder(orderId) {
  return [...view().entries.values()]
    .filter((e) => e.service_order_id === orderId);
}

/** @param {string} userId @param {string} week @returns {Row} */
export function weekOfUser(userId, week) {
  return view().weeks.get(`${userId}|${week}`)
    ?? { user_id: userId, week, status: "draft", total_minutes: 0 };
}

/** Submitted weeks of other people waiting for this person's decision:
 * a line of them at least, or the week itself when it holds none. */
export function weeksToApprove() {
  const v = view();
  const self = me()?.id;
  return [...v.weeks.values()].filter((w) => {
    if (w.status !== "submitted" || w.user_id === self) return false;
    const lines = linesOfWeek(v, w.user_id, w.week);
    if (!lines.length) return mayDecideOn({ user_id: w.user_id });
    return lines.some((e) => lineState(e) !== "approved" && mayDecideOn(e));
  });
}

/**
 * Weeks of other people decided lately (approved, rejected, or reopened
 * back to draft), the latest decision first.
 * @param {number} [limit]
 */
export function decidedWeeks(limit = 10) {
  const self = me()?.id;
  const when = (/** @type {Row} */ w) => Date.parse(w.decided_at) || 0;
  return [...view().weeks.values()]
    .filter((w) => w.user_id !== self && w.decided_at
      && ["approved", "rejected", "draft"].includes(w.status))
    .sort((a, b) => when(b) - when(a) || b.week.localeCompare(a.week))
    .slice(0, limit);
}

/** Affairs time can be entered on. */
export function openAffairs() {
  return [...rows("affair").values()]
    .filter((a) => !["closed", "lost"].includes(a.status))
    .sort((a, b) => String(a.code).localeCompare(String(b.code)));
}

/** May this person export payroll and billing (the server's reads_costs)? */
export function readsCosts() {
  return ["supervisor", "manager", "admin"].includes(me()?.role);
}

/** May this person ask who is free and plan work (the server's plans_work)? */
export function plansWork() {
  return ["manager", "admin"].includes(me()?.role);
}

/**
 * Does this person look after people: their team's time, conflicts and
 * devices for a supervisor, everyone's for the office (the server's
 * `oversees` and `reviews_devices`)?
 */
export function overseesTeams() {
  return ["supervisor", "manager", "admin"].includes(me()?.role);
}

/** Does this person decide on others' time: those who look after people,
 * and anybody's named approver (`supervises`, from the server)? */
export function supervises() {
  return Boolean(me()?.supervises) || overseesTeams();
}

// ---- conflicts to resolve --------------------------------------------

/** @param {string} id */
export function conflict(id) {
  return view().conflicts.get(id);
}

/**
 * Open conflicts of other people, which this person decides on (the
 * server holds those of their team for a supervisor, everyone's for the
 * office), the oldest first. A change waiting for its photo is not one
 * of them: there is nothing to take yet.
 */
export function conflictsToResolve() {
  const self = me()?.id;
  return [...view().conflicts.values()]
    .filter((c) => c.status === "open" && c.author_id !== self
      && !awaitsItsPhoto(c))
    .sort((a, b) => instant(a.created_at) - instant(b.created_at));
}

/**
 * An open conflict whose change waits on the server for its photo, still
 * on the device that took it: nothing to decide until the photo comes
 * (then the change applies by itself).
 * @param {Row} c
 */
export function awaitsItsPhoto(c) {
  return c.kind === "missing_blob" && c.status === "open";
}

/** The changes of other people waiting for their photo, oldest first. */
export function photosAwaited() {
  const self = me()?.id;
  return [...view().conflicts.values()]
    .filter((c) => awaitsItsPhoto(c) && c.author_id !== self)
    .sort((a, b) => instant(a.created_at) - instant(b.created_at));
}

/** @param {unknown} at an ISO instant */
function instant(at) {
  return Date.parse(String(at)) || 0;
}

/** The resolved conflicts of one device (a decision taken here and not
 * yet sent included). @param {string} clientId */
export function resolvedConflictsOf(clientId) {
  return [...view().conflicts.values()]
    .filter((c) => c.client_id === clientId && c.status === "resolved");
}

/** Conflicts of other people resolved lately, the latest first.
 * @param {number} [limit] */
export function resolvedConflicts(limit = 10) {
  const self = me()?.id;
  return [...view().conflicts.values()]
    .filter((c) => c.status === "resolved" && c.author_id !== self)
    .sort((a, b) => instant(b.resolved_at) - instant(a.resolved_at))
    .slice(0, limit);
}

/** @param {string} id @param {"server" | "device"} keep */
export function resolveConflict(id, keep) {
  return enqueue("conflict.resolve", { conflict_id: id, keep });
}

// ---- problems --------------------------------------------------------

/** A resolution older than this is not news any more on a device that
 * never showed the conflict (a new phone, a wiped store). */
const RESOLUTION_NEWS_DAYS = 14;

/**
 * Changes of this person that did not take: the results kept on this
 * device, and the conflict records of this person pulled from the server
 * (from another device too), minus those the person has read. A conflict
 * someone resolved since stays listed, saying how, until it is read.
 */
export function problems() {
  const self = me()?.id;
  const dismissed = new Set(getMeta("dismissed_conflicts") ?? []);
  const seen = new Set(getMeta("seen_resolutions") ?? []);
  const newsSince = Date.now() - RESOLUTION_NEWS_DAYS * 86400000;
  const local = [...mem.problems.values()];
  const linked = new Set(local.map((p) => p.conflict_id).filter(Boolean));
  /** @type {Row[]} */
  const out = local.map((p) => ({ ...p,
    conflict: p.conflict_id ? find("conflict", p.conflict_id) : undefined }));
  for (const entity of mem.entities.get("conflict")?.values() ?? []) {
    const c = entity.data;
    if (c.author_id !== self || linked.has(entity.id)) continue;
    if (settledByItself(c)) continue;
    const hidden = c.status === "open" ? dismissed.has(entity.id)
      : seen.has(entity.id) || instant(c.resolved_at) < newsSince;
    if (hidden) continue;
    out.push({ id: entity.id, conflict_id: entity.id, status: "conflict",
      name: c.mutation_name, code: c.kind, args: null,
      at: c.created_at, conflict: { ...c, id: entity.id } });
  }
  return out.sort((a, b) => String(b.at).localeCompare(String(a.at)));
}

/** Does this problem still wait for someone? A resolved conflict is news
 * to read, not work to do. @param {Row} p */
export function stillOpen(p) {
  return p.conflict?.status !== "resolved";
}

/**
 * The answers of a checklist that did not take (refused, or kept as a
 * conflict: the visit was closed, the checklist signed...), by item key:
 * the newest change of this person to each item, while it is open. The
 * screen shows the server's value, so it must say that the person's own
 * did not stand. A later answer (waiting here, or stored after it) makes
 * the refusal history, left to the sync page.
 * @param {string} runId @returns {Map<string, Row>}
 */
export function refusedAnswers(runId) {
  /** @type {Map<string, Row>} */
  const found = new Map();
  const seen = new Set();
  // Newest first: only an item's newest problem speaks for it.
  for (const p of problems()) {
    const args = p.args || p.conflict?.mutation_args;
    const name = p.name || p.conflict?.mutation_name;
    if (name !== "checklist.answer" || args?.run_id !== runId) continue;
    if (seen.has(args.item_key)) continue;
    seen.add(args.item_key);
    if (stillOpen(p)) found.set(args.item_key, { ...p, args });
  }
  const stored = answers(runId);
  for (const [key, p] of found) {
    const later = mem.outbox.some((m) => m.name === "checklist.answer"
      && m.args.run_id === runId && m.args.item_key === key
      && m.seq > (p.seq ?? 0));
    const shown = stored.get(key);
    // The value stands after all (the device won a same-field conflict,
    // or someone took the device's side): nothing to say here.
    const stands = shown !== undefined && shown.value === p.args.value;
    const answeredAt = shown?.answered_at;
    if (later || stands
      || (answeredAt && instant(answeredAt) > instant(p.at))) {
      found.delete(key);
    }
  }
  return found;
}

// ---- changing --------------------------------------------------------

/** The version of a pulled row, the base of an edit. @param {string} type
 * @param {string} id */
function baseOf(type, id) {
  return pulled(type, id)?.version;
}

/** @param {string} runId @param {string} key @param {unknown} value
 * @param {string | null} [note]
 * @param {{sha256: string, bytes: Blob}} [blob] a signature's image,
 *   kept with the answer naming it by its hash */
export function answer(runId, key, value, note, blob) {
  const held = [...(mem.entities.get("checklist_answer")?.values() ?? [])]
    .find((e) => e.data.run_id === runId && e.data.item_key === key);
  /** @type {Row} */
  const args = { run_id: runId, item_key: key, value };
  if (note) args.note = note;
  return enqueue("checklist.answer", args, held?.version, blob);
}

/**
 * Add a photo to an item: the photo and the change naming it are kept on
 * this device together; the photo is uploaded before the change is sent.
 * @param {string} runId @param {string} key
 * @param {{sha256: string, bytes: Blob}} photo
 */
export function attachPhoto(runId, key, photo) {
  return enqueue("checklist.attach", { run_id: runId, item_key: key,
    photo_id: uuid7(), sha256: photo.sha256 }, undefined, photo);
}

/** @param {Row} args fields of time_entry.put */
export function putEntry(args) {
  return enqueue("time_entry.put", args, baseOf("time_entry", args.id));
}

/** @param {string} id */
export function deleteEntry(id) {
  return enqueue("time_entry.delete", { id }, baseOf("time_entry", id));
}

/** @param {string} week */
export function submitWeek(week) {
  return enqueue("timesheet.submit", { week });
}

/** @param {string} userId @param {string} week */
export function approveWeek(userId, week) {
  return enqueue("timesheet.approve", { user_id: userId, week });
}

/** @param {string} id */
export function approveEntry(id) {
  return enqueue("time_entry.approve", { id });
}

/** @param {string} id @param {string} reason */
export function rejectEntry(id, reason) {
  return enqueue("time_entry.reject", { id, reason });
}

/** @param {string} userId @param {string} week @param {string} reason */
export function rejectWeek(userId, week, reason) {
  return enqueue("timesheet.reject", { user_id: userId, week, reason });
}

/** Back to draft, so the person can change it (and submit it again).
 * @param {string} userId @param {string} week */
export function reopenWeek(userId, week) {
  return enqueue("timesheet.reopen", { user_id: userId, week });
}

/** @param {string} orderId @param {string} status */
export function setOrderStatus(orderId, status) {
  return enqueue("service_order.set_status", { id: orderId, status },
    baseOf("service_order", orderId));
}

/** @param {string} orderId @param {string} noteId @param {string} text */
export function addNote(orderId, noteId, text) {
  return enqueue("service_order.note", { id: orderId, note_id: noteId, text });
}
