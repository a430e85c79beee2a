// Copy buttons: <button data-copy-target="input-id" data-status="status-id"
// data-copied-text="…" data-failed-text="…" hidden>. The button stays hidden
// where scripts do not run; the input is still there to select by hand.
for (const button of document.querySelectorAll("button[data-copy-target]")) {
  const field = document.getElementById(button.dataset.copyTarget);
  const status = document.getElementById(button.dataset.status);
  if (!field) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      if (status) status.textContent = button.dataset.copiedText;
    } catch {
      field.focus();
      field.select();
      if (status) status.textContent = button.dataset.failedText;
    }
  });
}
