// @ts-check
/** Signing in and out, and whose device this is. */

import { api, NetworkError } from "./api.js";
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
 * @param {Record<string, any>} me
 * @param {boolean} [discard]
 */
export async function adopt(me, discard = false) {
  const owner = getMeta("owner");
  if (owner && owner.id !== me.id) {
    const waiting = pendingMutations().length;
    if (waiting && !discard) throw new OwnerPending(owner.name, waiting);
    await forgetEverything();
  }
  await setMeta({ me, owner: { id: me.id, name: me.name } });
  setLanguage(pickLanguage(getMeta("lang"), me.language));
  startSync({ signedOut: hooks.signedOut, upgrade: hooks.upgrade });
  hooks.signedIn();
}

/** @param {string} email @param {string} password */
export async function signIn(email, password) {
  const me = await api("/api/auth/login", { email, password });
  await adopt(me);
}

/**
 * Sign out. Unsent changes stay on the device and go out when the same
 * person signs in again. Needs the network: the session cookie can only
 * be ended by the server.
 */
export async function signOut() {
  try {
    await api("/api/auth/logout", {});
  } catch (exc) {
    if (exc instanceof NetworkError) throw exc;
  }
  stopSync();
  await setMeta({ me: null });
  hooks.signedOut();
}
