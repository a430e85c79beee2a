// The outbox: everything captured on this device, kept in IndexedDB until our server has
// confirmed it. Items never expire. Each has an id made here (crypto.randomUUID), so
// sending it again can never create a second copy on the server.
//
// Stores: "outbox" (operations and photos waiting, keyPath id) and "confirmed" (what the
// server confirmed, keyPath device_id, so the capture screen can show it offline; cleared
// on logout). Participant names never come here: the screen has none to give.
//
// Entries by kind:
// - "observation": an upsert or delete of a note, quote or answer (op, sent to the sync API);
// - "photo": a photo and its resumable upload; state "cancelled" once its researcher took it
//   back, until the server has dropped what it received;
// - "photo-edit": a change to (or the deletion of) a photo the server already has.
// A refused entry is "failed" with the server's reason and waits for its researcher.

const DB_NAME = "researchhub";
const DB_VERSION = 1;
const CHANNEL = "researchhub-outbox";

let dbPromise = null;
const listeners = new Set();
const channel = "BroadcastChannel" in self ? new BroadcastChannel(CHANNEL) : null;
if (channel) channel.onmessage = () => notifyHere();

export function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // Pages served over plain HTTP on a LAN have no randomUUID; getRandomValues works everywhere.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// The device's clock with its offset, e.g. 2027-03-04T10:15:02.120+01:00.
export function deviceNow(date = new Date()) {
  const pad = (n, size = 2) => String(Math.abs(n)).padStart(size, "0");
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `.${pad(date.getMilliseconds(), 3)}${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`
  );
}

function open() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        const outbox = db.createObjectStore("outbox", { keyPath: "id" });
        outbox.createIndex("user", "user");
        const confirmed = db.createObjectStore("confirmed", { keyPath: "device_id" });
        confirmed.createIndex("visit", "visit");
      };
      request.onsuccess = () => {
        const db = request.result;
        // Another tab upgrading the schema: let it, and reopen next time.
        db.onversionchange = () => {
          db.close();
          dbPromise = null;
        };
        resolve(db);
      };
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error("IndexedDB is blocked by another tab"));
    });
    // Ask once that the browser never evicts the outbox under storage pressure.
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  }
  return dbPromise;
}

function run(storeNames, mode, work) {
  return open().then(
    (db) =>
      new Promise((resolve, reject) => {
        const tx = db.transaction(storeNames, mode);
        let result;
        Promise.resolve(work(tx)).then((value) => (result = value), reject);
        tx.oncomplete = () => resolve(result);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
      }),
  );
}

const asPromise = (request) =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

function notifyHere() {
  for (const listener of listeners) listener();
}

function changed() {
  notifyHere();
  if (channel) channel.postMessage("changed");
}

export function onChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export async function all(user) {
  const items = await run(["outbox"], "readonly", (tx) =>
    asPromise(tx.objectStore("outbox").index("user").getAll(user)),
  );
  return items.sort((a, b) => a.created - b.created);
}

// What its researcher still has to see through: waiting or refused, not the ones she took back.
export const isWaiting = (item) => item.state !== "cancelled";

export async function get(id) {
  return run(["outbox"], "readonly", (tx) => asPromise(tx.objectStore("outbox").get(id)));
}

export async function save(item) {
  await run(["outbox"], "readwrite", (tx) => asPromise(tx.objectStore("outbox").put(item)));
  changed();
}

// Change some fields of an entry as it stands now (read and written in one transaction), so
// the sync's progress and the researcher's edits never overwrite each other. Answers the
// entry as changed, or null when it is gone.
export async function patch(id, changes) {
  const updated = await run(["outbox"], "readwrite", async (tx) => {
    const store = tx.objectStore("outbox");
    const entry = await asPromise(store.get(id));
    if (!entry) return null;
    const next = { ...entry, ...(typeof changes === "function" ? changes(entry) : changes) };
    store.put(next);
    return next;
  });
  changed();
  return updated;
}

