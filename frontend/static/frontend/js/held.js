// The visits this phone holds: the offline bundle (its visits of the next days, with their
// guides), kept beside the offline pages in the page cache. The service worker stores it
// when it refreshes those pages, a page may refresh it when online, and it goes with them at
// logout, for it holds the same addresses and phone numbers.

export const PAGE_CACHE = "rh-pages";
const REFRESH_TIMEOUT_MS = 5000;

async function refresh(url) {
  const controller = new AbortController();
  const timeout = setTimeout(() => controller.abort(), REFRESH_TIMEOUT_MS);
  try {
    const response = await fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" }, signal: controller.signal });
    if (!response.ok || !(response.headers.get("Content-Type") || "").includes("json")) return;
    const body = await response.clone().json();
    if (Array.isArray(body.visits)) await (await caches.open(PAGE_CACHE)).put(url, response);
  } catch {
    // Offline or slow: the copy kept last time will do.
  } finally {
    clearTimeout(timeout);
  }
}

// The bundle as last kept ({visits, studies, ...}), refreshed first when online; null when
// this phone has none.
export async function heldBundle(url) {
  if (!("caches" in self)) return null;
  if (navigator.onLine) await refresh(url);
  const kept = await caches.match(url, { cacheName: PAGE_CACHE });
  return kept ? kept.json().catch(() => null) : null;
}
