// @ts-check
/**
 * A signature box: a customer signs with a finger, a stylus or a mouse.
 *
 * The strokes are kept in memory, by the box's key, until they are saved
 * as a picture: the screen may be drawn again between two strokes (a sync
 * ending, a reminder) and the signature must survive it. The saved picture
 * is a PNG, black on white, uploaded like a photo.
 */

import { html } from "./html.js";

/** The box's own units; the picture is twice as large, for sharpness. */
export const PAD_SIZE = { width: 320, height: 160 };

/**
 * Strokes drawn and not saved yet, by key, each a flat list of x, y.
 * @type {Map<string, number[][]>}
 */
const strokes = new Map();
/** @type {{pad: SVGSVGElement, line: number[]} | null} */
let drawing = null;

/** @param {number[][]} lines */
function pathOf(lines) {
  return lines.map((l) => {
    let d = `M${l[0]} ${l[1]}`;
    for (let i = 2; i < l.length; i += 2) d += `L${l[i]} ${l[i + 1]}`;
    return l.length === 2 ? `${d}l0.5 0` : d;
  }).join("");
}

/**
 * The box for `key`, with the strokes drawn in it so far.
 * @param {string} key @param {string} labelledBy @param {string} describedBy
 */
export function signaturePad(key, labelledBy, describedBy) {
  return html`<svg class="pad" data-pad="${key}" viewBox="0 0 ${
    PAD_SIZE.width} ${PAD_SIZE.height}" role="img" aria-labelledby="${
    labelledBy}" aria-describedby="${describedBy}"><path d="${
    pathOf(strokes.get(key) ?? [])}"/></svg>`;
}

/** Has anything been drawn in the box `key`? @param {string} key */
export function drawnOn(key) {
  return (strokes.get(key) ?? []).length > 0;
}

/** Forget the strokes of `key`, or of every box. @param {string} [key] */
export function forgetStrokes(key) {
  if (key === undefined) strokes.clear();
  else strokes.delete(key);
}

/** Empty the box `key` on screen and in memory. @param {string} key */
export function clearPad(key) {
  strokes.delete(key);
  // The strokes are drawn on the box directly, not by the screen's
  // markup: a redraw would find nothing changed.
  const pad = document.querySelector(`svg[data-pad="${CSS.escape(key)}"]`);
  if (pad) showStrokes(/** @type {SVGSVGElement} */ (pad));
}

/** Where a pointer is on a box, in the box's own units.
 * @param {SVGSVGElement} pad @param {PointerEvent} event */
function padPoint(pad, event) {
  const box = pad.getBoundingClientRect();
  return [Math.round((event.clientX - box.left) * PAD_SIZE.width / box.width),
    Math.round((event.clientY - box.top) * PAD_SIZE.height / box.height)];
}

/** @param {SVGSVGElement} pad */
function showStrokes(pad) {
  pad.querySelector("path")?.setAttribute("d",
    pathOf(strokes.get(String(pad.dataset.pad)) ?? []));
}

// Touch and mouse alike: pointer events on the boxes, wherever a screen
// draws them (the screen's redraws wait while a finger is down).
document.addEventListener("pointerdown", (event) => {
  const target = /** @type {Element} */ (event.target);
  const pad = /** @type {SVGSVGElement | null} */ (
    target.closest?.("svg[data-pad]") ?? null);
  if (!pad) return;
  event.preventDefault();
  pad.setPointerCapture?.(event.pointerId);
  const key = String(pad.dataset.pad);
  const line = padPoint(pad, event);
  strokes.set(key, [...(strokes.get(key) ?? []), line]);
  drawing = { pad, line };
  showStrokes(pad);
  // "Sign first" is answered the moment the customer starts signing.
  document.querySelector(`[data-pad-error="${CSS.escape(key)}"]`)?.remove();
});
document.addEventListener("pointermove", (event) => {
  if (!drawing) return;
  drawing.line.push(...padPoint(drawing.pad, event));
  showStrokes(drawing.pad);
});
for (const end of ["pointerup", "pointercancel"]) {
  document.addEventListener(end, () => {
    drawing = null;
  });
}

/** The strokes of `key` as a PNG, black on white.
 * @param {string} key @returns {Promise<Blob>} */
export async function signatureImage(key) {
  const canvas = new OffscreenCanvas(PAD_SIZE.width * 2, PAD_SIZE.height * 2);
  const context = /** @type {OffscreenCanvasRenderingContext2D} */ (
    canvas.getContext("2d"));
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.scale(2, 2);
  context.lineWidth = 2.5;
  context.lineCap = "round";
  context.lineJoin = "round";
  context.strokeStyle = "#111111";
  context.stroke(new Path2D(pathOf(strokes.get(key) ?? [])));
  return canvas.convertToBlob({ type: "image/png" });
}
