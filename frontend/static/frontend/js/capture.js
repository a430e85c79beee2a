// The capture screen: note, quote (with who said it), answer to a guide question, photos
// with captions, tags and the item they go with; edit or delete my own items and photos
// until the visit is closed; move a refused item to another of my visits. Every item goes
// into the outbox first (with the device's time of capture) and is shown from there until
// the server confirms it.

import * as outbox from "./outbox.js";
import { mountCamera } from "./camera.js";
import { chipOrder, mountTagPicker, recentTags } from "./chips.js";

const data = JSON.parse(document.getElementById("capture-data").textContent);
const text = JSON.parse(document.getElementById("ui-text").textContent);
const { visit, user } = data;
const questions = new Map(data.guide.map((question, index) => [question.id, `${index + 1}. ${question.text}`]));
const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");

const form = document.querySelector("[data-capture-form]");
const photoForm = document.querySelector("[data-photo-form]");
const goesWith = photoForm && photoForm.querySelector("[data-goes-with]");
const itemList = document.querySelector("[data-items]");
const emptyNote = document.querySelector("[data-items-empty]");
const photoGrid = document.querySelector("[data-photos]");
const formMessage = document.querySelector("[data-form-message]");
const photoMessage = document.querySelector("[data-photo-message]");
const itemsMessage = document.querySelector("[data-items-message]");

let editing = "";
const thumbs = new Map(); // server photo id -> thumbnail URL, once processed
let objectUrls = [];
let current = { items: new Map(), photos: new Map() };

// What only a tap needs (the photo editor, the move picker, scaling) loads on the first tap;
// the list of what was captured, the sync line and the sync just after the form is ready:
// the form takes a note sooner on a slow network. The service worker keeps all of it offline.
const once = (load) => {
  let loaded = null;
  return () => (loaded ||= load());
};
const listing = once(() => Promise.all([import("./items.js"), import("./captured.js")]).then(([items, captured]) => ({ ...items, ...captured })));
let list = null; // items.js and captured.js, once loaded

const serverTagNames = data.tags.map((tag) => tag.name);
const recentNames = () => recentTags([...current.items.values(), ...current.photos.values()], data.rendered_at);
const tagNames = (selected) => chipOrder({ serverNames: serverTagNames, recentNames: recentNames(), selected });
const notePicker = form && mountTagPicker(form.querySelector("[data-tag-picker]"), { names: tagNames });
const photoPicker = photoForm && mountTagPicker(photoForm.querySelector("[data-tag-picker]"), { names: tagNames });

function say(message, where = formMessage) {
  if (!where) return;
  // Emptied first so the same message twice in a row is announced twice.
  where.textContent = "";
  setTimeout(() => (where.textContent = message), 50);
}

async function keep(work, where = formMessage) {
  try {
    await work();
    return true;
  } catch (error) {
    say(error && error.name === "QuotaExceededError" ? text.storageFull : String(error), where);
    return false;
  }
}

// --- The items a photo can go with ------------------------------------------------------------

function fillGoesWith(select, chosen) {
  if (!select) return;
  const options = [new Option(text.goesWithNothing, "")];
  for (const record of list ? list.sortedItems(current) : []) {
    // A refused item may yet move to another visit: a photo of this one cannot follow it.
    if (record.state !== "failed") options.push(new Option(list.itemLabel(record, text), record.device_id));
  }
  select.replaceChildren(...options);
  select.value = options.some((option) => option.value === chosen) ? chosen : "";
}

// --- Acting on what was captured ---------------------------------------------------------------

async function deleteItem(record) {
  if (!window.confirm(text.confirmDelete)) return;
  // Never sent anywhere: nothing to tell the server.
  if (record.outboxId && !record.onServer) await outbox.discard(record.outboxId);
  else await outbox.queueDelete({ user, visit, deviceId: record.device_id });
  if (editing === record.device_id) resetForm();
}

const photoSource = (record) => (record.local ? URL.createObjectURL(outbox.photoBlob(record)) : thumbs.get(record.id));
// The sync loads once the screen is ready (below): capturing does not wait for it.
const syncing = () => import("./sync.js");
const takeBack = async (record) => (await syncing()).cancelPhoto({ id: record.outboxId, deviceId: record.device_id, visit });

const photoEditor = once(async () => {
  const { mountPhotoEditor } = await import("./photo-edit.js");
  return mountPhotoEditor(document.querySelector("[data-photo-dialog]"), {
    tagNames,
    fillGoesWith,
    onSave: (record, change) =>
      keep(async () => {
        if (record.local) await outbox.editWaitingPhoto(record.outboxId, change);
        else await outbox.queuePhotoEdit({ user, visit, deviceId: record.device_id, photoId: record.id, change });
        say(text.photoSaved, itemsMessage);
      }, itemsMessage),
    onDelete: async (record) => {
      if (!window.confirm(text.confirmDeletePhoto)) return false;
      if (record.local) await takeBack(record);
      else await outbox.queuePhotoEdit({ user, visit, deviceId: record.device_id, photoId: record.id, change: "delete" });
      return true;
    },
  });
});

