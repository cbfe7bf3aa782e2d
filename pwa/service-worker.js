// @ts-check
/* The server prepends: const BUILD = "..."; const PRECACHE = [...];
 *
 * install:  cache every file of this build under its own cache name
 * activate: drop the caches of older builds, take control of the pages
 * fetch:    pages -> the cached app shell ("/"), so the app starts offline;
 *           app files -> cache first; /api/* -> never touched (network);
 *           files not precached (src/office/) -> the server, revalidated
 * message:  "skip-waiting" -> this version takes over (Update now)
 */
/* global BUILD, PRECACHE */
/// <reference lib="webworker" />

const CACHE = `affaires-${BUILD}`;
const sw = /** @type {ServiceWorkerGlobalScope} */ (
  /** @type {unknown} */ (self));

sw.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) =>
    cache.addAll(PRECACHE.map((url) =>
      new Request(url, { cache: "reload" })))));
});

sw.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith("affaires-") && name !== CACHE)
      .map((name) => caches.delete(name)));
    await sw.clients.claim();
  })());
});

sw.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== sw.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname === "/sw.js") return;

  if (request.mode === "navigate") {
    event.respondWith(fromCache("/", request));
    return;
  }
  event.respondWith(fromCache(url.pathname, request));
});

/** @param {string} key @param {Request} request */
async function fromCache(key, request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key);
  if (hit) return hit;
  // The office's screens are not precached: the browser's own copy may be
  // of an older version than the app, so the server is asked each time
  // (a "not modified" answer when nothing changed).
  if (request.mode === "navigate") return fetch(request);
  return fetch(request, { cache: "no-cache" });
}

sw.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") sw.skipWaiting();
});
