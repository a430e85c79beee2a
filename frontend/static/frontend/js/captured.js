// The visit's items and photos as rows and cells: kind, state, time, text, tags, the item a
// photo goes with, and what can be done with each. A refused one shows the server's reason
// beside it and stays until its researcher edits, moves or deletes it.

import * as outbox from "./outbox.js";
import { reasonText } from "./status.js";
import { weekdayTime } from "./clock.js";

const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");

function element(tag, className, content) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (content !== undefined) node.textContent = content;
  return node;
}

export function button(label, onClick, className = "button button-small", name = "") {
  const node = element("button", className, label);
  node.type = "button";
  if (name) node.setAttribute("aria-label", name);
  node.addEventListener("click", onClick);
  return node;
}

export function shortText(text, length = 40) {
  const words = (text || "").trim();
  return words.length > length ? `${words.slice(0, length)}…` : words;
}

// "Note “Milk lives in the door”": how an item is named in a picker or a button's label.
export function itemLabel(record, text) {
  return `${text[record.kind] || text.note} “${shortText(record.text)}”`;
}

function stateBadge(record, text) {
  const labels = { synced: text.syncedBadge, waiting: text.waitingBadge, failed: text.failedBadge };
  return element("span", `badge sync-${record.state}`, labels[record.state]);
}

function tagList(tags) {
  const list = element("p", "captured-tags");
  for (const name of tags) list.append(element("span", "chip", name));
  return list;
}

// `view`: {data, text, questions (id → label), closed, canEdit, actions: {edit, remove,
// discard, move, editPhoto, removePhoto, discardPhotoChange}}
export function renderItem(record, view) {
  const { data, text, actions } = view;
  const row = element("li", "card captured-item");
  row.id = `item-${record.device_id}`;
  row.dataset.deviceId = record.device_id;
  row.dataset.state = record.state;
  row.dataset.kind = record.kind;
  const head = element("p", "captured-meta");
  head.append(element("span", "captured-kind", text[record.kind] || text.note), stateBadge(record, text));
  head.append(element("span", "muted", fill(text.capturedAt, { time: weekdayTime(record.captured_at, data.time_zone) })));
  row.append(head);
  if (record.kind === "answer" && record.guide_question && view.questions.has(record.guide_question)) {
    row.append(element("p", "captured-question muted", view.questions.get(record.guide_question)));
  }
  if (record.kind === "quote") {
    row.append(element("blockquote", "captured-text", `“${record.text}”`));
    if (record.speaker) row.append(element("p", "captured-speaker", `— ${record.speaker}`));
  } else {
    row.append(element("p", "captured-text", record.text));
  }
  if (record.tags && record.tags.length) row.append(tagList(record.tags));
  if (record.state === "failed") row.append(element("p", "errorlist", reasonText(text, record.error)));

  const label = shortText(record.text);
  const named = (verb) => `${verb}: ${label}`;
  const buttons = [];
  if (record.state === "failed" && record.deleting) {
    buttons.push(button(text.discardChange, () => actions.discard(record, text.confirmDiscardChange), undefined, named(text.discardChange)));
  } else if (record.state === "failed") {
    if (view.canEdit) buttons.push(button(text.edit, () => actions.edit(record), undefined, named(text.edit)));
    if (record.movable) {
      buttons.push(button(text.move, () => actions.move(record), undefined, named(text.move)));
      buttons.push(button(text.delete, () => actions.discard(record, text.confirmDiscard), "button button-small button-danger", named(text.delete)));
    } else {
      buttons.push(button(text.discardChange, () => actions.discard(record, text.confirmDiscardChange), undefined, named(text.discardChange)));
    }
  } else if (record.mine && view.canEdit) {
    buttons.push(button(text.edit, () => actions.edit(record), undefined, named(text.edit)));
    buttons.push(button(text.delete, () => actions.remove(record), "button button-small button-danger", named(text.delete)));
  }
  if (buttons.length) {
    const rowActions = element("div", "button-row captured-actions");
    rowActions.append(...buttons);
    row.append(rowActions);
  }
  return row;
}

export function renderPhoto(record, view) {
  const { text, actions, items } = view;
  const cell = element("li", "photo-cell");
  cell.id = `photo-${record.device_id}`;
  cell.dataset.deviceId = record.device_id;
  cell.dataset.state = record.state === "synced" ? record.status || "pending" : record.state;
  const figure = element("figure");
  const source = record.local ? view.objectUrl(outbox.photoBlob(record)) : view.thumbs.get(record.id);
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
  if (record.tags && record.tags.length) caption.append(tagList(record.tags));
  const goesWith = record.observation && items.get(record.observation);
  if (goesWith) caption.append(element("span", "photo-goes-with muted", fill(text.goesWith, { item: itemLabel(goesWith, text) })));
  if (record.state !== "synced") caption.append(stateBadge(record, text));
  else if (record.status === "failed") caption.append(element("span", "errorlist", fill(text.photoFailed, { reason: record.failure_reason })));
  else if (record.status !== "ready" && !source) caption.append(element("span", "muted", text.processing));
  if (record.state === "failed") caption.append(element("span", "errorlist", reasonText(text, record.error)));
  figure.append(caption);
  cell.append(figure);

  const named = (verb) => `${verb}: ${record.caption || text.photo}`;
  const buttons = [];
  if (record.state === "failed" && record.editId) {
    if (view.canEdit && !record.deleting) buttons.push(button(text.edit, () => actions.editPhoto(record), undefined, named(text.editPhoto)));
    buttons.push(button(text.discardChange, () => actions.discardPhotoChange(record), undefined, named(text.discardChange)));
  } else if (record.state === "failed") {
    if (view.canEdit) buttons.push(button(text.edit, () => actions.editPhoto(record), undefined, named(text.editPhoto)));
    buttons.push(button(text.move, () => actions.move(record), undefined, named(text.move)));
    buttons.push(button(text.discard, () => actions.removePhoto(record, text.confirmDiscard), "button button-small button-danger", named(text.discard)));
  } else if (record.mine && view.canEdit) {
    buttons.push(button(text.edit, () => actions.editPhoto(record), undefined, named(text.editPhoto)));
  }
  if (buttons.length) {
    const cellActions = element("div", "button-row captured-actions");
    cellActions.append(...buttons);
    cell.append(cellActions);
  }
  return cell;
}
