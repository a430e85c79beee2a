// The sync line every field page shows: what is waiting ("3 items, 2 photos waiting to
// sync."), whether we are offline, the photo being sent (progress.js), and each item that
// could not be sent, with the reason and a link to where it can be moved or deleted.
//
// It shows the outbox at once; what the sync is doing once the page hands it the sync
// (`follow`), which pages load after they are ready for a thumb.

import * as outbox from "./outbox.js";

const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");

function counted(n, one, many) {
  return fill(n === 1 ? one : many, { n });
}

function seconds(ms) {
  const s = Math.max(1, Math.round(ms / 1000));
  return s < 90 ? `${s} s` : `${Math.round(s / 60)} min`;
}

export function reasonText(text, reason) {
  if (reason === "network") return text.network;
  if (reason === "busy") return text.busy;
  if (reason === "not-confirmed") return text.notConfirmed;
  const server = /^server (\d+)$/.exec(reason || "");
  return server ? fill(text.server, { status: server[1] }) : reason;
}

export function entryLabel(item, text) {
  if (item.kind === "photo") return item.caption ? `${text.photo} “${item.caption}”` : text.photo;
  if (item.kind === "photo-edit") return item.op.caption ? `${text.photoChange} “${item.op.caption}”` : text.photoChange;
  const words = (item.op.text || "").trim();
  const short = words.length > 40 ? `${words.slice(0, 40)}…` : words;
  return `${text[item.op.kind] || text.note} “${short}”`;
}

// Where a refused item is shown with what can be done about it: its visit's capture screen.
export function entryAnchor(item) {
  const prefix = item.kind === "observation" ? "item" : "photo";
  return `/visits/${item.visit}/capture/#${prefix}-${item.device_id}`;
}

export function mountStatus(root, { user, text }) {
  if (!root) return { follow() {} };
  const summary = root.querySelector("[data-sync-summary]");
  const failures = root.querySelector("[data-sync-failures]");
  const button = root.querySelector("[data-sync-now]");
  let sync = null;
  let state = { running: false, signedOut: false, lastError: "", nextAt: 0 };
  button.addEventListener("click", () => {
    if (!sync) return;
    sync.state.failures = 0;
    sync.syncNow();
  });

  async function render() {
    const items = (await outbox.all(user)).filter(outbox.isWaiting);
    const pending = items.filter((item) => item.state === "pending");
    const failed = items.filter((item) => item.state === "failed");
    const photos = pending.filter((item) => item.kind === "photo").length;
    const notes = pending.length - photos;
    const parts = [];
    if (notes) parts.push(counted(notes, text.itemOne, text.itemMany));
    if (photos) parts.push(counted(photos, text.photoOne, text.photoMany));

    const sentences = [];
    if (parts.length) {
      sentences.push(fill(text.waiting, { list: parts.join(", ") }));
      if (state.signedOut) sentences.push(text.signIn);
      else if (!navigator.onLine) sentences.push(text.offline);
      else if (state.running) sentences.push(text.sending);
      else if (state.lastError && state.nextAt) {
        const reason = reasonText(text, state.lastError);
        sentences.push(fill(text.retry, { reason, time: seconds(state.nextAt - Date.now()) }));
      }
    } else if (!failed.length) {
      sentences.push(text.synced);
    }
    summary.textContent = sentences.join(" ");
    root.dataset.waiting = String(pending.length);
    root.classList.toggle("is-waiting", pending.length > 0);
    root.classList.toggle("has-failures", failed.length > 0);
    button.hidden = !sync || !pending.length || state.running || !navigator.onLine;

    failures.replaceChildren();
    failures.hidden = !failed.length;
    if (failed.length) {
      const head = document.createElement("li");
      head.className = "sync-failures-head";
      head.textContent = failed.length === 1 ? text.failedOne : fill(text.failedMany, { n: failed.length });
      failures.append(head);
      for (const item of failed) {
        const row = document.createElement("li");
        const link = document.createElement("a");
        link.href = entryAnchor(item);
        link.textContent = entryLabel(item, text);
        const reason = document.createElement("span");
        reason.className = "sync-failure-reason";
        reason.textContent = reasonText(text, item.error);
        row.append(link, reason);
        failures.append(row);
      }
    }
  }

  let queued = false;
  const soon = () => {
    if (queued) return;
    queued = true;
    setTimeout(() => {
      queued = false;
      render();
    }, 30);
  };
  outbox.onChange(soon);
  window.addEventListener("online", soon);
  window.addEventListener("offline", soon);
  render();

  return {
    async follow(module) {
      sync = module;
      state = sync.state;
      sync.onState(soon);
      const { mountProgress } = await import("./progress.js");
      mountProgress(root, { text, sync });
      soon();
    },
  };
}
