// @ts-check
/** The server's JSON API, with its failures sorted into kinds. */

const TIMEOUT_MS = 30000;
// A photo of a few hundred kilobytes on a weak signal takes its time.
const UPLOAD_TIMEOUT_MS = 120000;

/** The server answered with an error shape {code, message, details}. */
export class ApiError extends Error {
  /** @param {number} status @param {any} body */
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.code || "http_error";
    this.body = body;
  }
}

/** No answer at all: offline, timed out, or the server is down. */
export class NetworkError extends Error {}

/**
 * @param {string} path
 * @param {unknown} [body] sent as JSON, with POST unless `method` says
 * @param {string} [method] e.g. "PATCH"
 * @returns {Promise<any>}
 */
export async function api(path, body, method = "POST") {
  /** @type {RequestInit} */
  const init = {};
  if (body !== undefined) {
    init.method = method;
    init.headers = { "Content-Type": "application/json" };
    init.body = JSON.stringify(body);
  }
  return send(path, init, TIMEOUT_MS);
}

/**
 * Upload a blob's bytes under their SHA-256 (the server checks both).
 * @param {string} sha256 @param {Blob} bytes
 * @returns {Promise<any>}
 */
export function putBlob(sha256, bytes) {
  return send(`/api/blobs/${sha256}`, { method: "PUT",
    headers: { "Content-Type": bytes.type }, body: bytes },
  UPLOAD_TIMEOUT_MS);
}

/**
 * @param {string} path @param {RequestInit} request @param {number} ms
 * @returns {Promise<any>}
 */
async function send(path, request, ms) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  /** @type {RequestInit} */
  const init = { ...request, credentials: "same-origin",
    signal: abort.signal, cache: "no-store" };
  let response;
  try {
    response = await fetch(path, init);
  } catch (exc) {
    throw new NetworkError(String(exc));
  } finally {
    clearTimeout(timer);
  }
  // Done, nothing to say (204): not an answer cut short.
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    if (response.ok) throw new NetworkError("the answer was cut short");
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}
