// Drag and drop between a board's columns. Each card's "Move to" form stays the way to
// move it with a keyboard or without scripts; this module only adds dragging. A dropped
// card moves at once and goes back where it was if ResearchHub refuses or cannot be
// reached; the status line says which, for screen readers too.
const board = document.querySelector("[data-board]");
const status = document.querySelector("[data-board-status]");
const text = JSON.parse(document.getElementById("board-text").textContent);

let dragged = null;

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => values[name] ?? whole);
}

function columnOf(card) {
  return card.closest("[data-column]");
}

// A column may hold more cards than its page shows (data-more): they count too.
function recount() {
  for (const column of board.querySelectorAll("[data-column]")) {
    const cards =
      column.querySelector("[data-cards]").children.length + Number(column.dataset.more || 0);
    column.querySelector("[data-count]").textContent = String(cards);
    column.querySelector("[data-empty]").hidden = cards > 0;
  }
}

async function reasonOf(response) {
  if (response.redirected) return text.signIn; // the sign-in page answered instead
  const type = response.headers.get("Content-Type") || "";
  if (!type.includes("application/json")) return text.unknown;
  const body = await response.json();
  const first = Object.values(body.errors || {}).flat()[0];
  return first || text.unknown;
}

async function move(card, target) {
  const from = columnOf(card);
  if (from === target) return;
  const form = card.querySelector("[data-move-form]");
  const origin = { list: card.parentElement, next: card.nextElementSibling };
  const values = { statement: card.dataset.statement, column: target.dataset.label };
  target.querySelector("[data-cards]").prepend(card);
  recount();
  status.textContent = fill(text.moving, values);
  const body = new FormData();
  body.set("column", target.dataset.column);
  let reason;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "X-CSRFToken": form.elements.csrfmiddlewaretoken.value,
      },
    });
    if (response.ok && !response.redirected) {
      const answer = await response.json();
      form.querySelector("[data-move-select]").value = answer.card.column;
      status.textContent = fill(text.moved, values);
      return;
    }
    reason = await reasonOf(response);
  } catch {
    reason = text.network;
  }
  origin.list.insertBefore(card, origin.next);
  recount();
  status.textContent = fill(text.failed, { ...values, reason, column: from.dataset.label });
}

board.addEventListener("dragstart", (event) => {
  const card = event.target.closest?.("[data-card][draggable='true']");
  if (!card) return;
  dragged = card;
  event.dataTransfer.effectAllowed = "move";
  event.dataTransfer.setData("text/plain", card.dataset.statement);
  card.classList.add("is-dragging");
});

board.addEventListener("dragend", () => {
  dragged?.classList.remove("is-dragging");
  dragged = null;
  for (const column of board.querySelectorAll(".is-drop-target")) {
    column.classList.remove("is-drop-target");
  }
});

for (const column of board.querySelectorAll("[data-column]")) {
  column.addEventListener("dragover", (event) => {
    if (!dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    column.classList.add("is-drop-target");
  });
  column.addEventListener("dragleave", (event) => {
    if (!column.contains(event.relatedTarget)) column.classList.remove("is-drop-target");
  });
  column.addEventListener("drop", (event) => {
    event.preventDefault();
    column.classList.remove("is-drop-target");
    if (dragged) move(dragged, column);
  });
}

// Tests wait for this before dragging.
board.dataset.ready = "true";
