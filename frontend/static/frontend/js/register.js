// Installs the service worker (scope: the whole site) and, for a signed-in user, asks it to
// refresh the offline copy of their next days' visits.

const url = document.documentElement.dataset.serviceWorker;
if ("serviceWorker" in navigator && url) {
  navigator.serviceWorker
    .register(url, { scope: "/" })
    .then(() => navigator.serviceWorker.ready)
    .then((registration) => {
      const signedIn = document.querySelector("form[data-logout]");
      if (signedIn && navigator.onLine && registration.active) {
        registration.active.postMessage({ type: "refresh-offline" });
      }
    })
    .catch(() => {
      // Without a worker the pages still work online; the outbox does not depend on it.
    });
}
