// Logging out clears this device's offline copy: the confirmed items and the cached pages
// of upcoming visits (which hold addresses). Items not yet confirmed stay: they exist
// nowhere else. The service worker does the same when it sees the login page.

import { clearConfirmed } from "./outbox.js";

const PAGE_CACHES = "rh-pages";

async function clearOfflineCopy() {
  const work = [clearConfirmed()];
  if ("caches" in self) {
    work.push(caches.keys().then((keys) => Promise.all(keys.filter((key) => key.startsWith(PAGE_CACHES)).map((key) => caches.delete(key)))));
  }
  const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
  if (worker) worker.postMessage({ type: "logout" });
  await Promise.allSettled(work);
}

for (const form of document.querySelectorAll("form[data-logout]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    // Never keep someone from logging out: give the clean-up two seconds at most.
    await Promise.race([clearOfflineCopy(), new Promise((resolve) => setTimeout(resolve, 2000))]);
    form.submit();
  });
}
