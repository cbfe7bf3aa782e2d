// @ts-check
/**
 * Photos taken on the phone: made small enough to travel on a weak
 * signal, named by the SHA-256 of their bytes, and shown from this device
 * when it holds them (offline too), else from the server.
 */

import { storedBlob } from "./store.js";

// The longest side after resizing: details of a nameplate stay legible,
// a photo weighs a few hundred kilobytes.
const MAX_SIDE = 1600;
const JPEG_QUALITY = 0.82;
// What the server takes as it is, when the phone cannot redraw a photo.
const TAKEN_AS_IS = ["image/jpeg", "image/png", "image/webp"];
const MAX_AS_IS = 8 * 1024 * 1024;

/** A photo the phone cannot read or send. */
export class UnreadablePhoto extends Error {}

/**
 * The photo to keep: resized to JPEG, with its hash.
 * @param {Blob} file as the camera or the picker gave it
 * @returns {Promise<{sha256: string, bytes: Blob}>}
 */
export async function preparePhoto(file) {
  const bytes = await resized(file);
  return { sha256: await sha256Of(bytes), bytes };
}

/** @param {Blob} file @returns {Promise<Blob>} */
async function resized(file) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    if (TAKEN_AS_IS.includes(file.type) && file.size <= MAX_AS_IS
      && await looksLikeAnImage(file)) {
      return file;
    }
    throw new UnreadablePhoto(file.type);
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext("2d");
  if (!context) throw new UnreadablePhoto("no canvas");
  // JPEG has no transparency: a transparent picture stays readable.
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, width, height);
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  return canvas.convertToBlob({ type: "image/jpeg", quality: JPEG_QUALITY });
}

/**
 * Do the first bytes say JPEG, PNG or WebP, as the server will check? A
 * file only named like a photo is refused here, before anything is saved.
 * @param {Blob} file
 */
async function looksLikeAnImage(file) {
  const head = new Uint8Array(await file.slice(0, 12).arrayBuffer());
  const text = (/** @type {number} */ from, /** @type {number} */ to) =>
    String.fromCharCode(...head.slice(from, to));
  return (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff)
    || (head[0] === 0x89 && text(1, 4) === "PNG")
    || (text(0, 4) === "RIFF" && text(8, 12) === "WEBP");
}

/** @param {Blob} bytes @returns {Promise<string>} lower-case hex */
export async function sha256Of(bytes) {
  const digest = await crypto.subtle.digest("SHA-256",
    await bytes.arrayBuffer());
  return [...new Uint8Array(digest)]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** @type {Map<string, string>} object URLs of the bytes held here */
const local = new Map();

/**
 * Where to draw a photo from: its bytes on this phone, or the server
 * (which answers once the photo reached it, and lets the browser keep it).
 * @param {string} sha256
 */
export function photoUrl(sha256) {
  const held = storedBlob(sha256);
  if (!held) {
    // The bytes left this phone: let their copy in memory go too.
    const gone = local.get(sha256);
    if (gone) URL.revokeObjectURL(gone);
    local.delete(sha256);
    return `/api/blobs/${sha256}`;
  }
  let url = local.get(sha256);
  if (!url) {
    url = URL.createObjectURL(held.bytes);
    local.set(sha256, url);
  }
  return url;
}
