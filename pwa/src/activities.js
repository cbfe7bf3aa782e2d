// @ts-check
/**
 * The activities the company's time is entered under
 * (`GET /api/timesheets/activities`): words only, never their cost.
 *
 * Not synced data: the list is asked for when the entry form opens, at
 * most every few minutes, and kept on this device (meta `activities`),
 * so the form offers it offline too. Words typed on this device that the
 * server does not know yet are offered as well.
 */

import { api } from "./api.js";
import { getMeta, setMeta } from "./store.js";

const KEPT = "activities";
/** A list younger than this is not asked for again when the form opens. */
const FRESH_MS = 5 * 60 * 1000;
/** The server's limit on an activity's words. */
export const MAX_ACTIVITY_LENGTH = 40;

let askedAt = 0;

/**
 * The known activities, sorted as people read them, with `more` (the
 * words of the entries at hand) among them.
 * @param {Array<string | null | undefined>} [more]
 * @returns {string[]}
 */
export function knownActivities(more = []) {
  /** @type {{values: string[]} | undefined} */
  const kept = getMeta(KEPT);
  const words = new Set(kept?.values ?? []);
  for (const word of more) if (word) words.add(word);
  return [...words].sort((a, b) => a.localeCompare(b, undefined,
    { sensitivity: "base" }));
}

/**
 * Ask the server for the list unless it was asked lately; `then` runs
 * when an answer changed it. Offline or refused, the kept list stays.
 * Never throws.
 * @param {() => void} then
 */
export function refreshActivities(then) {
  if (Date.now() - askedAt < FRESH_MS) return;
  askedAt = Date.now();
  api("/api/timesheets/activities")
    .then(async (/** @type {{activities: string[]}} */ answer) => {
      const before = JSON.stringify(getMeta(KEPT)?.values ?? []);
      if (JSON.stringify(answer.activities) === before) return;
      await setMeta({ [KEPT]: { values: answer.activities, at: Date.now() } });
      then();
    })
    .catch(() => {
      // Kept as it was; the next opening of the form a while later asks.
    });
}
