// The round report's print button: shown only where script runs (the browser's own print
// menu does the same without it).

for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
