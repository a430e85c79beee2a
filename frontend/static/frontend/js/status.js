// The sync line every field page shows: what is waiting ("3 items, 2 photos waiting to
// sync."), whether we are offline, and each item that could not be sent, with the reason.

import * as outbox from "./outbox.js";
import * as sync from "./sync.js";

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
  if (reason === "not-confirmed") return text.notConfirmed;
  const server = /^server (\d+)$/.exec(reason || "");
  return server ? fill(text.server, { status: server[1] }) : reason;
}

function label(item, text) {
  if (item.kind === "photo") return item.caption ? `${text.photo} “${item.caption}”` : text.photo;
  const words = (item.op.text || "").trim();
  const short = words.length > 40 ? `${words.slice(0, 40)}…` : words;
  return `${text[item.op.kind] || text.note} “${short}”`;
}

export function mountStatus(root, { user, text }) {
  if (!root) return;
  const summary = root.querySelector("[data-sync-summary]");
  const failures = root.querySelector("[data-sync-failures]");
  const button = root.querySelector("[data-sync-now]");
  button.addEventListener("click", () => {
    sync.state.failures = 0;
    sync.syncNow();
  });

  async function render() {
    const items = await outbox.all(user);
    const pending = items.filter((item) => item.state === "pending");
    const failed = items.filter((item) => item.state === "failed");
    const notes = pending.filter((item) => item.kind === "observation").length;
    const photos = pending.length - notes;
    const parts = [];
    if (notes) parts.push(counted(notes, text.itemOne, text.itemMany));
    if (photos) parts.push(counted(photos, text.photoOne, text.photoMany));

    const sentences = [];
    if (parts.length) {
      sentences.push(fill(text.waiting, { list: parts.join(", ") }));
      if (sync.state.signedOut) sentences.push(text.signIn);
      else if (!navigator.onLine) sentences.push(text.offline);
      else if (sync.state.running) sentences.push(text.sending);
      else if (sync.state.lastError && sync.state.nextAt) {
        const reason = reasonText(text, sync.state.lastError);
        sentences.push(fill(text.retry, { reason, time: seconds(sync.state.nextAt - Date.now()) }));
      }
    } else if (!failed.length) {
      sentences.push(text.synced);
    }
    summary.textContent = sentences.join(" ");
    root.dataset.waiting = String(pending.length);
    root.classList.toggle("is-waiting", pending.length > 0);
    root.classList.toggle("has-failures", failed.length > 0);
    button.hidden = !pending.length || sync.state.running || !navigator.onLine;

    failures.replaceChildren();
    failures.hidden = !failed.length;
    if (failed.length) {
      const head = document.createElement("li");
      head.className = "sync-failures-head";
      head.textContent = failed.length === 1 ? text.failedOne : fill(text.failedMany, { n: failed.length });
      failures.append(head);
      for (const item of failed) {
        const row = document.createElement("li");
        row.textContent = `${label(item, text)}: ${reasonText(text, item.error)}`;
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
  sync.onState(soon);
  window.addEventListener("online", soon);
  window.addEventListener("offline", soon);
  render();
}
