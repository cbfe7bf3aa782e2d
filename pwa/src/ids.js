// @ts-check
/** Identifiers made on the device (PROTOCOL.md, Identities). */

/** @param {Uint8Array} bytes */
function format(bytes) {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0"));
  return [
    hex.slice(0, 4).join(""),
    hex.slice(4, 6).join(""),
    hex.slice(6, 8).join(""),
    hex.slice(8, 10).join(""),
    hex.slice(10, 16).join(""),
  ].join("-");
}

let lastMs = 0;
let counter = 0;

/**
 * A UUIDv7: 48 bits of Unix milliseconds, then random bits. Ids made in
 * the same millisecond on this device still sort in the order made.
 */
export function uuid7() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let ms = Date.now();
  if (ms <= lastMs) {
    counter += 1;
    ms = lastMs;
  } else {
    counter = 0;
    lastMs = ms;
  }
  for (let i = 5; i >= 0; i -= 1) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | ((counter >> 8) & 0x0f);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  return format(bytes);
}

/** A random UUIDv4, for the install's client id. */
export function uuid4() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = 0x40 | (bytes[6] & 0x0f);
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  return format(bytes);
}
