// What a visit holds, as its capture screen shows it: the server's copy from the page, what
// the server confirmed since (kept on the phone), and the outbox on top (waiting or refused).

import * as outbox from "./outbox.js";

const moment = (record) => Date.parse(record.edited_at || record.captured_at);
const newer = (a, b) => !b || moment(a) >= moment(b);

// A photo's processing (id, status) is the server's to tell; its content (caption, tags, the
// item it goes with) is whoever changed it last.
function mergePhoto(known, record) {
  if (!known) return { ...record, state: "synced" };
  const content = newer(record, known) ? record : known;
  return { ...known, ...content, id: known.id || record.id, status: known.status || record.status, failure_reason: known.failure_reason || record.failure_reason, state: "synced" };
}

function overlayObservation(items, entry, meta) {
  // Known to the server: from the page, or confirmed since. Never known: it can be moved.
  const known = items.get(entry.device_id);
  if (entry.op.type === "delete") {
    if (meta.state === "failed") {
      const shown = known || { device_id: entry.device_id, kind: "note", text: "" };
      items.set(entry.device_id, { ...shown, ...meta, deleting: true });
    } else {
      items.delete(entry.device_id);
    }
    return;
  }
  items.set(entry.device_id, {
    ...entry.op,
    ...meta,
    mine: true,
    onServer: Boolean(known) || entry.attempts > 0,
    movable: !known && meta.state === "failed",
  });
}

function overlayPhotoEdit(photos, entry, meta) {
  const known = photos.get(entry.device_id);
  if (entry.op.type === "delete") {
    if (meta.state !== "failed") photos.delete(entry.device_id);
    else if (known) photos.set(entry.device_id, { ...known, ...meta, deleting: true, editId: entry.id });
    return;
  }
  // Refused for a photo no longer shown (deleted meanwhile): shown anyway, with the reason.
  const base = known || { device_id: entry.device_id, id: entry.photo, captured_at: entry.op.edited_at, mine: true, status: "" };
  photos.set(entry.device_id, {
    ...base,
    caption: entry.op.caption,
    tags: entry.op.tags,
    observation: entry.op.observation,
    edited_at: entry.op.edited_at,
    ...meta,
    editId: entry.id,
  });
}

export async function collect(data, { visit, user }) {
  const items = new Map();
  const photos = new Map();
  for (const observation of data.observations) items.set(observation.device_id, { ...observation, state: "synced" });
  for (const photo of data.photos) photos.set(photo.device_id, { ...photo, state: "synced" });
  for (const record of await outbox.confirmedFor(visit)) {
    if (record.kind === "photo") {
      if (record.deleted) photos.delete(record.device_id);
      else photos.set(record.device_id, mergePhoto(photos.get(record.device_id), record));
    } else if (record.deleted) {
      items.delete(record.device_id);
    } else if (newer(record, items.get(record.device_id))) {
      items.set(record.device_id, { ...record, state: "synced" });
    }
  }
  for (const entry of await outbox.all(user)) {
    if (entry.visit !== visit || !outbox.isWaiting(entry)) continue;
    const meta = { state: entry.state === "failed" ? "failed" : "waiting", error: entry.error, outboxId: entry.id };
    if (entry.kind === "photo") {
      photos.set(entry.device_id, { ...entry, ...meta, local: true, mine: true, movable: meta.state === "failed" });
    } else if (entry.kind === "photo-edit") {
      overlayPhotoEdit(photos, entry, meta);
    } else {
      overlayObservation(items, entry, meta);
    }
  }
  return { items, photos };
}

const byCaptureNewestFirst = (a, b) => Date.parse(b.captured_at) - Date.parse(a.captured_at);

export function sortedItems(current) {
  return [...current.items.values()].sort(byCaptureNewestFirst);
}

export function sortedPhotos(current) {
  return [...current.photos.values()].sort(byCaptureNewestFirst);
}
