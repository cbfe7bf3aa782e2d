// @ts-check
/**
 * The sync loop: drain the outbox, then pull until nothing is left.
 *
 *        change saved / online / focus / start / timer / poke
 *                              |
 *                              v
 *   +-------+  request   +-----------+  outbox empty  +---------+
 *   | idle  | ---------> |  pushing  | -------------> | pulling |
 *   +-------+            +-----------+                +---------+
 *     ^  ^                 |  |  ^  409 seq_gap:         |  has_more:
 *     |  |                 |  |  |  renumber, again      |  pull again
 *     |  |                 |  +--+                       |
 *     |  |  done, nothing requested meanwhile            |
 *     |  +----------------------------------------------+
 *     |        (a change made meanwhile: push again)
 *     |
 *     |  timer: backoff   +-----------+
 *     +------------------ |  waiting  | <-- network error, 503, 5xx
 *                         +-----------+
 *       401 -> signed out (outbox kept, resumes after sign-in)
 *       426 -> update the app, reload (outbox kept); with nothing newer
 *              to take yet, ask again on any wake, on a newer app found,
 *              else with backoff, as for a failure
 *
 * Only one run at a time. A request during a run sets `again`, so a
 * change made while a push is in flight goes out right after it.
 *
 * Photos go first: before a batch is pushed, every photo its changes name
 * is uploaded (PUT /api/blobs/<sha256>), so the server has the bytes when
 * the change naming them arrives. An upload that fails like a push (no
 * network, 5xx) holds the batch back and is retried with it. A change
 * held for a photo this phone had uploaded (the server removed the bytes
 * before the change came, or lost them) makes the photo go up again: its
 * arrival applies the held change.
 *
 * Liveness: after a successful run, while signed in and online, an
 * EventSource listens to /api/sync/events. A `poke` ("something of yours
 * changed") is one more request; so is each (re)connection, for what
 * happened while the stream was down. The timers go on regardless: a
 * stream that breaks or is refused only means news waits for them.
 */

import { api, putBlob, ApiError, NetworkError } from "./api.js";
import { nowWithOffset } from "./dates.js";
import {
  applyPage, dismissProblem, getMeta, markBlob, mem, onEnqueue,
  pendingMutations, pruneBlobs, pulled, recordResults, renumberOutbox,
  setMeta, settledByItself, storedBlob,
} from "./store.js";

export const PROTOCOL = 1;
export const SCHEMA = 1;
export const BATCH_SIZE = 100;
const PULL_LIMIT = 1000;
const SLOW_TIMER_MS = 60000;
const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 30000;
const EVENTS_URL = "/api/sync/events";

/**
 * @typedef {"idle" | "sending" | "receiving" | "offline" | "waiting"
 *   | "signed_out" | "upgrading"} SyncState
 */

export const status = {
  /** @type {SyncState} */
  state: "idle",
  failures: 0,
  lastError: "",
  /** The server's event stream is open. */
  live: false,
  /** Pokes received since the app started. */
  pokes: 0,
};

let running = false;
let again = false;
let enabled = false;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let timer;
/** @type {Set<() => void>} */
const watchers = new Set();
/** @type {(() => void) | null} */
let onSignedOut = null;
/** @type {(() => void) | null} */
let onUpgrade = null;
/** @type {EventSource | null} */
let events = null;
/** Streams refused in a row (a server restarting answers 502 or 503). */
let refusedStreams = 0;

// A change saved on the device goes out right away when it can.
onEnqueue(() => requestSync());

/** @param {() => void} fn */
export function onStatus(fn) {
  watchers.add(fn);
}

/** @param {SyncState} state */
function setState(state) {
  status.state = state;
  for (const fn of watchers) fn();
}

/** @param {boolean} live */
function setLive(live) {
  if (status.live === live) return;
  status.live = live;
  for (const fn of watchers) fn();
}

/**
 * Start syncing for the signed-in person.
 * @param {{signedOut: () => void, upgrade: () => void}} hooks
 */
