// @ts-check
/**
 * The devices of the people a supervisor looks after (`GET /api/devices`).
 *
 * Devices are not synced data: the list is asked for when a screen shows
 * it and kept on this device with the time it was asked, so it still
 * shows offline, saying how old it is. It leaves with the person (a
 * sign-out forgets it).
 */

import { api, ApiError } from "./api.js";
import { t } from "./i18n.js";
import { getMeta, setMeta } from "./store.js";
import { resolvedConflictsOf } from "./model.js";

/** A list younger than this is not asked for again on a redraw. */
const FRESH_MS = 30000;
/** After a failed request, a redraw asks again after this. */
const RETRY_MS = 5000;

/**
 * @typedef {{client_id: string, user_id: string, user_name: string,
 *   agent: string | null, status: "active" | "silent" | "replaced",
 *   first_seen_at: string, last_seen_at: string,
 *   last_push_at: string | null, last_pull_at: string | null,
 *   last_seq: number, unconfirmed: boolean, open_conflicts: number,
 *   replaced_by: string | null, replaced_at: string | null}} DeviceRow
 * @typedef {{at: number, silent_after_days: number,
 *   devices: DeviceRow[]}} DeviceList
 */

/** The last request: when, whether it is under way, and what went
 * wrong ("" when nothing, "offline", or the server's error code). */
export const asked = { at: 0, busy: false, problem: "" };
/** What to run when the request under way is answered. @type {Array<() => void>} */
const waiting = [];

/** @returns {DeviceList | undefined} */
export function knownDevices() {
  return getMeta("devices");
}

/**
 * Ask the server for the list, unless it was asked lately (whatever the
 * answer: a screen redrawn offline must not ask again and again); `then`
 * runs once the answer or its failure is in, also when the request was
 * already under way. Never throws.
 * @param {() => void} then
 * @param {{now?: boolean}} [options] `now`: ask even if asked lately
 */
export function refreshDevices(then, options = {}) {
  if (asked.busy) {
    // Asked already (by the screen before this one, say): this screen is
    // redrawn too when the answer comes.
    waiting.push(then);
    return;
  }
  if (!options.now && Date.now() - asked.at < FRESH_MS) return;
  asked.busy = true;
  waiting.push(then);
  asked.at = Date.now();
  api("/api/devices")
    .then(async (answer) => {
      asked.problem = "";
      await setMeta({ devices: { ...answer, at: Date.now() } });
    })
    .catch((exc) => {
      asked.problem = exc instanceof ApiError ? exc.code : "offline";
      // A busy server or a dropped answer: ask again on a redraw a few
      // seconds on, not only after FRESH_MS.
      asked.at = Date.now() - FRESH_MS + RETRY_MS;
    })
    .finally(() => {
      asked.busy = false;
      for (const waiter of waiting.splice(0)) waiter();
    });
}

/** A conflict was resolved here: the list's counts are out of date, the
 * next screen that shows it asks again. */
export function devicesOutdated() {
  asked.at = 0;
}

/** Whether a device of the list is the one in hand: it is talking to the
 * server right now, whatever the list (asked before its pull was
 * recorded) says. @param {DeviceRow} d */
export function isThisDevice(d) {
  return d.client_id === getMeta("client_id");
}

/**
 * A device's open conflicts as the list counts them, less those resolved
 * here since it was asked (a decision still waiting to be sent included).
 * @param {DeviceRow} d @param {DeviceList} list
 */
export function openConflicts(d, list) {
  const settled = resolvedConflictsOf(d.client_id).filter((c) =>
    c.pending || (Date.parse(c.resolved_at) || 0) > list.at).length;
  return Math.max(0, d.open_conflicts - settled);
}

/** "#a3f9": the end of a client id, enough to tell two devices apart.
 * @param {string} clientId */
export function shortId(clientId) {
  return `#${String(clientId).replace(/-/g, "").slice(-4)}`;
}

/** "Android · Chrome #a3f9", or "Device #a3f9" when the list does not
 * know it. @param {string} clientId */
export function deviceName(clientId) {
  const found = knownDevices()?.devices
    .find((d) => d.client_id === clientId);
  const short = shortId(clientId);
  return found?.agent ? `${found.agent} ${short}`
    : t("devices.unnamed", { short });
}
