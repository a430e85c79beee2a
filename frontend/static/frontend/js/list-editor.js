// An ordered list of questions edited in place: research questions on a study's
// settings, questions of the discussion guide. Without scripts each row has a position
// box and a Remove tick; this module hides those and offers Move up / Move down buttons
// (announced in a live region), dragging by the handle, and Add and Remove in place. It
// keeps the hidden position boxes in step with what is on screen, so the form posts the
// order shown.
function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => values[name] ?? whole);
}

function enhance(editor) {
  const list = editor.querySelector("[data-list-items]");
  const template = editor.querySelector("[data-list-template]");
  const status = editor.querySelector("[data-list-status]");
  const add = editor.querySelector("[data-list-add]");
  const text = editor.dataset;
  let next = 0;
  let dragged = null;

  const rows = () => [...list.querySelectorAll(":scope > [data-list-row]")];
  const labelOf = (row) =>
    `${row.querySelector("[data-row-label]").textContent} ${rows().indexOf(row) + 1}`;

  function announce(message) {
    // Emptied first so that the same words twice are read twice.
    status.textContent = "";
    window.setTimeout(() => {
      status.textContent = message;
    }, 50);
  }

  function renumber() {
    rows().forEach((row, index) => {
      for (const number of row.querySelectorAll("[data-row-number]")) {
        number.textContent = String(index + 1);
      }
      row.querySelector("[data-list-order]").value = String(index + 1);
    });
  }

  function wire(row) {
    row.querySelector("[data-list-manual]").hidden = true;
    row.querySelector("[data-list-tools]").hidden = false;
    const name = row.querySelector("textarea").name;
    next = Math.max(next, Number(name.split("-")[1]) + 1 || 0);
  }

  function move(row, step) {
    const all = rows();
    const index = all.indexOf(row);
    const target = all[index + step];
    if (!target) {
      announce(fill(step < 0 ? text.textFirst : text.textLast, { label: labelOf(row) }));
      return;
    }
    // The neighbour moves, not the row: a node taken out of the page loses the focus.
    if (step < 0) list.insertBefore(target, row.nextElementSibling);
    else list.insertBefore(target, row);
    renumber();
    announce(
      fill(text.textMoved, {
        label: row.querySelector("[data-row-label]").textContent,
        position: index + step + 1,
        count: all.length,
      }),
    );
  }

  function remove(row) {
    const all = rows();
    const index = all.indexOf(row);
    const label = labelOf(row);
    row.remove();
    renumber();
    announce(fill(text.textRemoved, { label, count: all.length - 1 }));
    const after = rows()[index] || rows()[index - 1];
    (after?.querySelector("[data-list-remove]") || add).focus();
  }

  function addRow() {
    const fragment = template.content.cloneNode(true);
    const row = fragment.querySelector("[data-list-row]");
    for (const element of row.querySelectorAll("[id], [name], [for], [aria-describedby]")) {
      for (const attribute of ["id", "name", "for", "aria-describedby"]) {
        const value = element.getAttribute(attribute);
        if (value) element.setAttribute(attribute, value.replaceAll("__i__", String(next)));
      }
    }
    row.querySelector("[data-list-listed]").value = "1";
    list.append(row);
    wire(row);
    renumber();
    row.querySelector("textarea").focus();
    announce(fill(text.textAdded, { label: labelOf(row) }));
  }

  // Spare blank rows are for pages without scripts; here "Add" makes rows.
  for (const row of rows()) {
    if (row.hasAttribute("data-list-spare")) row.remove();
    else wire(row);
  }
  for (const help of editor.querySelectorAll("[data-list-help-manual]")) help.hidden = true;
  for (const help of editor.querySelectorAll("[data-list-help-tools]")) help.hidden = false;
  add.hidden = false;
  renumber();

  add.addEventListener("click", addRow);
  list.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    const row = button?.closest("[data-list-row]");
    if (!row) return;
    if (button.hasAttribute("data-list-up")) move(row, -1);
    else if (button.hasAttribute("data-list-down")) move(row, 1);
    else if (button.hasAttribute("data-list-remove")) remove(row);
  });

  // Rows are draggable only from their handle, so that text in them can still be
  // selected. Set on hover: the browser decides what a press may drag before its handlers.
  list.addEventListener("pointerover", (event) => {
    const handle = event.target.closest("[data-list-handle]");
    if (handle) handle.closest("[data-list-row]").draggable = true;
  });
  list.addEventListener("pointerout", (event) => {
    // With a button held, the pointer is leaving the handle to drag the row: keep it.
    if (event.buttons) return;
    const row = event.target.closest("[data-list-handle]")?.closest("[data-list-row]");
    if (row && row !== dragged) row.draggable = false;
  });

  function clearMarks() {
    for (const row of list.querySelectorAll(".is-drop-before, .is-drop-after")) {
      row.classList.remove("is-drop-before", "is-drop-after");
    }
  }

  function below(row, event) {
    const box = row.getBoundingClientRect();
    return event.clientY > box.top + box.height / 2;
  }

  list.addEventListener("dragstart", (event) => {
    const row = event.target.closest?.("[data-list-row]");
    if (!row?.draggable) return;
    dragged = row;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.querySelector("textarea").value);
    row.classList.add("is-dragging");
  });

  list.addEventListener("dragover", (event) => {
    const row = event.target.closest?.("[data-list-row]");
    if (!dragged || !row) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    clearMarks();
    if (row !== dragged) row.classList.add(below(row, event) ? "is-drop-after" : "is-drop-before");
  });

  list.addEventListener("drop", (event) => {
    const row = event.target.closest?.("[data-list-row]");
    if (!dragged || !row) return;
    event.preventDefault();
    clearMarks();
    if (row === dragged) return;
    list.insertBefore(dragged, below(row, event) ? row.nextElementSibling : row);
    renumber();
    const all = rows();
    announce(
      fill(text.textMoved, {
        label: dragged.querySelector("[data-row-label]").textContent,
        position: all.indexOf(dragged) + 1,
        count: all.length,
      }),
    );
  });

  list.addEventListener("dragend", () => {
    clearMarks();
    if (dragged) {
      dragged.classList.remove("is-dragging");
      dragged.draggable = false;
      dragged = null;
    }
  });

  // Tests wait for this before using the buttons or dragging.
  editor.dataset.ready = "true";
}

for (const editor of document.querySelectorAll("[data-list-editor]")) enhance(editor);
