// Sends the outbox to ResearchHub: observations in batches to POST /api/v1/sync/, photos
// through the resumable upload (create, PATCH chunks at offsets, resume from the server's
// offset after a failure). An item leaves the outbox only when the JSON body is ours
// ("researchhub": "sync-v1" / "upload-v1") and names that item: a captive portal's 200 or
// a proxy's error page confirms nothing. Runs on `online`, at start and on a timer, with
// exponential back-off and jitter after failures.

import * as outbox from "./outbox.js";

const SYNC_URL = "/api/v1/sync/";
const UPLOADS_URL = "/api/v1/uploads/";
const BATCH_SIZE = 100; // the server takes up to 500; smaller batches fail smaller
const CHUNK_BYTES = 256 * 1024;
const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 5 * 60 * 1000;
const PERIOD_MS = 60 * 1000;
const TIMEOUT_MS = 30 * 1000;
const MAX_CHECKSUM_RETRIES = 3;
const IMMEDIATE_RETRIES = 2;

export const state = { running: false, failures: 0, nextAt: 0, lastError: "", signedOut: false };
const listeners = new Set();
let user = "";
let timer = 0;
let again = false;

export function onState(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function announce() {
  for (const listener of listeners) listener(state);
}

// A reason the server gave (shown to the researcher; the item waits for them).
class Refused extends Error {}
// Anything else: the network, a 5xx, a body that is not ours. Tried again later.
class Transient extends Error {}
class SignedOut extends Error {}

function csrfToken() {
  const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
  if (cookie) return decodeURIComponent(cookie.slice("csrftoken=".length));
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A dropped connection is retried at once, twice, before the run gives up and backs off:
// on a patchy network the next request often gets through. Every request is safe to
// repeat (operation ids, device ids, offsets).
async function call(url, options = {}) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await callOnce(url, options);
    } catch (error) {
      if (!(error instanceof Transient) || attempt >= IMMEDIATE_RETRIES) throw error;
      await pause(250 * (attempt + 1));
    }
  }
}

async function callOnce(url, { method = "GET", json, body, headers = {} } = {}) {
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
  // A refusal of the request as a whole (no session, stale CSRF cookie) rather than a
  // reason about one field of one item.
  const fields = data && data.errors ? Object.keys(data.errors) : [];
  if ((response.status === 401 || response.status === 403) && fields.every((f) => f === "detail")) {
    throw new SignedOut("signed out");
  }
  return { status: response.status, data };
}

export function describeErrors(data) {
  if (!data || typeof data.errors !== "object" || !data.errors) return "";
  return Object.entries(data.errors)
    .map(([field, messages]) => {
      const text = [].concat(messages).join(" ");
      return field === "non_field_errors" || field === "__all__" ? text : `${field}: ${text}`;
    })
    .join(" ");
}

async function fail(item, reason) {
  await outbox.save({ ...item, state: "failed", error: reason || "refused" });
}

async function sendObservations(items) {
  for (let start = 0; start < items.length; start += BATCH_SIZE) {
    const batch = items.slice(start, start + BATCH_SIZE);
    batch.forEach((item) => (item.attempts += 1));
    await Promise.all(batch.map((item) => outbox.save(item)));
    const { status, data } = await call(SYNC_URL, {
      method: "POST",
      json: { operations: batch.map((item) => item.op) },
    });
    const ours = status === 200 && data && data.researchhub === "sync-v1" && Array.isArray(data.results);
    if (!ours) {
      if (status === 400 && data && data.errors) {
        for (const item of batch) await fail(item, describeErrors(data));
        continue;
      }
      throw new Transient(status >= 500 ? `server ${status}` : "not-confirmed");
    }
    const byOperation = new Map(batch.map((item) => [item.id, item]));
    let unanswered = batch.length;
    for (const result of data.results) {
      const item = byOperation.get(result.operation_id);
      if (!item || result.device_id !== item.device_id) continue;
      byOperation.delete(result.operation_id);
      unanswered -= 1;
      if (["applied", "duplicate", "conflict"].includes(result.status)) {
        await outbox.confirm(item.id, confirmedObservation(item, result));
      } else if (result.status === "rejected") {
        await fail(item, describeErrors(result));
      }
    }
    if (unanswered) throw new Transient("not-confirmed");
  }
}

function confirmedObservation(item, result) {
  if (item.op.type === "delete") return { device_id: item.device_id, visit: item.visit, kind: "deleted", deleted: true };
  const server = result.observation || {};
  const op = item.op;
  return {
    device_id: item.device_id,
    visit: item.visit,
    kind: server.kind || op.kind,
    text: server.text ?? op.text,
    speaker: server.speaker ?? op.speaker,
    guide_question: server.guide_question ?? op.guide_question,
    tags: Array.isArray(server.tags) ? server.tags.map((tag) => (typeof tag === "string" ? tag : tag.name)) : op.tags,
    captured_at: op.captured_at,
    edited_at: server.edited_at || op.edited_at,
    mine: true,
  };
}

function confirmedPhoto(item, photo) {
  return {
    device_id: item.device_id,
    visit: item.visit,
    kind: "photo",
    id: photo.id,
    caption: item.caption,
    captured_at: item.captured_at,
    status: photo.status || "pending",
    failure_reason: photo.failure_reason || "",
    mine: true,
  };
}

async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const isUpload = (data, item) =>
  data && data.researchhub === "upload-v1" && data.device_id === item.device_id && data.id;

