// Logging out clears this device's offline copy: the confirmed items, the cached pages of
// upcoming visits and the offline bundle beside them (which hold addresses and phone
// numbers), and what pages kept in this browser's storage for the person (the synthesis
// tray, under "rh-tray-"). Items not yet confirmed stay: they exist nowhere else. So when
// some are waiting, the researcher is told first and may stay. The service worker does the
// same clearing when it sees the login page.

import { all, clearConfirmed, isWaiting } from "./outbox.js";

const STORAGE_PREFIXES = ["rh-tray-"];
const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");

function clearStorage() {
  try {
    for (const key of Object.keys(localStorage)) {
      if (STORAGE_PREFIXES.some((prefix) => key.startsWith(prefix))) localStorage.removeItem(key);
    }
  } catch {
    // Storage switched off: nothing was kept there.
  }
}

async function clearOfflineCopy() {
  clearStorage();
  const work = [clearConfirmed()];
  if ("caches" in self) {
    const { PAGE_CACHE } = await import("./held.js");
    work.push(caches.keys().then((keys) => Promise.all(keys.filter((key) => key.startsWith(PAGE_CACHE)).map((key) => caches.delete(key)))));
  }
  const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
  if (worker) worker.postMessage({ type: "logout" });
  await Promise.allSettled(work);
}

async function waitingCount(user) {
  try {
    return (await all(user)).filter(isWaiting).length;
  } catch {
    return 0;
  }
}

// Resolves true to log out, false to stay.
let warning = null;

function confirmLeaving(count) {
  const template = document.querySelector("template[data-logout-warning]");
  if (!template || !count) return Promise.resolve(true);
  warning ||= document.body.appendChild(template.content.firstElementChild.cloneNode(true));
  const dialog = warning;
  const message = dialog.querySelector("[data-logout-count]");
  message.textContent = fill(count === 1 ? message.dataset.one : message.dataset.many, { n: count });
  return new Promise((resolve) => {
    const decide = (leave) => () => {
      dialog.close();
      resolve(leave);
    };
    dialog.querySelector("[data-logout-stay]").onclick = decide(false);
    dialog.querySelector("[data-logout-leave]").onclick = decide(true);
    dialog.oncancel = decide(false);
    dialog.showModal();
    dialog.querySelector("[data-logout-stay]").focus();
  });
}

for (const form of document.querySelectorAll("form[data-logout]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    // Never keep someone from logging out for long: a second to count what waits.
    const count = await Promise.race([waitingCount(form.dataset.user), new Promise((resolve) => setTimeout(() => resolve(0), 1000))]);
    if (!(await confirmLeaving(count))) return;
    // And two seconds at most for the clean-up.
    await Promise.race([clearOfflineCopy().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 2000))]);
    form.submit();
  });
}
