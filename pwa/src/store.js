// @ts-check
/**
 * The device's store: IndexedDB, mirrored in memory for instant renders.
 *
 *   meta      {k, v}                 client_id, next_seq, cursor, me, ...
 *   entities  {key: "type/id", type, id, version, data}   pulled rows
 *   outbox    {seq, id, name, args, base?, at, tz, state} changes to send
 *   problems  {id, seq, name, args, status, code, message, conflict_id}
 *   blobs     {sha256, type, size, bytes, state, at}  photos taken here
 *
 * A change is written to the outbox, with its seq taken from meta in the
 * same transaction, before the app says it is saved. The outbox is never
 * cleared by a reset or a sign-out; only a result from the server (or
 * the person, knowingly) removes an entry.
 *
 * A photo is a blob (its bytes, named by their SHA-256) and the change
 * that names it, written in one transaction. The blob is uploaded before
 * that change is pushed; its bytes stay here while a photo of this device
 * names them, so its thumbnail shows offline (see `pruneBlobs`).
 */

import { uuid4, uuid7 } from "./ids.js";
import { nowWithOffset, timeZone } from "./dates.js";

const DB_NAME = "affaires";
// 1: meta, entities, outbox, problems. 2: blobs.
const DB_VERSION = 2;

/**
 * @typedef {{key: string, type: string, id: string, version: number,
 *   data: Record<string, any>}} Entity
 * @typedef {{seq: number, id: string, name: string,
 *   args: Record<string, any>, base?: number, at: string, tz?: string,
 *   state: "pending" | "acked"}} Mutation
 * @typedef {{id: string, seq: number, name: string,
 *   args: Record<string, any>, status: string, code?: string,
 *   message?: string, conflict_id?: string, at: string,
 *   details?: Record<string, any>}} Problem
 * @typedef {{sha256: string, type: string, size: number, bytes: Blob,
 *   state: "pending" | "uploaded" | "refused", code?: string,
 *   at: string}} StoredBlob
 */

/** @type {IDBDatabase} */
let idb;

export const mem = {
  /** @type {Map<string, any>} */
  meta: new Map(),
  /** @type {Map<string, Map<string, Entity>>} */
  entities: new Map(),
  /** @type {Mutation[]} in seq order */
  outbox: [],
  /** @type {Map<string, Problem>} */
  problems: new Map(),
  /** @type {Map<string, StoredBlob>} by sha256 */
  blobs: new Map(),
};

/** @type {Set<() => void>} */
const listeners = new Set();

/** Call `listener` after every change of the data. @param {() => void} fn */
export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** @type {Set<() => void>} */
const enqueued = new Set();

/** Call `fn` after each change written to the outbox. @param {() => void} fn */
export function onEnqueue(fn) {
  enqueued.add(fn);
}

function changed() {
  for (const fn of listeners) fn();
}

/** @param {IDBRequest | IDBTransaction} request @returns {Promise<any>} */
function done(request) {
  return new Promise((resolve, reject) => {
    if (request instanceof IDBTransaction) {
      request.oncomplete = () => resolve(undefined);
      request.onabort = () => reject(request.error);
      request.onerror = () => reject(request.error);
    } else {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    }
  });
}

/**
 * Open the store and load it into memory.
 * @returns {Promise<{fresh: boolean}>} fresh when this install had no
 *   client id yet (first start, or the browser wiped the store)
 */
export async function openStore() {
  const request = indexedDB.open(DB_NAME, DB_VERSION);
  request.onupgradeneeded = (event) => {
    const db = request.result;
    // Each version adds what it needs and keeps what is there: a phone
    // updated with changes in its outbox must find them after the upgrade.
    if (event.oldVersion < 1) {
      db.createObjectStore("meta", { keyPath: "k" });
      db.createObjectStore("entities", { keyPath: "key" });
      db.createObjectStore("outbox", { keyPath: "seq" });
      db.createObjectStore("problems", { keyPath: "id" });
    }
    if (event.oldVersion < 2) {
      db.createObjectStore("blobs", { keyPath: "sha256" });
    }
  };
  idb = await done(request);
  // Another tab upgraded the schema: step aside rather than block it.
  idb.onversionchange = () => idb.close();

  const tx = idb.transaction(["meta", "entities", "outbox", "problems",
    "blobs"]);
  const [meta, entities, outbox, problems, blobs] = await Promise.all([
    done(tx.objectStore("meta").getAll()),
    done(tx.objectStore("entities").getAll()),
    done(tx.objectStore("outbox").getAll()),
    done(tx.objectStore("problems").getAll()),
    done(tx.objectStore("blobs").getAll()),
  ]);
  mem.meta = new Map(meta.map((/** @type {any} */ m) => [m.k, m.v]));
  mem.entities = new Map();
  for (const entity of entities) remember(entity);
  mem.outbox = outbox;
  mem.problems = new Map(problems.map((/** @type {Problem} */ p) =>
    [p.id, p]));
  mem.blobs = new Map(blobs.map((/** @type {StoredBlob} */ b) =>
    [b.sha256, b]));

  if (mem.meta.has("client_id")) return { fresh: false };
  await newInstall();
  return { fresh: true };
}

