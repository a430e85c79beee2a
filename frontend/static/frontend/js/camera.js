// Photos from the camera (or the gallery): the phone's own picker through
// <input type=file accept="image/*" capture="environment" multiple>, a preview of each
// through an object URL, and a caption field per photo before they are saved. What the
// chosen photos share (tags, the item they go with: `details`) shows once there are some.

export function mountCamera({ input, pickButton, list, saveButton, details, text, onSave }) {
  if (!input) return;
  let chosen = [];

  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");

  function render() {
    list.replaceChildren();
    chosen.forEach((entry, index) => {
      const row = document.createElement("li");
      row.className = "photo-preview";
      const image = document.createElement("img");
      image.src = entry.url;
      image.alt = "";
      image.width = 96;
      image.height = 96;
      const field = document.createElement("div");
      field.className = "field";
      const label = document.createElement("label");
      const id = `photo-caption-${index}`;
      label.htmlFor = id;
      label.textContent = fill(text.caption, { n: index + 1 });
      const caption = document.createElement("input");
      caption.type = "text";
      caption.id = id;
      caption.maxLength = 300;
      caption.value = entry.caption;
      caption.addEventListener("input", () => (entry.caption = caption.value));
      field.append(label, caption);
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button button-small";
      remove.textContent = text.remove;
      remove.setAttribute("aria-label", fill(text.removePhoto, { n: index + 1 }));
      remove.addEventListener("click", () => {
        URL.revokeObjectURL(entry.url);
        chosen = chosen.filter((other) => other !== entry);
        render();
      });
      row.append(image, field, remove);
      list.append(row);
    });
    saveButton.hidden = chosen.length === 0;
    if (details) details.hidden = chosen.length === 0;
  }

  pickButton.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    for (const file of input.files) {
      if (file.type && !file.type.startsWith("image/")) continue;
      chosen.push({ file, url: URL.createObjectURL(file), caption: "" });
    }
    // The same photo can be picked again after it is removed.
    input.value = "";
    render();
  });
  saveButton.closest("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const batch = chosen;
    if (!batch.length) return;
    saveButton.disabled = true;
    try {
      // onSave answers how many (from the first) are safely in the outbox; the rest stay
      // on screen to try again, and the saved ones cannot be saved twice.
      const saved = await onSave(batch.map(({ file, caption }) => ({ file, caption: caption.trim() })));
      batch.slice(0, saved).forEach((entry) => URL.revokeObjectURL(entry.url));
      chosen = chosen.filter((entry) => !batch.slice(0, saved).includes(entry));
      render();
    } finally {
      saveButton.disabled = false;
    }
  });
}