async function sendPhoto(item) {
  const blob = outbox.photoBlob(item);
  item.attempts += 1;
  if (!item.sha256) item.sha256 = await sha256Hex(blob);
  await outbox.save(item);

  if (item.upload) {
    // Resume: the server's offset is the truth, whatever the last answer we got.
    const { status, data } = await call(`${UPLOADS_URL}${item.upload}/`);
    if (status === 404) item.upload = "";
    else if (status === 200 && isUpload(data, item)) item.offset = data.offset;
    else throw new Transient(`server ${status}`);
  }
  if (!item.upload) {
    const { status, data } = await call(UPLOADS_URL, {
      method: "POST",
      json: {
        device_id: item.device_id,
        visit: item.visit,
        length: blob.size,
        sha256: item.sha256,
        caption: item.caption,
        captured_at: item.captured_at,
        observation: null,
      },
    });
    if ((status === 200 || status === 201) && isUpload(data, item)) {
      item.upload = data.id;
      item.offset = data.offset;
      if (data.complete && data.photo) return outbox.confirm(item.id, confirmedPhoto(item, data.photo));
    } else if (status === 400 || status === 413) {
      throw new Refused(describeErrors(data) || `refused (${status})`);
    } else {
      throw new Transient(status >= 500 ? `server ${status}` : "not-confirmed");
    }
  }
  await outbox.save(item);

  for (;;) {
    if (item.offset >= blob.size) {
      // Every byte is there but the answer that said so was lost: ask again.
      const { status, data } = await call(`${UPLOADS_URL}${item.upload}/`);
      if (status === 200 && isUpload(data, item) && data.complete && data.photo) {
        return outbox.confirm(item.id, confirmedPhoto(item, data.photo));
      }
      if (status === 200 && isUpload(data, item) && data.offset < blob.size) {
        item.offset = data.offset;
        continue;
      }
      throw new Transient(status >= 500 ? `server ${status}` : "not-confirmed");
    }
    const chunk = blob.slice(item.offset, item.offset + CHUNK_BYTES);
    const { status, data } = await call(`${UPLOADS_URL}${item.upload}/`, {
      method: "PATCH",
      body: chunk,
      headers: { "Upload-Offset": String(item.offset), "Content-Type": "application/offset+octet-stream" },
    });
    // 409: a chunk whose answer was lost had arrived after all; go on from the real offset.
    if ((status === 200 || status === 409) && isUpload(data, item) && Number.isInteger(data.offset)) {
      if (data.complete && data.photo) return outbox.confirm(item.id, confirmedPhoto(item, data.photo));
      item.offset = data.offset;
      await outbox.save(item);
    } else if (status === 400 && data && data.errors && data.errors.sha256) {
      // The bytes arrived damaged; the server starts the upload again from 0.
      item.checksumRetries = (item.checksumRetries || 0) + 1;
      if (item.checksumRetries > MAX_CHECKSUM_RETRIES) throw new Refused(describeErrors(data));
      item.offset = 0;
      await outbox.save(item);
    } else if (status === 400 || status === 413 || status === 404) {
      throw new Refused(describeErrors(data) || `refused (${status})`);
    } else {
      throw new Transient(status >= 500 ? `server ${status}` : "not-confirmed");
    }
  }
}

async function runOnce() {
  const pending = (await outbox.all(user)).filter((item) => item.state === "pending");
  const observations = pending.filter((item) => item.kind === "observation");
  if (observations.length) await sendObservations(observations);
  for (const item of pending.filter((entry) => entry.kind === "photo")) {
    try {
      await sendPhoto(item);
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      await fail(item, error.message);
    }
  }
}

// How much is left to send: fewer items, or more bytes of a photo on the server, is progress.
async function remaining() {
  const pending = (await outbox.all(user)).filter((item) => item.state === "pending");
  return pending.reduce((sum, item) => sum + (item.kind === "photo" ? 1 + (item.size - item.offset) / (item.size + 1) : 1), 0);
}

function schedule(delay) {
  clearTimeout(timer);
  state.nextAt = Date.now() + delay;
  timer = setTimeout(() => syncNow(), delay);
}

async function exclusive(work) {
  // One tab at a time sends; the server would cope with two, but it wastes a phone's data.
  if (navigator.locks) return navigator.locks.request("researchhub-sync", { ifAvailable: true }, (lock) => (lock ? work() : null));
  return work();
}

export async function syncNow() {
  if (!user) return;
  if (state.running) {
    again = true;
    return;
  }
  clearTimeout(timer);
  state.running = true;
  state.nextAt = 0;
  announce();
  const before = await remaining();
  try {
    await exclusive(runOnce);
    state.failures = 0;
    state.lastError = "";
    state.signedOut = false;
  } catch (error) {
    if (error instanceof SignedOut) {
      state.signedOut = true;
    } else {
      // Getting somewhere keeps the next try close; only a run that moved nothing backs off.
      state.failures = (await remaining()) < before ? 1 : state.failures + 1;
      state.lastError = error instanceof Transient ? error.message : "network";
    }
  } finally {
    state.running = false;
  }
  if (again) {
    again = false;
    return syncNow();
  }
  const waiting = (await outbox.all(user)).some((item) => item.state === "pending");
  if (state.failures && !state.signedOut) {
    // Full back-off with jitter: many phones coming back online together spread out.
    const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (state.failures - 1));
    schedule(ceiling / 2 + Math.random() * (ceiling / 2));
  } else if (waiting && !state.signedOut) {
    // Captured while this run was under way.
    schedule(250);
  }
  announce();
}

export function start(currentUser) {
  user = currentUser;
  window.addEventListener("online", () => {
    state.failures = 0;
    syncNow();
  });
  // The page coming back to the front is a good moment too (phones suspend timers).
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") syncNow();
  });
  outbox.onChange(() => {
    if (!state.running && !state.nextAt && navigator.onLine) syncNow();
  });
  setInterval(() => {
    if (!state.running && !state.nextAt) syncNow();
  }, PERIOD_MS);
  syncNow();
}