const mover = once(async () => {
  const { mountMover } = await import("./move.js");
  return mountMover(document.querySelector("[data-move-dialog]"), {
    data,
    onMove: async (record, target) => {
      if (record.local) await outbox.movePhoto(record.outboxId, target.visit);
      else await outbox.moveObservation(record.outboxId, { visit: target.visit, guideQuestion: target.guideQuestion });
      say(fill(text.moved, { code: target.code }), itemsMessage);
    },
  });
});

const scaler = once(() => import("./scale.js"));

const actions = {
  edit: editItem,
  remove: deleteItem,
  move: async (record) => (await mover())(record),
  discard: async (record, question) => {
    if (window.confirm(question)) await outbox.discard(record.outboxId);
  },
  editPhoto: async (record) => (await photoEditor())(record, photoSource(record)),
  removePhoto: async (record, question) => {
    if (window.confirm(question)) await takeBack(record);
  },
  discardPhotoChange: async (record) => {
    if (window.confirm(text.confirmDiscardChange)) await outbox.discard(record.editId);
  },
};

// --- Rendering ----------------------------------------------------------------------------------

let arrived = false;
async function render() {
  list = await listing();
  current = await list.collect(data, { visit, user });
  objectUrls.forEach((url) => URL.revokeObjectURL(url));
  objectUrls = [];
  const view = {
    data,
    text,
    questions,
    thumbs,
    actions,
    items: current.items,
    canEdit: Boolean(form),
    objectUrl: (blob) => {
      const url = URL.createObjectURL(blob);
      objectUrls.push(url);
      return url;
    },
  };
  const records = list.sortedItems(current);
  itemList.replaceChildren(...records.map((record) => list.renderItem(record, view)));
  const photos = list.sortedPhotos(current);
  for (const record of photos) if (record.thumb && record.id) thumbs.set(record.id, record.thumb);
  photoGrid.replaceChildren(...photos.map((record) => list.renderPhoto(record, view)));
  emptyNote.hidden = records.length + photos.length > 0;
  if (notePicker) notePicker.render();
  if (photoPicker) photoPicker.render();
  fillGoesWith(goesWith, goesWith ? goesWith.value : "");
  watchPhotos();
  // A link to one item (from the sync line of another page) lands on it once it is drawn.
  const target = !arrived && location.hash && document.getElementById(location.hash.slice(1));
  if (target) {
    if (target.tagName === "DETAILS") target.open = true;
    target.scrollIntoView({ block: "center" });
  }
  arrived = true;
}

// --- The form -----------------------------------------------------------------------------------

function kind() {
  return form.querySelector("input[name=kind]:checked").value;
}

function showKind() {
  const chosen = kind();
  for (const part of form.querySelectorAll("[data-for-kind]")) part.hidden = part.dataset.forKind !== chosen;
  const label = form.querySelector("[data-text-label]");
  label.textContent = label.dataset[chosen];
}

function setKind(value) {
  const radio = form.querySelector(`input[name=kind][value="${value}"]`);
  if (radio) radio.checked = true;
  showKind();
}

function resetForm() {
  editing = "";
  form.reset();
  notePicker.set([]);
  showKind();
  const heading = document.querySelector("[data-capture-heading]");
  heading.textContent = heading.dataset.newText;
  const save = form.querySelector("button[type=submit]");
  save.textContent = save.dataset.saveText;
  form.querySelector("[data-cancel-edit]").hidden = true;
}

// After a save the form stays ready for the next of the same: same kind, the same speaker
// for the next quote, and the guide's next question for the next answer.
function readyForNext({ chosen, speaker, question, wasEditing }) {
  setKind(chosen);
  if (chosen === "quote") form.elements.speaker.value = speaker;
  const select = form.elements.guide_question;
  if (chosen === "answer" && select) {
    const index = [...select.options].findIndex((option) => option.value === question);
    select.selectedIndex = wasEditing ? index : Math.min(index + 1, select.options.length - 1);
  }
}

function editItem(record) {
  editing = record.device_id;
  setKind(record.kind);
  form.elements.text.value = record.text;
  if (form.elements.speaker) form.elements.speaker.value = record.speaker || "";
  if (form.elements.guide_question && record.guide_question) form.elements.guide_question.value = record.guide_question;
  notePicker.set(record.tags || []);
  const heading = document.querySelector("[data-capture-heading]");
  heading.textContent = heading.dataset.editText;
  const save = form.querySelector("button[type=submit]");
  save.textContent = save.dataset.updateText;
  form.querySelector("[data-cancel-edit]").hidden = false;
  form.scrollIntoView({ block: "start" });
  form.elements.text.focus();
}

