// ResearchHub's service worker, version __VERSION__ (served by Django at /sw.js, scope /).
//
// - The app shell (CSS, scripts, icons) is precached and served from the cache.
// - Pages are network-first, cached as they are seen, and served from the cache offline;
//   the Today page and the capture pages of the researcher's next days' visits are
//   fetched ahead (from the offline bundle) so they open with no signal. The bundle's own
//   answer is kept beside them: the capture screen reads the visits this phone holds there.
// - A visit's page is not kept (it names the household's contact); offline, the visit's
//   details open on its capture page, which has the code, segment, address and phone.
// - The API is never served from the cache: reads are live, and writes (sync, uploads) go
//   to the network only; the outbox in IndexedDB is what keeps captured items safe.
// - Seeing the login page means the session is over: the offline copy is cleared.
{% autoescape off %}
const CONFIG = {{ config }};{% endautoescape %}
const SHELL_CACHE = "rh-shell-__VERSION__";
// Not versioned: pages survive a new worker, and go on logout only.
const PAGE_CACHE = "rh-pages";
const SHELL = new Set(CONFIG.shell);
const CAPTURE_PAGE = /^\/visits\/[0-9a-f-]{36}\/capture\/$/;
const VISIT_PAGE = /^\/visits\/([0-9a-f-]{36})\/$/;
const REFRESH_EVERY_MS = 10 * 60 * 1000;
let lastRefresh = 0;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(CONFIG.shell.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith("rh-shell-") && key !== SHELL_CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

const keptOffline = (path) => path === CONFIG.today || CAPTURE_PAGE.test(path);

async function fromShell(request) {
  const cached = await caches.match(request, { cacheName: SHELL_CACHE });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) (await caches.open(SHELL_CACHE)).put(request, response.clone());
  return response;
}

function offlinePage() {
  const escape = (value) => value.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const html =
    `<!doctype html><html lang="${escape(CONFIG.language || "en")}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escape(CONFIG.offlineTitle)} · ResearchHub</title>` +
    `<link rel="stylesheet" href="${escape(CONFIG.shell[0])}"></head><body><main id="main" class="wrap">` +
    `<h1>${escape(CONFIG.offlineTitle)}</h1><p>${escape(CONFIG.offlineText)}</p>` +
    `<p><a class="button button-primary" href="${escape(CONFIG.today)}">${escape(CONFIG.offlineLink)}</a></p>` +
    `</main></body></html>`;
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

async function page(event) {
  const request = event.request;
  const path = new URL(request.url).pathname;
  try {
    const response = await fetch(request);
    const landed = new URL(response.url || request.url).pathname;
    if (landed === CONFIG.login) {
      event.waitUntil(forgetOfflineCopy());
    } else if (response.ok && keptOffline(path) && landed === path) {
      const copy = response.clone();
      event.waitUntil(caches.open(PAGE_CACHE).then((cache) => cache.put(path, copy)));
    }
    return response;
  } catch (error) {
    const cached = await caches.match(path, { cacheName: PAGE_CACHE });
    if (cached) return cached;
    const visit = VISIT_PAGE.exec(path);
    const capture = visit && `/visits/${visit[1]}/capture/`;
    if (capture && (await caches.match(capture, { cacheName: PAGE_CACHE }))) {
      return Response.redirect(`${capture}#visit-details`, 302);
    }
    return offlinePage();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname === "/sw.js") return;
  if (SHELL.has(url.pathname)) {
    event.respondWith(fromShell(request));
  } else if (request.mode === "navigate") {
    event.respondWith(page(event));
  }
});

// The pages of the next days' visits, so they open in a kitchen with no signal. Capture
// pages no longer in the bundle go: addresses stay on the phone only as long as needed.
async function refreshOffline() {
  if (Date.now() - lastRefresh < REFRESH_EVERY_MS) return;
  lastRefresh = Date.now();
  const response = await fetch(CONFIG.bundle, { credentials: "same-origin", headers: { Accept: "application/json" } });
  const body = response.ok ? await response.json().catch(() => null) : null;
  if (!body || !Array.isArray(body.visits)) {
    lastRefresh = 0;
    return;
  }
  const wanted = [CONFIG.today, ...body.visits.map((visit) => `/visits/${visit.id}/capture/`)];
  const cache = await caches.open(PAGE_CACHE);
  await cache.put(CONFIG.bundle, new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } }));
  for (const path of wanted) {
    try {
      const page = await fetch(path, { credentials: "same-origin" });
      if (page.ok && new URL(page.url).pathname === path) await cache.put(path, page);
    } catch {
      lastRefresh = 0;
    }
  }
  const open = new Set((await self.clients.matchAll()).map((client) => new URL(client.url).pathname));
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (CAPTURE_PAGE.test(path) && !wanted.includes(path) && !open.has(path)) await cache.delete(request);
  }
}

// Logged out: the pages (with addresses) and the confirmed items go. The outbox's waiting
// items stay; they exist nowhere else.
async function forgetOfflineCopy() {
  lastRefresh = 0;
  await caches.delete(PAGE_CACHE);
  await new Promise((resolve) => {
    const request = indexedDB.open("researchhub");
    // No database yet: do not create one here (the pages own its schema).
    request.onupgradeneeded = () => request.transaction.abort();
    request.onerror = () => resolve();
    request.onsuccess = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains("confirmed")) {
        db.close();
        return resolve();
      }
      const tx = db.transaction("confirmed", "readwrite");
      tx.objectStore("confirmed").clear();
      tx.oncomplete = tx.onerror = tx.onabort = () => {
        db.close();
        resolve();
      };
    };
  });
}

self.addEventListener("message", (event) => {
  const type = event.data && event.data.type;
  if (type === "refresh-offline") event.waitUntil(refreshOffline().catch(() => {}));
  if (type === "logout") event.waitUntil(forgetOfflineCopy());
});
