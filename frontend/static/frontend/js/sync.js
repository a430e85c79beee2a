// Sends the outbox to ResearchHub, in the order the server needs: observations in batches
// to POST /api/v1/sync/, then photos through the resumable upload (upload.js), then what
// refers to photos already sent: cancelled uploads to drop, and photo changes and deletions
// (PATCH / DELETE /api/v1/photos/<id>/, the latest change winning on the server). An item
// leaves the outbox only when the JSON body is ours ("researchhub": "sync-v1" /
// "upload-v1") and names that item: a captive portal's 200 or a proxy's error page confirms
// nothing. Runs on `online`, at start and on a timer, with exponential back-off and jitter
// after failures.

import * as outbox from "./outbox.js";
import { Cancelled, Refused, SignedOut, Transient, call, describeErrors, unexpected } from "./transport.js";

// Loaded when there is a photo to send or take back: not before the screen is ready.
let uploads = null;
const photoUploads = () => (uploads ||= import("./upload.js"));

const SYNC_URL = "/api/v1/sync/";
const PHOTOS_URL = "/api/v1/photos/";
const BATCH_SIZE = 100; // the server takes up to 500; smaller batches fail smaller
const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 5 * 60 * 1000;
const PERIOD_MS = 60 * 1000;

// `upload`: the photo being sent now, for the progress line: {id, deviceId, visit, index,
// count, sent, size, left} (bytes), or null.
export const state = { running: false, failures: 0, nextAt: 0, lastError: "", signedOut: false, upload: null };
const listeners = new Set();
const progressListeners = new Set();
let user = "";
let timer = 0;
let again = false;
let sending = null; // {id, controller} of the photo upload under way

export function onState(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function announce() {
  for (const listener of listeners) listener(state);
}

export function onProgress(listener) {
  progressListeners.add(listener);
  return () => progressListeners.delete(listener);
}

function announceProgress() {
  for (const listener of progressListeners) listener(state.upload);
}

async function sendObservations(items) {
  for (let start = 0; start < items.length; start += BATCH_SIZE) {
    const batch = items.slice(start, start + BATCH_SIZE);
    await Promise.all(batch.map((item) => outbox.patch(item.id, (entry) => ({ attempts: entry.attempts + 1 }))));
    const { status, data } = await call(SYNC_URL, {
      method: "POST",
      json: { operations: batch.map((item) => item.op) },
    });
    const ours = status === 200 && data && data.researchhub === "sync-v1" && Array.isArray(data.results);
    if (!ours) {
      if (status === 400 && data && data.errors) {
        for (const item of batch) await outbox.fail(item.id, describeErrors(data));
        continue;
      }
      throw unexpected(status);
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
        await outbox.fail(item.id, describeErrors(result));
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

const remainingBytes = (item) => Math.max(0, item.size - (item.offset || 0));

async function pendingPhotos(except) {
  return (await outbox.all(user)).filter((item) => item.kind === "photo" && item.state === "pending" && !except.has(item.id));
}

// One photo after another, including those saved while the run is under way; the progress
// counts them as they come ("photo 2 of 3": the ones tried in this run and those waiting).
async function sendPhotos() {
  const tried = new Set();
  for (;;) {
    const [item, ...rest] = await pendingPhotos(tried);
    if (!item) return;
    const { sendPhoto } = await photoUploads();
    tried.add(item.id);
    let others = rest;
    let sent = item.offset || 0;
    const show = () => {
      const later = others.reduce((sum, other) => sum + remainingBytes(other), 0);
      state.upload = { id: item.id, deviceId: item.device_id, visit: item.visit, index: tried.size, count: tried.size + others.length, sent, size: item.size, left: item.size - sent + later };
      announceProgress();
    };
    const recount = outbox.onChange(async () => {
      others = await pendingPhotos(tried);
      if (sending && sending.id === item.id) show();
    });
    const controller = new AbortController();
    sending = { id: item.id, controller };
    show();
    try {
      await sendPhoto(item, {
        onProgress: (bytes) => {
          sent = bytes;
          show();
        },
        signal: controller.signal,
      });
    } catch (error) {
      if (error instanceof Refused) await outbox.fail(item.id, error.message);
      else if (!(error instanceof Cancelled)) throw error;
    } finally {
      recount();
      sending = null;
      state.upload = null;
      announceProgress();
    }
  }
}

async function sendPhotoEdit(item) {
  await outbox.patch(item.id, (entry) => ({ attempts: entry.attempts + 1 }));
  const url = `${PHOTOS_URL}${item.photo}/`;
  let answer;
  if (item.op.type === "delete") {
    answer = await call(`${url}?edited_at=${encodeURIComponent(item.op.edited_at)}`, { method: "DELETE", item: true });
    // Gone already (deleted, or hidden from everyone by a withdrawn consent): done too.
    if (answer.status === 204 || answer.status === 404) {
      return outbox.confirm(item.id, { device_id: item.device_id, visit: item.visit, kind: "photo", deleted: true });
    }
  } else {
    const { edited_at, caption, tags, observation } = item.op;
    answer = await call(url, { method: "PATCH", item: true, json: { edited_at, caption, tags, observation } });
    const photo = answer.data;
    if (answer.status === 200 && photo && photo.id === item.photo && photo.device_id === item.device_id) {
      return outbox.confirm(item.id, outbox.confirmedPhotoRecord(item, photo));
    }
  }
  if ([400, 403, 404, 409].includes(answer.status)) {
    throw new Refused(describeErrors(answer.data) || `refused (${answer.status})`);
  }
  throw unexpected(answer.status);
}

async function runOnce() {
  const pending = (await outbox.all(user)).filter((item) => item.state === "pending");
  const observations = pending.filter((item) => item.kind === "observation");
  if (observations.length) await sendObservations(observations);
  await sendPhotos();
  // After the photos: what refers to a photo the server has. A cancel may become a deletion.
  for (const item of (await outbox.all(user)).filter((entry) => entry.state === "cancelled")) {
    const { finishCancel } = await photoUploads();
    await finishCancel(item);
  }
  for (const item of (await outbox.all(user)).filter((entry) => entry.kind === "photo-edit" && entry.state === "pending")) {
    try {
      await sendPhotoEdit(item);
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      await outbox.fail(item.id, error.message);
    }
  }
}

// The researcher takes back a photo (cancelling it while it is sent, or deleting it before):
// off the phone at once; the server drops what it received on the next run. A photo that
// arrived while she was deciding is deleted as a change instead.
export async function cancelPhoto({ id, deviceId, visit }) {
  const cancelled = await outbox.cancelPhoto(id);
  if (sending && sending.id === id) sending.controller.abort();
  if (!cancelled) {
    const arrived = (await outbox.confirmedFor(visit)).find((record) => record.device_id === deviceId && record.id);
    if (arrived) await outbox.queuePhotoEdit({ user, visit, deviceId, photoId: arrived.id, change: "delete" });
  }
  if (!state.running && navigator.onLine) syncNow();
}

const sendable = (item) => item.state === "pending" || item.state === "cancelled";

// How much is left to send: fewer items, or more bytes of a photo on the server, is progress.
async function remaining() {
  const pending = (await outbox.all(user)).filter(sendable);
  return pending.reduce((sum, item) => sum + (item.kind === "photo" && item.state === "pending" ? 1 + remainingBytes(item) / (item.size + 1) : 1), 0);
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
  const waiting = (await outbox.all(user)).some(sendable);
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