// The server refused it: it waits, with the reason, for its researcher (unless she already
// took it back).
export async function fail(id, reason) {
  return patch(id, (entry) => (entry.state === "cancelled" ? {} : { state: "failed", error: reason || "refused" }));
}

// An observation's latest version goes in as one upsert operation. An operation still
// waiting for the same observation is replaced, under a new operation id: the old one may
// already have reached the server with its answer lost, and must not be mistaken for this.
export async function queueObservation({ user, visit, observation }) {
  return queueOperation({ user, visit, deviceId: observation.device_id, op: { type: "upsert", visit, ...observation } });
}

export async function queueDelete({ user, visit, deviceId }) {
  return queueOperation({ user, visit, deviceId, op: { type: "delete", device_id: deviceId, edited_at: deviceNow() } });
}

// A refused capture goes to another of the researcher's visits: the same item (device id),
// sent again as a new operation for that visit.
export async function moveObservation(id, { visit, guideQuestion }) {
  const entry = await get(id);
  if (!entry) return null;
  const op = { ...entry.op, visit, guide_question: entry.op.kind === "answer" ? guideQuestion : null };
  delete op.operation_id;
  return queueOperation({ user: entry.user, visit, deviceId: entry.device_id, op });
}

// The item's own id doubles as the operation id the server remembers it by.
async function queueOperation({ user, visit, deviceId, op }) {
  const id = newId();
  const item = {
    id,
    kind: "observation",
    user,
    visit,
    device_id: deviceId,
    op: { operation_id: id, ...op },
    created: Date.now(),
    attempts: 0,
    state: "pending",
    error: "",
  };
  await replaceFor(item);
  return item;
}

// The new entry in, and every other of the same kind for the same item out, at once.
async function replaceFor(item) {
  await run(["outbox"], "readwrite", async (tx) => {
    const store = tx.objectStore("outbox");
    const mine = await asPromise(store.index("user").getAll(item.user));
    for (const old of mine) {
      if (old.kind === item.kind && old.device_id === item.device_id) store.delete(old.id);
    }
    store.put(item);
  });
  changed();
}

// Photos are kept as Blobs; where a browser cannot store a Blob in IndexedDB (older
// Safari), as an ArrayBuffer with its type.
export async function queuePhoto({ user, visit, file, caption, tags = [], observation = null, capturedAt }) {
  const id = newId();
  const item = {
    id,
    kind: "photo",
    user,
    visit,
    device_id: id,
    blob: file,
    type: file.type || "application/octet-stream",
    size: file.size,
    caption,
    tags,
    observation,
    captured_at: capturedAt,
    edited_at: capturedAt,
    sha256: "",
    upload: "",
    offset: 0,
    created: Date.now(),
    attempts: 0,
    state: "pending",
    error: "",
  };
  try {
    await save(item);
  } catch (error) {
    if (error && error.name === "QuotaExceededError") throw error;
    const buffer = await file.arrayBuffer();
    await save({ ...item, blob: null, buffer });
  }
  return item;
}

export function photoBlob(item) {
  return item.blob || new Blob([item.buffer], { type: item.type });
}

// A photo still on the phone takes a change in place. Once its upload is open, the server
// holds the caption and tags it was opened with: the change then follows as a photo edit,
// when the photo exists (see confirmPhoto).
export async function editWaitingPhoto(id, { caption, tags, observation }) {
  return patch(id, (entry) => ({
    caption,
    tags,
    observation,
    edited_at: deviceNow(),
    editedAfterCreate: Boolean(entry.upload) || Boolean(entry.editedAfterCreate),
    state: entry.state === "failed" ? "pending" : entry.state,
    error: "",
  }));
}

// A refused photo goes to another visit. An upload still open for the old one is dropped
// first (`abandoned`): the server would otherwise answer the same device id with it.
export async function movePhoto(id, visit) {
  return patch(id, (entry) => ({
    visit,
    observation: null,
    abandoned: entry.upload || entry.abandoned || "",
    upload: "",
    offset: 0,
    checksumRetries: 0,
    attempts: 0,
    state: "pending",
    error: "",
  }));
}

