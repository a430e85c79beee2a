// Requests to ResearchHub's API as the sync makes them: JSON in and out, the CSRF token, a
// timeout, and what an answer means for the item sent. Four outcomes: an answer to read, a
// refusal of that item (Refused: it waits, with the reason, for its researcher), a failure
// worth trying again later (Transient: the network, a 5xx, a body that is not ours), or the
// end of the session (SignedOut). Cancelled: the researcher took the item back mid-request.

const TIMEOUT_MS = 30 * 1000;
const IMMEDIATE_RETRIES = 2;
// Any cheap read that needs a session: it tells "you may not do this" from "signed out".
const SESSION_PROBE_URL = "/api/v1/me/availability/";

export class Refused extends Error {}
export class Transient extends Error {}
export class SignedOut extends Error {}
export class Cancelled extends Error {}

function csrfToken() {
  const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
  if (cookie) return decodeURIComponent(cookie.slice("csrftoken=".length));
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

export function describeErrors(data) {
  if (!data || typeof data.errors !== "object" || !data.errors) return "";
  return Object.entries(data.errors)
    .map(([field, messages]) => {
      const text = [].concat(messages).join(" ");
      return ["non_field_errors", "__all__", "detail"].includes(field) ? text : `${field}: ${text}`;
    })
    .join(" ");
}

// A 401 or 403 that names no field is about the request as a whole (no session, stale CSRF
// cookie) rather than a reason about one field of one item.
const wholeRequestRefused = (status, data) =>
  (status === 401 || status === 403) && Object.keys((data && data.errors) || {}).every((field) => field === "detail");

async function signedIn() {
  try {
    const response = await fetch(SESSION_PROBE_URL, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } });
    if (response.status >= 500) throw serverFault(response.status);
    return response.ok;
  } catch (error) {
    throw error instanceof Transient ? error : new Transient("network");
  }
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A dropped connection is retried at once, twice, before the run gives up and backs off:
// on a patchy network the next request often gets through. Every request is safe to
// repeat (operation ids, device ids, offsets, edit times).
//
// `item`: the request is about one item (a photo, a change to one), so a bare 403 may be a
// refusal of that item (a visit that is not hers): the session is checked before the
// answer is taken for a signed-out one.
export async function call(url, options = {}) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await callOnce(url, options);
    } catch (error) {
      if (!(error instanceof Transient) || attempt >= IMMEDIATE_RETRIES) throw error;
      await pause(250 * (attempt + 1));
    }
  }
}

async function callOnce(url, { method = "GET", json, body, headers = {}, item = false } = {}) {
  const controller = new AbortController();
  const timeout = setTimeout(() => controller.abort(), TIMEOUT_MS);
  const init = {
    method,
    credentials: "same-origin",
    cache: "no-store",
    signal: controller.signal,
    headers: { Accept: "application/json", "X-CSRFToken": csrfToken(), ...headers },
  };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["Content-Type"] = "application/json";
  } else if (body !== undefined) {
    init.body = body;
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new Transient("network");
  } finally {
    clearTimeout(timeout);
  }
  let data = null;
  if ((response.headers.get("Content-Type") || "").includes("json")) {
    data = await response.json().catch(() => null);
  }
  if (wholeRequestRefused(response.status, data) && !(item && (await signedIn()))) {
    throw new SignedOut("signed out");
  }
  return { status: response.status, data };
}

// One request with the bytes it sends counted as they go (`onProgress(loaded)`), which
// fetch cannot do; `signal` aborts it (Cancelled). Not retried here: the upload resumes
// from the server's offset.
export function send(url, { method = "PATCH", body, headers = {}, onProgress, signal } = {}) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(method, url);
    request.timeout = TIMEOUT_MS;
    const all = { Accept: "application/json", "X-CSRFToken": csrfToken(), ...headers };
    for (const [name, value] of Object.entries(all)) request.setRequestHeader(name, value);
    if (onProgress) request.upload.onprogress = (event) => onProgress(event.loaded);
    request.onload = () => {
      let data = null;
      if ((request.getResponseHeader("Content-Type") || "").includes("json")) {
        try {
          data = JSON.parse(request.responseText);
        } catch {
          data = null;
        }
      }
      if (wholeRequestRefused(request.status, data)) reject(new SignedOut("signed out"));
      else resolve({ status: request.status, data });
    };
    request.onerror = request.ontimeout = () => reject(new Transient("network"));
    request.onabort = () => reject(new Cancelled("cancelled"));
    if (signal) {
      if (signal.aborted) return reject(new Cancelled("cancelled"));
      signal.addEventListener("abort", () => request.abort(), { once: true });
    }
    request.send(body);
  });
}

// The run's error for an answer that is neither the one hoped for nor a refusal.
export function unexpected(status) {
  return status >= 500 ? serverFault(status) : new Transient("not-confirmed");
}

// 503 is ResearchHub saying a dependency is away for a moment (a restart): like a lost
// connection, the item waits and is tried again with the usual back-off. Any other 5xx is
// retried too, but named as the server error it is.
function serverFault(status) {
  return new Transient(status === 503 ? "busy" : `server ${status}`);
}