/** A new client id: a new device for the server, its seq from 1. */
async function newInstall() {
  const tx = idb.transaction("meta", "readwrite");
  const store = tx.objectStore("meta");
  const values = { client_id: uuid4(), next_seq: 1, cursor: null };
  for (const [k, v] of Object.entries(values)) {
    store.put({ k, v });
    mem.meta.set(k, v);
  }
  await done(tx);
}

/** @param {Entity} entity */
function remember(entity) {
  let byId = mem.entities.get(entity.type);
  if (!byId) {
    byId = new Map();
    mem.entities.set(entity.type, byId);
  }
  byId.set(entity.id, entity);
}

/** @param {string} k */
export function getMeta(k) {
  return mem.meta.get(k);
}

/** @param {Record<string, any>} values */
export async function setMeta(values) {
  const tx = idb.transaction("meta", "readwrite");
  for (const [k, v] of Object.entries(values)) {
    tx.objectStore("meta").put({ k, v });
    mem.meta.set(k, v);
  }
  await done(tx);
}

/** @param {string} type @param {string} id @returns {Entity | undefined} */
export function pulled(type, id) {
  return mem.entities.get(type)?.get(id);
}

/** @param {string} type @returns {Entity[]} */
export function pulledAll(type) {
  return [...(mem.entities.get(type)?.values() ?? [])];
}

/**
 * Write one change to the outbox; resolves once it is on the device.
 * @param {string} name mutator name
 * @param {Record<string, any>} args
 * @param {number | undefined} [base] version the change was made on
 * @param {{sha256: string, bytes: Blob}} [blob] the bytes the change
 *   names, kept in the same transaction (a photo never waits without
 *   its change, nor a change without its photo)
 * @returns {Promise<Mutation>}
 */
export async function enqueue(name, args, base, blob) {
  const tx = idb.transaction(["meta", "outbox", "blobs"], "readwrite");
  /** @type {StoredBlob | undefined} */
  let stored;
  if (blob && !mem.blobs.has(blob.sha256)) {
    stored = { sha256: blob.sha256, type: blob.bytes.type,
      size: blob.bytes.size, bytes: blob.bytes, state: "pending",
      at: nowWithOffset() };
    tx.objectStore("blobs").put(stored);
  }
  const metaStore = tx.objectStore("meta");
  const row = await done(metaStore.get("next_seq"));
  const seq = row ? row.v : 1;
  /** @type {Mutation} */
  const mutation = {
    seq, id: uuid7(), name, args, at: nowWithOffset(), state: "pending",
  };
  const tz = timeZone();
  if (tz) mutation.tz = tz;
  if (base !== undefined && base !== null) mutation.base = base;
  tx.objectStore("outbox").add(mutation);
  metaStore.put({ k: "next_seq", v: seq + 1 });
  await done(tx);

  mem.meta.set("next_seq", seq + 1);
  mem.outbox.push(mutation);
  if (stored) mem.blobs.set(stored.sha256, stored);
  changed();
  for (const fn of enqueued) fn();
  return mutation;
}

/**
 * The hash of the bytes a change names: a photo's, or a signature given
 * as a checklist answer (its value is the image's hash).
 * @param {Record<string, any> | null | undefined} args
 * @returns {string | undefined}
 */
export function blobNamed(args) {
  if (args?.sha256) return args.sha256;
  if (args?.signature_sha256) return args.signature_sha256;
  const value = args?.value;
  return typeof value === "string" && /^[0-9a-f]{64}$/.test(value)
    ? value : undefined;
}

