// Sends one photo through the resumable upload: create it (with its caption, tags and the
// item it goes with), PATCH chunks at offsets with the bytes counted as they go, resume from
// the server's offset after a failure. An entry leaves the outbox only when the JSON body is
// ours ("upload-v1") and names that photo. And takes back what the researcher cancelled:
// the server drops what it received (DELETE), or, if the photo was already made, the photo
// is deleted as a change.

import * as outbox from "./outbox.js";
import { Cancelled, Refused, call, describeErrors, send, unexpected } from "./transport.js";

const UPLOADS_URL = "/api/v1/uploads/";
const CHUNK_BYTES = 256 * 1024;
const MAX_CHECKSUM_RETRIES = 3;

async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const isUpload = (data, item) =>
  data && data.researchhub === "upload-v1" && data.device_id === item.device_id && data.id;

// Progress and the researcher's changes live in the outbox entry; read it back after each
// step, so a cancel or an edit made meanwhile is seen.
async function update(item, changes) {
  const latest = await outbox.patch(item.id, changes);
  if (!latest || latest.state === "cancelled") throw new Cancelled("cancelled");
  return latest;
}

// Drop an upload the server holds. Answers null, or the server's answer when the upload
// had already made its photo ({photo, errors}).
async function abortUpload(uploadId) {
  const { status, data } = await call(`${UPLOADS_URL}${uploadId}/`, { method: "DELETE" });
  if (status === 204 || status === 404) return null;
  if (status === 409 && data && data.photo) return data;
  throw unexpected(status);
}

export async function sendPhoto(item, { onProgress, signal }) {
  const blob = outbox.photoBlob(item);
  item = await update(item, { attempts: item.attempts + 1, sha256: item.sha256 || (await sha256Hex(blob)) });

  if (item.abandoned) {
    // Moved to another visit after its upload for the first one was opened.
    const made = await abortUpload(item.abandoned);
    if (made) throw new Refused(describeErrors(made));
    item = await update(item, { abandoned: "" });
  }
  if (item.upload) {
    // Resume: the server's offset is the truth, whatever the last answer we got.
    const { status, data } = await call(`${UPLOADS_URL}${item.upload}/`);
    if (status === 404) item = await update(item, { upload: "", offset: 0 });
    else if (status === 200 && isUpload(data, item)) item = await update(item, { offset: data.offset });
    else throw unexpected(status);
  }
  if (!item.upload) {
    const { status, data } = await call(UPLOADS_URL, {
      method: "POST",
      item: true,
      json: {
        device_id: item.device_id,
        visit: item.visit,
        length: blob.size,
        sha256: item.sha256,
        caption: item.caption || "",
        tags: item.tags || [],
        captured_at: item.captured_at,
        observation: item.observation || null,
      },
    });
    if ((status === 200 || status === 201) && isUpload(data, item)) {
      // Cancelled while this was under way: the upload now exists and is dropped later.
      // Changed while it was under way: the change follows the photo (see confirmPhoto).
      const sent = item.edited_at;
      item = await update(item, (latest) => ({
        upload: data.id,
        offset: data.offset,
        editedAfterCreate: Boolean(latest.editedAfterCreate) || latest.edited_at !== sent,
      }));
      if (data.complete && data.photo) return outbox.confirmPhoto(item.id, outbox.confirmedPhotoRecord(item, data.photo));
    } else if (status >= 400 && status < 500 && status !== 429) {
      // 429: too many of this researcher's uploads are still open; they finish or expire,
      // so this one waits in the outbox and is tried again with the usual back-off.
      throw new Refused(describeErrors(data) || `refused (${status})`);
    } else {
      throw unexpected(status);
    }
  }
  onProgress(item.offset);

  for (;;) {
    if (item.offset >= blob.size) {
      // Every byte is there but the answer that said so was lost: ask again.
      const { status, data } = await call(`${UPLOADS_URL}${item.upload}/`);
      if (status === 200 && isUpload(data, item) && data.complete && data.photo) {
        return outbox.confirmPhoto(item.id, outbox.confirmedPhotoRecord(item, data.photo));
      }
      if (status === 200 && isUpload(data, item) && data.offset < blob.size) {
        item = await update(item, { offset: data.offset });
        continue;
      }
      throw unexpected(status);
    }
    const start = item.offset;
    const { status, data } = await send(`${UPLOADS_URL}${item.upload}/`, {
      body: blob.slice(start, start + CHUNK_BYTES),
      headers: { "Upload-Offset": String(start), "Content-Type": "application/offset+octet-stream" },
      onProgress: (loaded) => onProgress(start + loaded),
      signal,
    });
    // 409: a chunk whose answer was lost had arrived after all; go on from the real offset.
    if ((status === 200 || status === 409) && isUpload(data, item) && Number.isInteger(data.offset)) {
      if (data.complete && data.photo) return outbox.confirmPhoto(item.id, outbox.confirmedPhotoRecord(item, data.photo));
      item = await update(item, { offset: data.offset });
      onProgress(item.offset);
    } else if (status === 400 && data && data.errors && data.errors.sha256) {
      // The bytes arrived damaged; the server starts the upload again from 0.
      const retries = (item.checksumRetries || 0) + 1;
      if (retries > MAX_CHECKSUM_RETRIES) throw new Refused(describeErrors(data));
      item = await update(item, { offset: 0, checksumRetries: retries });
    } else if (status === 400 || status === 413 || status === 404) {
      throw new Refused(describeErrors(data) || `refused (${status})`);
    } else {
      throw unexpected(status);
    }
  }
}

// A photo its researcher took back: the server drops the upload; a photo it already made
// is deleted through a photo edit (made here, sent after).
export async function finishCancel(item) {
  const made = item.upload ? await abortUpload(item.upload) : null;
  if (made) {
    await outbox.queuePhotoEdit({
      user: item.user,
      visit: item.visit,
      deviceId: item.device_id,
      photoId: made.photo.id,
      change: "delete",
      editedAt: item.cancelled,
    });
  }
  if (item.abandoned) await abortUpload(item.abandoned);
  await outbox.discard(item.id);
}
