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

/** Room left between a revealed field and the bars around it, in px. */
const FIELD_MARGIN = 8;

/**
 * Scroll so that a focused field shows whole, with the hint and error
 * that describe it, between the sticky header and its form's sticky
 * action bar. The browser's own scrolling on focus knows neither the bar
 * nor the hint under the field. When both cannot fit, the field's top
 * wins: what is typed in stays in sight.
 * @param {HTMLElement} field
 */
export function revealField(field) {
  const bar = field.closest("form")?.querySelector(".actionbar");
  if (!bar || bar.contains(field)) return;

  const described = (field.getAttribute("aria-describedby") || "")
    .split(" ").filter(Boolean)
    .map((id) => document.getElementById(id))
    .filter((el) => el && !el.hidden);
  const parts = [field, ...described];
  const top = field.getBoundingClientRect().top;
  const bottom = Math.max(...parts.map((/** @type {any} */ el) =>
    el.getBoundingClientRect().bottom));
  const header = Math.max(0, ...[...document.querySelectorAll(
    ".top, .sync-line")].map((el) => el.getBoundingClientRect().bottom));
  const floor = bar.getBoundingClientRect().top;

  const down = Math.min(bottom + FIELD_MARGIN - floor,
    top - FIELD_MARGIN - header);
  const up = header + FIELD_MARGIN - top;
  if (down > 0) window.scrollBy(0, down);
  else if (up > 0) window.scrollBy(0, -up);
}