export function startSync(hooks) {
  onSignedOut = hooks.signedOut;
  onUpgrade = hooks.upgrade;
  enabled = true;
  requestSync();
}

export function stopSync() {
  enabled = false;
  clearTimeout(timer);
  stopListening();
}

/** Open the server's event stream, unless it is open or cannot be. */
function listen() {
  if (!enabled || events || typeof EventSource !== "function"
    || !navigator.onLine) return;
  const source = new EventSource(EVENTS_URL);
  events = source;
  source.addEventListener("poke", () => {
    status.pokes += 1;
    requestSync();
  });
  source.addEventListener("open", () => {
    refusedStreams = 0;
    setLive(true);
    requestSync();
  });
  source.addEventListener("error", () => {
    setLive(false);
    // Refused (401, 5xx: the browser gives up) or offline: let it go; the
    // next successful run opens another. A dropped connection otherwise
    // comes back by itself, after the delay the server asked for.
    if (source.readyState === EventSource.CLOSED || !navigator.onLine) {
      stopListening();
      // Refused while online: the server may be restarting, maybe as a
      // newer version (S9). A sync soon, with backoff, finds out, rather
      // than the slow timer a minute later.
      if (navigator.onLine) {
        refusedStreams += 1;
        later(backoff(refusedStreams));
      }
    }
  });
}

function stopListening() {
  events?.close();
  events = null;
  setLive(false);
}

/** Ask for a sync soon; never waits for it, never throws. */
export function requestSync() {
  if (!enabled) return;
  if (running) {
    again = true;
    return;
  }
  clearTimeout(timer);
  run().catch((exc) => console.error("sync failed", exc));
}

/** @param {number} ms */
function later(ms) {
  clearTimeout(timer);
  if (enabled) timer = setTimeout(requestSync, ms);
}

async function run() {
  running = true;
  try {
    do {
      again = false;
      await pushAll();
      await pullAll();
    } while (again && enabled);
    status.failures = 0;
    await setMeta({ last_synced_at: Date.now(), offline_since: null });
    setState("idle");
    later(SLOW_TIMER_MS);
    listen();
  } catch (exc) {
    await failed(exc);
  } finally {
    running = false;
  }
  // A change saved during the last awaits above set `again` after the
  // loop had looked: send it now rather than at the next timer.
  if (again && enabled) {
    again = false;
    requestSync();
  }
}

/** @param {unknown} exc */
async function failed(exc) {
  if (exc instanceof ApiError && exc.status === 401) {
    enabled = false;
    stopListening();
    setState("signed_out");
    onSignedOut?.();
    return;
  }
  status.failures += 1;
  status.lastError = exc instanceof ApiError ? `${exc.status} ${exc.code}`
    : String(exc);
  if (exc instanceof ApiError && exc.status === 426) {
    // Nothing of the request was applied: the outbox waits as it is. The
    // newer app may not be served yet (the server went first); it comes
    // with a server restart (the stream's reconnection asks), a worker
    // found by the browser (app.js), a wake, or this timer, whichever is
    // first. The stream may never have opened: the first run met the 426.
    setState("upgrading");
    onUpgrade?.();
    later(backoff(status.failures));
    listen();
    return;
  }
  const offline = exc instanceof NetworkError || !navigator.onLine;
  if (offline && !getMeta("offline_since")) {
    await setMeta({ offline_since: Date.now() });
  }
  setState(offline ? "offline" : "waiting");
  later(backoff(status.failures));
}