// Taken back (cancelled while sending, deleted or discarded before it was sent): off the
// screen at once and its bytes freed; the sync then drops what the server received.
export async function cancelPhoto(id) {
  return patch(id, { state: "cancelled", cancelled: deviceNow(), blob: null, buffer: null, error: "" });
}

// A change to a photo the server has: the photo's whole new state (caption, tags, the item it
// goes with), or its deletion. It replaces any change still waiting for the same photo; the
// server keeps the latest by `edited_at`, so sending one twice is harmless.
export async function queuePhotoEdit({ user, visit, deviceId, photoId, change, editedAt = deviceNow() }) {
  const id = newId();
  const op = change === "delete" ? { type: "delete", edited_at: editedAt } : { type: "update", edited_at: editedAt, ...change };
  const item = { id, kind: "photo-edit", user, visit, device_id: deviceId, photo: photoId, op, created: Date.now(), attempts: 0, state: "pending", error: "" };
  await replaceFor(item);
  return item;
}

// The server confirmed it: out of the outbox and into the confirmed copy, in one
// transaction, so no crash in between can lose it or show it twice.
// A photo as the confirmed copy keeps it (the capture screen shows it offline): the
// server's answer, and what the outbox entry said where the answer is silent (a note the
// photo goes with may reach the server after the photo).
export function confirmedPhotoRecord(item, photo) {
  return {
    device_id: item.device_id,
    visit: item.visit,
    kind: "photo",
    id: photo.id,
    caption: photo.caption ?? item.caption,
    tags: photo.tags ?? item.tags ?? [],
    observation: photo.observation_device_id ?? item.observation ?? null,
    captured_at: photo.captured_at || item.captured_at,
    edited_at: photo.edited_at || item.edited_at || (item.op && item.op.edited_at) || item.captured_at,
    status: photo.status || "pending",
    failure_reason: photo.failure_reason || "",
    mine: true,
  };
}

export async function confirm(id, record) {
  await run(["outbox", "confirmed"], "readwrite", (tx) => {
    tx.objectStore("outbox").delete(id);
    if (record) tx.objectStore("confirmed").put(record);
  });
  changed();
}

// A photo's upload made the photo. In the same transaction: what its researcher did to it in
// the meantime follows as a photo edit (a change, or its deletion if she took it back).
export async function confirmPhoto(id, record) {
  await run(["outbox", "confirmed"], "readwrite", async (tx) => {
    const store = tx.objectStore("outbox");
    const latest = await asPromise(store.get(id));
    store.delete(id);
    const followUp = (op) => {
      const editId = newId();
      store.put({ id: editId, kind: "photo-edit", user: latest.user, visit: latest.visit, device_id: latest.device_id, photo: record.id, op, created: Date.now(), attempts: 0, state: "pending", error: "" });
    };
    if (latest && latest.state === "cancelled") {
      followUp({ type: "delete", edited_at: latest.cancelled });
      return;
    }
    const shown = latest ? { ...record, caption: latest.caption, tags: latest.tags || [], observation: latest.observation || null } : record;
    tx.objectStore("confirmed").put(shown);
    if (latest && latest.editedAfterCreate) {
      followUp({ type: "update", edited_at: latest.edited_at, caption: latest.caption, tags: latest.tags || [], observation: latest.observation || null });
    }
  });
  changed();
}

export async function discard(id) {
  await run(["outbox"], "readwrite", (tx) => tx.objectStore("outbox").delete(id));
  changed();
}

export async function confirmedFor(visit) {
  return run(["confirmed"], "readonly", (tx) =>
    asPromise(tx.objectStore("confirmed").index("visit").getAll(visit)),
  );
}

// Logout: what the server already has goes; what it does not have yet stays, or it
// would be lost.
export async function clearConfirmed() {
  await run(["confirmed"], "readwrite", (tx) => tx.objectStore("confirmed").clear());
  changed();
}
