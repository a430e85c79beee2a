// The capture screen: note, quote (with who said it), answer to a guide question, photos
// with captions, tag chips; edit or delete my own items until the visit is closed. Every
// item goes into the outbox first (with the device's time of capture) and is shown from
// there until the server confirms it.

import * as outbox from "./outbox.js";
import * as sync from "./sync.js";
import { mountStatus, reasonText } from "./status.js";
import { mountCamera } from "./camera.js";

const data = JSON.parse(document.getElementById("capture-data").textContent);
const text = JSON.parse(document.getElementById("ui-text").textContent);
const { visit, user } = data;
const questions = new Map(data.guide.map((question, index) => [question.id, `${index + 1}. ${question.text}`]));
const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
const time = (iso) => new Date(iso).toLocaleString([], { weekday: "short", hour: "2-digit", minute: "2-digit" });
const newer = (a, b) => !b || Date.parse(a.edited_at || a.captured_at) >= Date.parse(b.edited_at || b.captured_at);

const form = document.querySelector("[data-capture-form]");
const itemList = document.querySelector("[data-items]");
const emptyNote = document.querySelector("[data-items-empty]");
const photoGrid = document.querySelector("[data-photos]");
const formMessage = document.querySelector("[data-form-message]");
const photoMessage = document.querySelector("[data-photo-message]");

let editing = "";
const selectedTags = new Set();
let thumbs = new Map(); // server photo id or device id -> thumbnail URL
let objectUrls = [];
let current = { items: new Map(), photos: new Map() };

function element(tag, className, content) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (content !== undefined) node.textContent = content;
  return node;
}

function button(label, onClick, className = "button button-small") {
  const node = element("button", className, label);
  node.type = "button";
  node.addEventListener("click", onClick);
  return node;
}

// --- What this visit holds: the server's copy, what it confirmed since, the outbox ----------

async function collect() {
  const items = new Map();
  const photos = new Map();
  for (const observation of data.observations) items.set(observation.device_id, { ...observation, state: "synced" });
  for (const photo of data.photos) photos.set(photo.device_id, { ...photo, state: "synced" });
  for (const record of await outbox.confirmedFor(visit)) {
    if (record.kind === "photo") {
      photos.set(record.device_id, { ...photos.get(record.device_id), ...record, state: "synced" });
    } else if (record.deleted) {
      items.delete(record.device_id);
    } else if (newer(record, items.get(record.device_id))) {
      items.set(record.device_id, { ...record, state: "synced" });
    }
  }
  for (const entry of await outbox.all(user)) {
    if (entry.visit !== visit) continue;
    const state = entry.state === "failed" ? "failed" : "waiting";
    if (entry.kind === "photo") {
      photos.set(entry.device_id, { ...entry, state, outboxId: entry.id, local: true });
    } else if (entry.op.type === "delete") {
      if (state === "failed") {
        const shown = items.get(entry.device_id) || { device_id: entry.device_id, kind: "note", text: "" };
        items.set(entry.device_id, { ...shown, state, error: entry.error, outboxId: entry.id, deleting: true });
      } else {
        items.delete(entry.device_id);
      }
    } else {
      const onServer = items.has(entry.device_id);
      items.set(entry.device_id, {
        ...entry.op,
        mine: true,
        state,
        error: entry.error,
        outboxId: entry.id,
        onServer: onServer || entry.attempts > 0,
      });
    }
  }
  return { items, photos };
}

// --- Rendering ----------------------------------------------------------------------------------

function stateBadge(record) {
  const labels = { synced: text.syncedBadge, waiting: text.waitingBadge, failed: text.failedBadge };
  return element("span", `badge sync-${record.state}`, labels[record.state]);
}