/** Exponential backoff with jitter. @param {number} failures */
export function backoff(failures) {
  const ceiling = Math.min(BACKOFF_MAX_MS,
    BACKOFF_FIRST_MS * 2 ** (failures - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Send pending changes in batches, oldest first, until none is left. */
async function pushAll() {
  // Photos whose changes wait on the server for them go first.
  await uploadBlobs([...mem.problems.values()]);
  let gaps = 0;
  for (;;) {
    const batch = pendingMutations().slice(0, BATCH_SIZE);
    if (!batch.length) return;
    setState("sending");
    await uploadBlobs(batch);
    const body = {
      protocol: PROTOCOL, schema: SCHEMA, client_id: getMeta("client_id"),
      sent_at: nowWithOffset(),
      mutations: batch.map(({ seq, id, name, args, base, at, tz }) =>
        ({ seq, id, name, args, base, at, tz })),
    };
    let answer;
    try {
      answer = await api("/api/sync/push", body);
    } catch (exc) {
      if (!(exc instanceof ApiError) || exc.code !== "seq_gap") throw exc;
      // The server lost numbers before ours (restored from a backup):
      // what is still pending takes the numbers it expects.
      const expected = exc.body?.expected ?? exc.body?.details?.expected;
      gaps += 1;
      if (typeof expected !== "number" || gaps > 2) throw exc;
      if (expected < batch[0].seq) await renumberOutbox(expected);
      continue;
    }
    await recordResults(answer.results);
    await setMeta({ last_sent_at: Date.now() });
    await uploadAgainIfHeld(batch, answer.results);
  }
}

/**
 * A change held for a photo this phone uploaded: the server does not have
 * the bytes any more (they went unused past the horizon before the change
 * came, or a backup was restored). Send them again, in this run.
 * @param {import("./store.js").Mutation[]} batch
 * @param {{seq: number, code?: string}[]} results
 */
async function uploadAgainIfHeld(batch, results) {
  const bySeq = new Map(batch.map((m) => [m.seq, m]));
  for (const result of results) {
    const sha256 = blobOf(bySeq.get(result.seq)?.args);
    if (result.code !== "missing_blob" || !sha256) continue;
    if (storedBlob(sha256)?.state !== "uploaded") continue;
    await markBlob(sha256, "pending");
    again = true;
  }
}

/** The blob a change names: a photo, or a customer's signature.
 * @param {Record<string, any> | null | undefined} args */
function blobOf(args) {
  return args?.sha256 ?? args?.signature_sha256;
}

/**
 * Upload the photos a batch names (or held changes name) that the server
 * does not have yet.
 * @param {{args?: Record<string, any> | null}[]} batch
 */
async function uploadBlobs(batch) {
  for (const m of batch) {
    const sha256 = blobOf(m.args);
    const blob = sha256 ? storedBlob(sha256) : undefined;
    if (!blob || blob.state !== "pending") continue;
    try {
      await putBlob(blob.sha256, blob.bytes);
    } catch (exc) {
      if (!refusedForGood(exc)) throw exc;
      // No retry changes these bytes: the change goes out without them
      // and comes back as a problem the person can read.
      await markBlob(blob.sha256, "refused",
        /** @type {ApiError} */ (exc).code);
      continue;
    }
    await markBlob(blob.sha256, "uploaded");
  }
}

/** @param {unknown} exc */
function refusedForGood(exc) {
  return exc instanceof ApiError && [400, 413, 415].includes(exc.status);
}

/**
 * A change held on the server for its photo (missing_blob) applied when
 * the photo arrived: its conflict came back resolved, it is no problem.
 */
async function dropSettledProblems() {
  for (const p of [...mem.problems.values()]) {
    const c = p.conflict_id ? pulled("conflict", p.conflict_id)?.data
      : undefined;
    if (settledByItself(c)) await dismissProblem(p.id);
  }
}

/** Pull pages until the server has nothing more. */
async function pullAll() {
  // Changes acked before this pull are in what it brings back.
  const acked = mem.outbox.filter((m) => m.state === "acked")
    .map((m) => m.seq);
  setState("receiving");
  for (;;) {
    const page = await api("/api/sync/pull", {
      protocol: PROTOCOL, schema: SCHEMA, client_id: getMeta("client_id"),
      cursor: getMeta("cursor") ?? null, limit: PULL_LIMIT,
    });
    await applyPage(page, page.has_more ? [] : acked);
    if (!page.has_more) break;
  }
  await dropSettledProblems();
  await pruneBlobs();
}

/** Changes not yet sent. */
export function pendingCount() {
  return pendingMutations().length;
}
