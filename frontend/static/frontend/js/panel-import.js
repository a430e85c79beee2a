// The panel import's progress. Uploading: the bytes as they go (XHR upload events), then
// "checking" until the preview answers. On the preview: the rows checked or imported so
// far, read from the import's status URL, and the page reloaded when the work is done.
// Without JavaScript the forms post as forms and the preview reloads itself.

import { bytesText } from "./progress.js";

const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
const POLL_MS = 700;

function sizeText(bytes, element) {
  return bytesText(bytes, { megabytes: element.dataset.megabytes || "{n} MB", kilobytes: element.dataset.kilobytes || "{n} KB" });
}

function showProgress(form) {
  const box = form.querySelector("[data-progress]");
  box.hidden = false;
  return { text: box.querySelector("[data-progress-text]"), bar: box.querySelector("[data-progress-bar]") };
}

// A page answered to a form sent in the background (redirects followed): it replaces this
// page's content, messages included, and its address becomes this page's.
function follow(url, html) {
  const answer = new DOMParser().parseFromString(html, "text/html");
  const main = answer.querySelector("main");
  if (!main) {
    window.location.assign(url || window.location.href);
    return;
  }
  if (url && url !== window.location.href) window.history.pushState(null, "", url);
  document.querySelector("main").replaceChildren(...main.childNodes);
  document.title = answer.title;
  document.querySelector("main").focus();
  start();
}

function upload(form, event) {
  const input = form.querySelector("input[type=file]");
  const file = input && input.files[0];
  if (!file) return;
  event.preventDefault();
  const { text, bar } = showProgress(form);
  const max = Number(form.dataset.maxBytes || 0);
  if (max && file.size > max) {
    text.textContent = fill(form.dataset.textTooLarge, { size: sizeText(file.size, form) });
    bar.value = 0;
    return;
  }
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  const request = new XMLHttpRequest();
  request.open("POST", form.action);
  request.upload.addEventListener("progress", (progress) => {
    if (!progress.lengthComputable) return;
    const percent = Math.floor((progress.loaded / progress.total) * 100);
    bar.max = 100;
    bar.value = percent;
    text.textContent = fill(form.dataset.textUploading, { percent, size: sizeText(progress.total, form) });
  });
  request.upload.addEventListener("load", () => {
    bar.removeAttribute("value"); // indeterminate while the server reads the rows
    text.textContent = form.dataset.textChecking;
  });
  request.addEventListener("load", () => follow(request.responseURL, request.responseText));
  request.addEventListener("error", () => {
    button.disabled = false;
    text.textContent = form.dataset.textFailed;
  });
  request.send(new FormData(form));
}

async function poll(url, onStatus) {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return;
      if (!onStatus(await response.json())) return;
    } catch {
      // A dropped request: the next one tries again.
    }
  }
}

function working(status) {
  return status === "checking" || status === "importing";
}

function followStatus(box) {
  const text = box.querySelector("[data-progress-text]");
  const bar = box.querySelector("[data-progress-bar]");
  poll(box.dataset.importStatus, (data) => {
    bar.max = Math.max(1, data.rows_total);
    bar.value = data.rows_done;
    const template = data.status === "importing" ? box.dataset.textImporting : box.dataset.textChecking;
    text.textContent = fill(template, { done: data.rows_done, total: data.rows_total });
    if (working(data.status)) return true;
    window.location.reload();
    return false;
  });
}

async function confirm(form, event) {
  event.preventDefault();
  const { text, bar } = showProgress(form);
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  let finished = false;
  poll(form.dataset.statusUrl, (data) => {
    if (finished) return false;
    if (data.status === "importing") {
      bar.value = data.rows_done;
      text.textContent = fill(form.dataset.textImporting, { done: data.rows_done, total: data.rows_total });
    }
    return true;
  });
  text.textContent = fill(form.dataset.textImporting, { done: 0, total: bar.max });
  try {
    const response = await fetch(form.action || window.location.href, { method: "POST", body: new FormData(form), credentials: "same-origin" });
    finished = true;
    follow(response.url, await response.text());
  } catch {
    finished = true;
    form.submit();
  }
}

function start() {
  const box = document.querySelector("[data-import-status]");
  if (box) followStatus(box);
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.matches("[data-panel-upload]")) upload(form, event);
  else if (form.matches("[data-panel-confirm]")) confirm(form, event);
});

start();