function renderItem(record) {
  const row = element("li", "card captured-item");
  row.dataset.deviceId = record.device_id;
  row.dataset.state = record.state;
  row.dataset.kind = record.kind;
  const head = element("p", "captured-meta");
  head.append(element("span", "captured-kind", text[record.kind] || text.note), stateBadge(record));
  head.append(element("span", "muted", fill(text.capturedAt, { time: time(record.captured_at) })));
  row.append(head);
  if (record.kind === "answer" && record.guide_question) {
    row.append(element("p", "captured-question muted", questions.get(record.guide_question) || ""));
  }
  if (record.kind === "quote") {
    const quote = element("blockquote", "captured-text", `“${record.text}”`);
    row.append(quote);
    if (record.speaker) row.append(element("p", "captured-speaker", `— ${record.speaker}`));
  } else {
    row.append(element("p", "captured-text", record.text));
  }
  if (record.tags && record.tags.length) {
    const tags = element("p", "captured-tags");
    for (const name of record.tags) tags.append(element("span", "chip", name));
    row.append(tags);
  }
  if (record.state === "failed") {
    row.append(element("p", "errorlist", reasonText(text, record.error)));
  }
  if (record.mine && !data.closed) {
    const actions = element("div", "button-row captured-actions");
    if (record.state === "failed") {
      actions.append(button(text.edit, () => editItem(record)));
      actions.append(button(text.discard, () => discardItem(record), "button button-small button-danger"));
    } else {
      const edit = button(text.edit, () => editItem(record));
      edit.setAttribute("aria-label", `${text.edit}: ${record.text.slice(0, 40)}`);
      const remove = button(text.delete, () => deleteItem(record), "button button-small button-danger");
      remove.setAttribute("aria-label", `${text.delete}: ${record.text.slice(0, 40)}`);
      actions.append(edit, remove);
    }
    row.append(actions);
  }
  return row;
}

function renderPhoto(record) {
  const cell = element("li", "photo-cell");
  cell.dataset.deviceId = record.device_id;
  cell.dataset.state = record.state === "synced" ? record.status || "pending" : record.state;
  const figure = element("figure");
  const source = record.local ? URL.createObjectURL(outbox.photoBlob(record)) : thumbs.get(record.id);
  if (record.local) objectUrls.push(source);
  if (source) {
    const image = element("img");
    image.src = source;
    image.alt = record.caption || text.photo;
    image.width = 160;
    image.height = 160;
    image.loading = "lazy";
    if (!record.local) image.dataset.thumbnail = "";
    figure.append(image);
  } else {
    figure.append(element("div", "photo-placeholder", text.photo));
  }
  const caption = element("figcaption");
  if (record.caption) caption.append(element("span", "photo-caption", record.caption));
  if (record.state !== "synced") caption.append(stateBadge(record));
  else if (record.status === "failed") caption.append(element("span", "errorlist", fill(text.photoFailed, { reason: record.failure_reason })));
  else if (record.status !== "ready" && !source) caption.append(element("span", "muted", text.processing));
  if (record.state === "failed") {
    caption.append(element("span", "errorlist", reasonText(text, record.error)));
    caption.append(button(text.discard, () => discardPhoto(record), "button button-small button-danger"));
  }
  figure.append(caption);
  cell.append(figure);
  return cell;
}

async function render() {
  current = await collect();
  objectUrls.forEach((url) => URL.revokeObjectURL(url));
  objectUrls = [];
  const records = [...current.items.values()].sort((a, b) => Date.parse(b.captured_at) - Date.parse(a.captured_at));
  itemList.replaceChildren(...records.map(renderItem));
  const photos = [...current.photos.values()].sort((a, b) => Date.parse(b.captured_at) - Date.parse(a.captured_at));
  photoGrid.replaceChildren(...photos.map(renderPhoto));
  emptyNote.hidden = records.length + photos.length > 0;
  renderTags();
  watchPhotos();
}

// --- Tags: recently used first, then the study's suggestions, new ones allowed ------------------

