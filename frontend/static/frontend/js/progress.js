// While a photo is being sent: which one, how far and what is left ("Sending photo 2 of 3 —
// 45 %, 1.2 MB left"), as the bytes go, with a Cancel that takes the photo back (after a
// confirmation: it has not reached ResearchHub and would be lost).

const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
const MEGABYTE = 1024 * 1024;

export function bytesText(bytes, text) {
  const number = new Intl.NumberFormat(document.documentElement.lang || undefined, { maximumFractionDigits: 1 });
  if (bytes >= MEGABYTE / 10) return fill(text.megabytes, { n: number.format(bytes / MEGABYTE) });
  return fill(text.kilobytes, { n: number.format(bytes > 0 ? Math.max(1, Math.round(bytes / 1024)) : 0) });
}

export function mountProgress(root, { text, sync }) {
  const box = root && root.querySelector("[data-upload-progress]");
  if (!box) return;
  const line = box.querySelector("[data-upload-text]");
  const bar = box.querySelector("[data-upload-bar]");
  const cancel = box.querySelector("[data-upload-cancel]");
  let shown = null;

  cancel.addEventListener("click", async () => {
    const upload = shown;
    if (!upload || !window.confirm(text.confirmCancelUpload)) return;
    await sync.cancelPhoto(upload);
  });

  // Progress events come many times a second on a fast network; the screen needs a few.
  let frame = 0;
  sync.onProgress((upload) => {
    shown = upload;
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      box.hidden = !shown;
      if (!shown) return;
      const percent = Math.min(100, Math.floor((shown.sent / Math.max(1, shown.size)) * 100));
      const values = { n: shown.index, count: shown.count, percent, left: bytesText(shown.left, text) };
      line.textContent = fill(text.sendingPhoto, values);
      bar.value = percent;
      bar.setAttribute("aria-label", fill(text.sendingPhotoLabel, values));
      cancel.setAttribute("aria-label", fill(text.cancelUploadLabel, values));
    });
  });
}
