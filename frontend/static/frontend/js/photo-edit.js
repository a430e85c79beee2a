// Changing a photo after it was taken, in a dialog over the capture screen: its caption, its
// tags (the same chips as notes) and the note, quote or answer it goes with, or deleting it.
// Where a change goes (the waiting upload itself, or a photo edit for a photo the server has)
// is the caller's to decide.

import { mountTagPicker } from "./chips.js";

// `template`: the page's template[data-photo-dialog]. `fillGoesWith(select, chosen)` lists
// the visit's items; `onSave(record, change)` and `onDelete(record)` (true when it was
// deleted) act.
export function mountPhotoEditor(template, { tagNames, fillGoesWith, onSave, onDelete }) {
  if (!template) return () => {};
  const dialog = document.body.appendChild(template.content.firstElementChild.cloneNode(true));
  const form = dialog.querySelector("form");
  const caption = dialog.querySelector("[data-photo-edit-caption]");
  const goesWith = dialog.querySelector("[data-goes-with]");
  const image = dialog.querySelector("[data-photo-edit-image]");
  const remove = dialog.querySelector("[data-photo-edit-delete]");
  const picker = mountTagPicker(dialog.querySelector("[data-tag-picker]"), { names: tagNames });
  let editing = null;

  dialog.querySelector("[data-dialog-cancel]").addEventListener("click", () => dialog.close());
  remove.addEventListener("click", async () => {
    if (editing && (await onDelete(editing))) dialog.close();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!editing) return;
    const change = { caption: caption.value.trim(), tags: picker.names(), observation: goesWith.value || null };
    if (await onSave(editing, change)) dialog.close();
  });
  dialog.addEventListener("close", () => {
    editing = null;
    if (image.src.startsWith("blob:")) URL.revokeObjectURL(image.src);
    image.removeAttribute("src");
  });

  return function open(record, source) {
    editing = record;
    caption.value = record.caption || "";
    picker.set(record.tags || []);
    fillGoesWith(goesWith, record.observation || "");
    image.hidden = !source;
    if (source) image.src = source;
    // A photo refused at upload is taken back with "Discard" beside it, not from here.
    remove.hidden = record.state === "failed" && !record.editId;
    dialog.showModal();
    caption.focus();
  };
}