function tagOrder() {
  const recent = [...current.items.values()]
    .filter((record) => record.mine)
    .sort((a, b) => Date.parse(b.edited_at || b.captured_at) - Date.parse(a.edited_at || a.captured_at))
    .flatMap((record) => record.tags || []);
  const names = [...selectedTags, ...recent, ...data.tags.map((tag) => tag.name)];
  const seen = new Set();
  return names.filter((name) => {
    const key = name.toLocaleLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function renderTags() {
  const chips = document.querySelector("[data-tag-chips]");
  if (!chips) return;
  chips.replaceChildren(
    ...tagOrder().map((name) => {
      const on = selectedTags.has(name);
      const chip = button(name, () => {
        if (selectedTags.has(name)) selectedTags.delete(name);
        else selectedTags.add(name);
        renderTags();
        chips.querySelector(`[data-tag="${CSS.escape(name)}"]`)?.focus();
      }, "tag-chip");
      chip.dataset.tag = name;
      chip.setAttribute("aria-pressed", String(on));
      return chip;
    }),
  );
}

function addNewTag() {
  const input = document.getElementById("capture-new-tag");
  const name = input.value.trim().replace(/\s+/g, " ");
  if (!name) return;
  const existing = tagOrder().find((tag) => tag.toLocaleLowerCase() === name.toLocaleLowerCase());
  selectedTags.add(existing || name);
  input.value = "";
  renderTags();
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
  selectedTags.clear();
  showKind();
  renderTags();
  const heading = document.querySelector("[data-capture-heading]");
  heading.textContent = heading.dataset.newText;
  const save = form.querySelector("button[type=submit]");
  save.textContent = save.dataset.saveText;
  form.querySelector("[data-cancel-edit]").hidden = true;
}

function editItem(record) {
  editing = record.device_id;
  setKind(record.kind);
  form.elements.text.value = record.text;
  if (form.elements.speaker) form.elements.speaker.value = record.speaker || "";
  if (form.elements.guide_question && record.guide_question) form.elements.guide_question.value = record.guide_question;
  selectedTags.clear();
  (record.tags || []).forEach((name) => selectedTags.add(name));
  renderTags();
  const heading = document.querySelector("[data-capture-heading]");
  heading.textContent = heading.dataset.editText;
  const save = form.querySelector("button[type=submit]");
  save.textContent = save.dataset.updateText;
  form.querySelector("[data-cancel-edit]").hidden = false;
  form.scrollIntoView({ block: "start" });
  form.elements.text.focus();
}

async function deleteItem(record) {
  if (!window.confirm(text.confirmDelete)) return;
  // Never sent anywhere: nothing to tell the server.
  if (record.outboxId && !record.onServer) await outbox.discard(record.outboxId);
  else await outbox.queueDelete({ user, visit, deviceId: record.device_id });
  if (editing === record.device_id) resetForm();
}

async function discardItem(record) {
  if (!window.confirm(text.confirmDiscard)) return;
  await outbox.discard(record.outboxId);
}

async function discardPhoto(record) {
  if (!window.confirm(text.confirmDiscard)) return;
  await outbox.discard(record.outboxId);
}

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

function mountForm() {
  if (!form) return;
  showKind();
  for (const radio of form.querySelectorAll("input[name=kind]")) radio.addEventListener("change", showKind);
  document.querySelector("[data-add-tag]").addEventListener("click", addNewTag);
  document.getElementById("capture-new-tag").addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      addNewTag();
    }
  });
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
    const observation = {
      device_id: editing || outbox.newId(),
      kind: chosen,
      text: body,
      speaker: chosen === "quote" ? form.elements.speaker.value.trim() : "",
      guide_question: chosen === "answer" ? form.elements.guide_question.value : null,
      tags: [...selectedTags],
      captured_at: before ? before.captured_at : now,
      edited_at: now,
    };
    if (await keep(() => outbox.queueObservation({ user, visit, observation }))) {
      resetForm();
      say(text.saved);
      form.elements.text.focus();
    }
  });
}

// --- Photos: thumbnails appear once the server has processed them -------------------------------

let watching = 0;
async function watchPhotos() {
  const waiting = [...current.photos.values()].some((photo) => !photo.local && !thumbs.has(photo.id) && photo.status !== "failed");
  if (!waiting || watching || !navigator.onLine) return;
  watching = setTimeout(async () => {
    try {
      const response = await fetch(`/api/v1/visits/${visit}/photos/`, { credentials: "same-origin", headers: { Accept: "application/json" } });
      const body = response.ok ? await response.json() : null;
      const list = Array.isArray(body) ? body : (body && (body.results || body.photos)) || [];
      let changed = false;
      for (const photo of list) {
        const known = [...current.photos.values()].find((p) => p.id === photo.id || p.device_id === photo.device_id);
        if (known && photo.urls && photo.urls.thumb && !thumbs.has(known.id)) {
          thumbs.set(known.id, photo.urls.thumb);
          changed = true;
        }
        if (known && photo.status && photo.status !== known.status) {
          data.photos = data.photos.filter((p) => p.device_id !== known.device_id).concat([{ ...known, ...photo, device_id: known.device_id }]);
          changed = true;
        }
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
  text,
  onSave: async (photos) => {
    let saved = 0;
    for (const { file, caption } of photos) {
      const queued = () => outbox.queuePhoto({ user, visit, file, caption, capturedAt: outbox.deviceNow() });
      if (!(await keep(queued, photoMessage))) return saved;
      saved += 1;
    }
    say(text.photosSaved, photoMessage);
    return saved;
  },
});
for (const step of document.querySelectorAll("form[data-needs-network]")) {
  step.addEventListener("submit", (event) => {
    if (navigator.onLine) return;
    event.preventDefault();
    step.querySelector("[data-network-message]").hidden = false;
  });
}
mountStatus(document.querySelector("[data-sync-status]"), { user, text });
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
await render();
sync.start(user);
// Tests and the first-load benchmark wait for this: the screen is ready for a thumb.
document.documentElement.dataset.captureReady = "true";
