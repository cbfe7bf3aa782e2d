// @ts-check
/** The server's JSON API, with its failures sorted into kinds. */

const TIMEOUT_MS = 30000;

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
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
  /** @type {RequestInit} */
  const init = { credentials: "same-origin", signal: abort.signal,
    cache: "no-store" };
  if (body !== undefined) {
    init.method = method;
    init.headers = { "Content-Type": "application/json" };
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (exc) {
    throw new NetworkError(String(exc));
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    if (response.ok) throw new NetworkError("the answer was cut short");
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}