/** @param {string} sha256 @returns {StoredBlob | undefined} */
export function storedBlob(sha256) {
  return mem.blobs.get(sha256);
}

/** Photos taken here and not uploaded yet. */
export function pendingBlobs() {
  return [...mem.blobs.values()].filter((b) => b.state === "pending");
}

/**
 * Note what the server said of a blob: "uploaded", or "refused" with the
 * reason (it will never take these bytes; the change naming them goes out
 * anyway and comes back as a problem the person can read), or "pending"
 * again when the server no longer has bytes it once took.
 * @param {string} sha256 @param {"uploaded" | "refused" | "pending"} state
 * @param {string} [code]
 */
export async function markBlob(sha256, state, code) {
  const blob = mem.blobs.get(sha256);
  if (!blob) return;
  const next = { ...blob, state };
  if (code) next.code = code;
  const tx = idb.transaction("blobs", "readwrite");
  tx.objectStore("blobs").put(next);
  await done(tx);
  mem.blobs.set(sha256, next);
  changed();
}

/**
 * Drop the bytes nothing here needs any more: uploaded, named by no
 * change in the outbox and by no photo this device holds (the visit left
 * the phone, or the photo was removed). Called after a complete pull.
 */
export async function pruneBlobs() {
  /** @type {Set<string>} */
  const named = new Set();
  for (const m of mem.outbox) {
    const sha256 = blobNamed(m.args);
    if (sha256) named.add(sha256);
  }
  for (const p of mem.problems.values()) {
    const sha256 = blobNamed(p.args);
    if (sha256) named.add(sha256);
  }
  for (const type of ["checklist_photo", "service_order_photo"]) {
    for (const e of mem.entities.get(type)?.values() ?? []) {
      named.add(e.data.sha256);
    }
  }
  const unused = [...mem.blobs.values()]
    .filter((b) => b.state !== "pending" && !named.has(b.sha256));
  if (!unused.length) return;
  const tx = idb.transaction("blobs", "readwrite");
  for (const b of unused) tx.objectStore("blobs").delete(b.sha256);
  await done(tx);
  for (const b of unused) mem.blobs.delete(b.sha256);
  changed();
}

export function pendingMutations() {
  return mem.outbox.filter((m) => m.state === "pending");
}

/**
 * Record a push's results. Applied changes stay in the outbox, marked
 * acked, until a pull brings their effect back (so the screen never
 * flickers to the old value); the others leave it for the problems list.
 * @param {Array<{seq: number, status: string, code?: string,
 *   message?: string, conflict_id?: string, original?: string,
 *   details?: Record<string, any>}>} results
 */
export async function recordResults(results) {
  const bySeq = new Map(mem.outbox.map((m) => [m.seq, m]));
  /** @type {Set<number>} */
  const settled = new Set();
  const tx = idb.transaction(["outbox", "problems"], "readwrite");
  for (const result of results) {
    const mutation = bySeq.get(result.seq);
    if (!mutation) continue;
    const status = result.status === "duplicate"
      ? result.original || "applied" : result.status;
    if (status === "applied") {
      mutation.state = "acked";
      tx.objectStore("outbox").put(mutation);
      continue;
    }
    /** @type {Problem} */
    const problem = {
      id: mutation.id, seq: mutation.seq, name: mutation.name,
      args: mutation.args, status, at: mutation.at,
    };
    if (result.code) problem.code = result.code;
    if (result.message) problem.message = result.message;
    if (result.conflict_id) problem.conflict_id = result.conflict_id;
    // What a refusal says beyond its code (a voucher's balance left).
    if (result.details) problem.details = result.details;
    tx.objectStore("problems").put(problem);
    tx.objectStore("outbox").delete(mutation.seq);
    mem.problems.set(problem.id, problem);
    settled.add(mutation.seq);
  }
  await done(tx);
  // Filter the outbox as it is now: a change saved while this transaction
  // ran was added to it meanwhile and must stay.
  mem.outbox = mem.outbox.filter((m) => !settled.has(m.seq));
  changed();
}

/**
 * Give the pending changes new numbers from `from` on: the server lost
 * the numbers before them (a restored backup), so they can never come.
 * @param {number} from
 */
