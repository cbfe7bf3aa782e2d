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

/** A list younger than this is not asked for again on a redraw. */
const FRESH_MS = 30000;

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

/** @returns {DeviceList | undefined} */
export function knownDevices() {
  return getMeta("devices");
}

/**
 * Ask the server for the list, unless it was asked lately (whatever the
 * answer: a screen redrawn offline must not ask again and again); `then`
 * runs once the answer or its failure is in. Never throws.
 * @param {() => void} then
 * @param {{now?: boolean}} [options] `now`: ask even if asked lately
 */
export function refreshDevices(then, options = {}) {
  if (asked.busy || (!options.now && Date.now() - asked.at < FRESH_MS)) {
    return;
  }
  asked.busy = true;
  asked.at = Date.now();
  api("/api/devices")
    .then(async (answer) => {
      asked.problem = "";
      await setMeta({ devices: { ...answer, at: Date.now() } });
    })
    .catch((exc) => {
      asked.problem = exc instanceof ApiError ? exc.code : "offline";
    })
    .finally(() => {
      asked.busy = false;
      then();
    });
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