function mountForm() {
  if (!form) return;
  showKind();
  for (const radio of form.querySelectorAll("input[name=kind]")) radio.addEventListener("change", showKind);
  form.querySelector("[data-cancel-edit]").addEventListener("click", resetForm);
  for (const answer of document.querySelectorAll("[data-answer]")) {
    answer.addEventListener("click", () => {
      resetForm();
      setKind("answer");
      form.elements.guide_question.value = answer.dataset.answer;
      form.scrollIntoView({ block: "start" });
      form.elements.text.focus();
    });
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = form.elements.text.value.trim();
    const error = form.querySelector("[data-error-for=text]");
    error.hidden = Boolean(body);
    form.elements.text.setAttribute("aria-invalid", String(!body));
    if (!body) {
      form.elements.text.focus();
      return;
    }
    const chosen = kind();
    const now = outbox.deviceNow();
    const before = editing ? current.items.get(editing) : null;
    const speaker = chosen === "quote" ? form.elements.speaker.value.trim() : "";
    const question = chosen === "answer" ? form.elements.guide_question.value : null;
    const observation = {
      device_id: editing || outbox.newId(),
      kind: chosen,
      text: body,
      speaker,
      guide_question: question,
      tags: notePicker.names(),
      captured_at: before ? before.captured_at : now,
      edited_at: now,
    };
    const wasEditing = Boolean(editing);
    if (await keep(() => outbox.queueObservation({ user, visit, observation }))) {
      resetForm();
      readyForNext({ chosen, speaker, question, wasEditing });
      say(text.saved);
      form.elements.text.focus();
    }
  });
}

// --- Photos: scaled on the phone, then kept; thumbnails once the server has processed them -------

async function savePhotos(photos) {
  const tags = photoPicker ? photoPicker.names() : [];
  const observation = (goesWith && goesWith.value) || null;
  let saved = 0;
  for (const [index, { file, caption }] of photos.entries()) {
    say(fill(text.preparing, { n: index + 1, count: photos.length }), photoMessage);
    const ready = data.send_original_photos ? file : await (await scaler()).scalePhoto(file);
    const queued = () => outbox.queuePhoto({ user, visit, file: ready, caption, tags, observation, capturedAt: outbox.deviceNow() });
    if (!(await keep(queued, photoMessage))) return saved;
    saved += 1;
  }
  if (photoPicker) photoPicker.set([]);
  if (goesWith) goesWith.value = "";
  say(text.photosSaved, photoMessage);
  return saved;
}

let watching = 0;
async function watchPhotos() {
  const waiting = [...current.photos.values()].some(
    (photo) => photo.state === "synced" && !thumbs.has(photo.id) && photo.status !== "failed",
  );
  if (!waiting || watching || !navigator.onLine) return;
  watching = setTimeout(async () => {
    try {
      const response = await fetch(`/api/v1/visits/${visit}/photos/`, { credentials: "same-origin", headers: { Accept: "application/json" } });
      const body = response.ok ? await response.json() : null;
      const list = Array.isArray(body) ? body : (body && (body.results || body.photos)) || [];
      let changed = false;
      for (const photo of list) {
        const known = current.photos.get(photo.device_id);
        if (!known) continue;
        if (photo.urls && photo.urls.thumb && !thumbs.has(photo.id)) {
          thumbs.set(photo.id, photo.urls.thumb);
          changed = true;
        }
        if (photo.status !== known.status) changed = true;
        const fresh = {
          id: photo.id,
          device_id: photo.device_id,
          caption: photo.caption,
          tags: photo.tags || [],
          observation: photo.observation_device_id || null,
          status: photo.status,
          failure_reason: photo.failure_reason || "",
          captured_at: photo.captured_at,
          edited_at: photo.edited_at || photo.captured_at,
          mine: known.mine,
        };
        data.photos = data.photos.filter((other) => other.device_id !== photo.device_id).concat([fresh]);
      }
      watching = 0;
      if (changed) render();
      else watchPhotos();
    } catch {
      watching = 0;
    }
  }, 1500);
}

// --- Start -------------------------------------------------------------------------------------

mountForm();
mountCamera({
  input: document.querySelector("[data-photo-input]"),
  pickButton: document.querySelector("[data-photo-pick]"),
  list: document.querySelector("[data-photo-previews]"),
  saveButton: document.querySelector("[data-photo-save]"),
  details: document.querySelector("[data-photo-details]"),
  text,
  onSave: savePhotos,
});
// Start, finish and reopen need the server: offline, say so rather than show an error page.
for (const step of document.querySelectorAll("[data-needs-network]")) {
  const holder = step.tagName === "FORM" ? step : step.parentElement;
  step.addEventListener(step.tagName === "FORM" ? "submit" : "click", (event) => {
    if (navigator.onLine) return;
    event.preventDefault();
    holder.querySelector("[data-network-message]").hidden = false;
  });
}
if (notePicker) notePicker.render();
if (photoPicker) photoPicker.render();
let rendering = false;
outbox.onChange(async () => {
  if (rendering) return;
  rendering = true;
  setTimeout(async () => {
    rendering = false;
    await render();
  }, 30);
});
window.addEventListener("online", () => watchPhotos());
// Tests and the first-load benchmark wait for this: the form takes an item (a thumb's tap
// away). What was captured before is drawn next, then the sync line and the sync start.
document.documentElement.dataset.captureReady = "true";
await render();
const { mountStatus } = await import("./status.js");
const status = mountStatus(document.querySelector("[data-sync-status]"), { user, text });
const sync = await syncing();
status.follow(sync);
sync.start(user);
