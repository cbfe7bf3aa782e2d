// @ts-check
/** Small services the screens call: moving to a route, a passing message. */

/** @param {string} hash e.g. "#/time" */
export function go(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent(
    "hashchange"));
  else location.hash = hash;
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let toastTimer;

/** A short message in the live region. @param {string} text */
export function toast(text) {
  const box = document.getElementById("toast");
  if (!box) return;
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    box.hidden = true;
  }, 3000);
}

/** The route's query: "#/entry/new?day=2026-12-04" -> {day: ...}. */
export function query() {
  const at = location.hash.indexOf("?");
  return new URLSearchParams(at < 0 ? "" : location.hash.slice(at + 1));
}