export async function renumberOutbox(from) {
  const tx = idb.transaction(["meta", "outbox"], "readwrite");
  const outbox = tx.objectStore("outbox");
  // Read the outbox inside the transaction: a change saved just before it
  // is in there, and gets its new number too.
  /** @type {Mutation[]} */
  const all = await done(outbox.getAll());
  const pending = all.filter((m) => m.state === "pending")
    .sort((a, b) => a.seq - b.seq);
  for (const m of pending) outbox.delete(m.seq);
  let seq = from;
  for (const m of pending) {
    m.seq = seq;
    seq += 1;
    outbox.put(m);
  }
  tx.objectStore("meta").put({ k: "next_seq", v: seq });
  await done(tx);
  mem.outbox = [...all.filter((m) => m.state !== "pending"), ...pending]
    .sort((a, b) => a.seq - b.seq);
  mem.meta.set("next_seq", seq);
  changed();
}

/**
 * Apply one pulled page whole, with the cursor it leads to.
 * @param {{cursor: string, reset: boolean, changes: Array<{op: string,
 *   type: string, id: string, version: number, data?: any}>}} page
 * @param {number[]} ackedSeqs acked changes this page makes visible
 *   (given on the last page of a pull)
 */
export async function applyPage(page, ackedSeqs) {
  const tx = idb.transaction(["meta", "entities", "outbox"], "readwrite");
  const entities = tx.objectStore("entities");
  if (page.reset) entities.clear();
  for (const change of page.changes) {
    const key = `${change.type}/${change.id}`;
    if (change.op === "del") entities.delete(key);
    else {
      entities.put({ key, type: change.type, id: change.id,
        version: change.version, data: change.data });
    }
  }
  for (const seq of ackedSeqs) tx.objectStore("outbox").delete(seq);
  tx.objectStore("meta").put({ k: "cursor", v: page.cursor });
  await done(tx);

  if (page.reset) mem.entities = new Map();
  for (const change of page.changes) {
    if (change.op === "del") mem.entities.get(change.type)?.delete(change.id);
    else {
      remember({ key: `${change.type}/${change.id}`, type: change.type,
        id: change.id, version: change.version, data: change.data });
    }
  }
  const dropped = new Set(ackedSeqs);
  mem.outbox = mem.outbox.filter((m) => !dropped.has(m.seq));
  mem.meta.set("cursor", page.cursor);
  if (page.changes.length || page.reset || ackedSeqs.length) changed();
}

/** The person has read a problem. @param {string} id */
export async function dismissProblem(id) {
  const tx = idb.transaction("problems", "readwrite");
  tx.objectStore("problems").delete(id);
  await done(tx);
  mem.problems.delete(id);
  changed();
}

/**
 * Forget everything of the previous person, outbox included: used only
 * when another person signs in and the first one's changes were given up
 * knowingly. A new client id follows (a device belongs to one person).
 */
export async function forgetEverything() {
  const names = ["meta", "entities", "outbox", "problems", "blobs"];
  const tx = idb.transaction(names, "readwrite");
  for (const name of names) tx.objectStore(name).clear();
  await done(tx);
  mem.meta = new Map();
  mem.entities = new Map();
  mem.outbox = [];
  mem.problems = new Map();
  mem.blobs = new Map();
  await newInstall();
  changed();
}

/** Drop the pulled data (not the outbox): the next pull starts afresh. */
export async function dropPulledData() {
  const tx = idb.transaction(["entities", "meta"], "readwrite");
  tx.objectStore("entities").clear();
  tx.objectStore("meta").put({ k: "cursor", v: null });
  await done(tx);
  mem.entities = new Map();
  mem.meta.set("cursor", null);
  changed();
}

/**
 * A change held on the server for its photo (missing_blob) and applied
 * when the photo arrived: nobody decided anything, there is no news.
 * @param {Record<string, any> | undefined} c a conflict record
 */
export function settledByItself(c) {
  return c?.kind === "missing_blob" && c.status === "resolved"
    && c.resolution === "device";
}

/**
 * A change held on the server for its photo and dropped by a supervisor
 * who gave up on the photo (the phone that took it was lost): news for its
 * author, who will not see it apply. A change that could never apply once
 * its photo came is resolved by nobody.
 * @param {Record<string, any> | undefined} c a conflict record
 */
export function givenUp(c) {
  return c?.kind === "missing_blob" && c.status === "resolved"
    && c.resolution === "server" && Boolean(c.resolved_by_id);
}
