// @ts-check
/** Signing in and out, and whose device this is. */

import { api, ApiError, NetworkError } from "./api.js";
import {
  forgetEverything, getMeta, pendingMutations, setMeta,
} from "./store.js";
import { startSync, stopSync } from "./sync.js";
import { pickLanguage, setLanguage } from "./i18n.js";

/** Another person's changes are still waiting on this device. */
export class OwnerPending extends Error {
  /** @param {string} owner @param {number} count */
  constructor(owner, count) {
    super("changes of another person are waiting");
    this.owner = owner;
    this.count = count;
  }
}

/** @type {{signedIn: () => void, signedOut: () => void,
 *   upgrade: () => void}} */
const hooks = {
  signedIn: () => {},
  signedOut: () => {},
  upgrade: () => {},
};

/** @param {typeof hooks} given */
export function setSessionHooks(given) {
  Object.assign(hooks, given);
}

/**
 * Make `me` the person of this device. A device belongs to one person:
 * another person starts afresh, unless the first one's changes would be
 * lost (then `OwnerPending`, unless `discard`).
 *
 * `fromServer`: `me` is the server's answer (a sign-in, or a session
 * found at start), so the account's language wins over the browser's,
 * unless a language was chosen on this device and not saved with the
 * account yet (on the sign-in screen, or offline): that choice is newer,
 * it stays and is sent.
 * @param {Record<string, any>} me
 * @param {{discard?: boolean, fromServer?: boolean}} [options]
 */
export async function adopt(me, options = {}) {
  const owner = getMeta("owner");
  const unsent = getMeta("lang_unsent") ? getMeta("lang") : null;
  if (owner && owner.id !== me.id) {
    const waiting = pendingMutations().length;
    if (waiting && !options.discard) {
      throw new OwnerPending(owner.name, waiting);
    }
    await forgetEverything();
  }
  /** @type {Record<string, any>} */
  const values = { me, owner: { id: me.id, name: me.name } };
  if (options.fromServer) {
    values.lang = unsent || me.language || null;
    values.lang_unsent = Boolean(unsent);
  }
  await setMeta(values);
  setLanguage(pickLanguage(getMeta("lang"), me.language));
  startSync({ signedOut: hooks.signedOut, upgrade: hooks.upgrade });
  void sendLanguage();
  hooks.signedIn();
}

/**
 * Ask the server what it says of the signed-in person now: their role,
 * their team, the route of approvals, whether they decide on anybody's
 * time may have changed since they signed in. Called at start, online
 * only: one small request; without an answer (offline, an ended session,
 * which the sync then tells) the device keeps what it knew. Resolves to
 * whether anything changed, so the caller draws again.
 * @returns {Promise<boolean>}
 */
export async function refreshMe() {
  if (!getMeta("me") || !navigator.onLine) return false;
  let answer;
  try {
    answer = await api("/api/auth/me");
  } catch {
    return false;
  }
  const now = getMeta("me");
  if (!now || now.id !== answer.id) return false;
  const fresh = { ...now, ...answer };
  if (JSON.stringify(fresh) === JSON.stringify(now)) return false;
  await setMeta({ me: fresh });
  return true;
}

/** @param {string} email @param {string} password */
export async function signIn(email, password) {
  const me = await api("/api/auth/login", { email, password });
  await adopt(me, { fromServer: true });
}

/**
 * The person chose a language on this device: it is kept here at once
 * and saved with their account when signed in and online; offline, it
 * waits here and goes out later (see `sendLanguage`). Never waits for
 * the network.
 * @param {string} lang
 */
export async function chooseLanguage(lang) {
  await setMeta({ lang, lang_unsent: true });
  void sendLanguage();
}

/** @type {Promise<void> | null} */
let sendingLanguage = null;

/**
 * Save the language chosen on this device with the signed-in person's
 * account, if it is not there yet. Called after a choice, at start, when
 * the device comes online and after each sync; one at a time; never
 * throws. A choice made while a request is out goes right after it.
 * @returns {Promise<void>}
 */
export function sendLanguage() {
  if (!sendingLanguage) {
    sendingLanguage = saveLanguage().catch((exc) => {
      console.warn("language not saved", exc);
    }).finally(() => {
      sendingLanguage = null;
    });
  }
  return sendingLanguage;
}

async function saveLanguage() {
  for (let round = 0; round < 3; round += 1) {
    const me = getMeta("me");
    if (!me || !getMeta("lang_unsent")) return;
    const lang = getMeta("lang") || null;
    let answer;
    try {
      answer = await api("/api/auth/me", { language: lang }, "PATCH");
    } catch (exc) {
      // No answer, a busy server or an ended session: try again later
      // (the next start, sync or sign-in). A refusal will not change.
      const later = exc instanceof NetworkError || (exc instanceof ApiError
        && (exc.status >= 500 || [401, 408, 429].includes(exc.status)));
      if (!later) await setMeta({ lang_unsent: false });
      return;
    }
    const now = getMeta("me");
    if (!now || now.id !== answer.id) return;
    const saved = (getMeta("lang") || null) === lang;
    await setMeta({ me: { ...now, ...answer },
      ...(saved ? { lang_unsent: false } : {}) });
    if (saved) return;
  }
}

/**
 * Sign out. Unsent changes stay on the device and go out when the same
 * person signs in again. Needs the network: the session cookie can only
 * be ended by the server.
 */
export async function signOut() {
  // A language chosen offline goes with the account before the session
  // ends (if the server answers soon: signing out does not wait long).
  if (getMeta("lang_unsent")) {
    await Promise.race([sendLanguage(),
      new Promise((resolve) => setTimeout(resolve, 3000))]);
  }
  try {
    await api("/api/auth/logout", {});
  } catch (exc) {
    if (exc instanceof NetworkError) throw exc;
  }
  stopSync();
  await setMeta({ me: null });
  hooks.signedOut();
}
