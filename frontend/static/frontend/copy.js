// Copy buttons: <button data-copy-target="input-id"> copies that field's value, and
// <button data-copy-text="…"> copies the text it carries. Both take data-status="status-id"
// data-copied-text="…" data-failed-text="…" and start hidden: where scripts do not run
// there is no button, and the text is still on the page to select by hand.
for (const button of document.querySelectorAll("button[data-copy-target], button[data-copy-text]")) {
  const field = button.dataset.copyTarget ? document.getElementById(button.dataset.copyTarget) : null;
  const status = document.getElementById(button.dataset.status);
  if (button.dataset.copyTarget && !field) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field ? field.value : button.dataset.copyText);
      if (status) status.textContent = button.dataset.copiedText;
    } catch {
      if (field) {
        field.focus();
        field.select();
      }
      if (status) status.textContent = button.dataset.failedText;
    }
  });
}
