// The confirmation before finishing a visit: how many of its items are still waiting on
// this phone (only the phone knows), so nobody finishes believing everything was sent.

import { all, isWaiting } from "./outbox.js";

const line = document.querySelector("[data-waiting]");
if (line) {
  const fill = (template, n) => template.replace("{n}", String(n));
  const count = (await all(line.dataset.user)).filter((item) => item.visit === line.dataset.visit && isWaiting(item)).length;
  line.textContent = count === 0 ? line.dataset.none : fill(count === 1 ? line.dataset.one : line.dataset.many, count);
  line.classList.toggle("note-warning", count > 0);
  line.hidden = false;
}
