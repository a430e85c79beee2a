// The synthesis screen's selection tray: what is ticked, on this page or any other, kept in
// this browser per study and user so it survives filter changes and pages until the
// evidence is used. Items ticked on other pages go with the form as hidden inputs; items
// on this page go as their own checkboxes.
//
// Storage: localStorage under the page's key ("rh-tray-<user>-<study>"); logging out
// removes every key starting with "rh-tray-". Without storage (a private window that
// refuses it) the tray still works on one page.

export const TRAY_PREFIX = "rh-tray-";

const FIELDS = { observation: "observations", photo: "photos" };

function words(value) {
  return (value || "").split(" ").filter(Boolean);
}

function entryOf(input) {
  return {
    kind: input.dataset.kind,
    id: input.value,
    label: input.dataset.label || input.value,
    tags: words(input.dataset.tags),
  };
}

function load(key) {
  try {
    const saved = JSON.parse(localStorage.getItem(key) || "null");
    if (saved && Array.isArray(saved.items)) {
      return { items: saved.items.filter((item) => FIELDS[item.kind] && item.id), draft: saved.draft || {} };
    }
  } catch {
    // Unreadable or refused: start empty.
  }
  return { items: [], draft: {} };
}

function filled(value) {
  return typeof value === "object" && value !== null ? Object.keys(value).length > 0 : Boolean(value);
}

function save(key, state) {
  try {
    if (state.items.length || Object.values(state.draft).some(filled)) {
      localStorage.setItem(key, JSON.stringify(state));
    } else {
      localStorage.removeItem(key);
    }
  } catch {
    // Full or refused: the tray still holds the selection for this page.
  }
}

// Selections another person left in this browser (if logging out did not clear them) go
// as soon as someone else opens the screen: they name what was said in homes.
function forgetOthers(owner) {
  if (!owner) return;
  try {
    for (const key of Object.keys(localStorage)) {
      if (key.startsWith(TRAY_PREFIX) && !key.startsWith(owner)) localStorage.removeItem(key);
    }
  } catch {
    // Storage refused: nothing was kept.
  }
}

// `form` holds the page's checkboxes (input[data-pick]) and the tray ([data-tray]).
// `onChange(items)` hears every change of the selection. Returns the tray's draft store:
// other fields of the form the browser keeps with the selection (see synthesis.js).
export function mountTray(form, { onChange = () => {} } = {}) {
  const root = form.querySelector("[data-tray]");
  const key = root.dataset.trayKey;
  const list = root.querySelector("[data-tray-list]");
  const template = root.querySelector("template[data-tray-item]");
  const clear = root.querySelector("[data-tray-clear]");
  const heading = root.querySelector("h2");
  const counters = [...form.querySelectorAll("[data-selected-count]")];
  const picks = [...form.querySelectorAll("input[data-pick]")];
  const pickOf = (item) => picks.find((input) => input.value === item.id && input.dataset.kind === item.kind);

  forgetOthers(root.dataset.trayOwner);
  let state = load(key);
  const has = (id) => state.items.some((item) => item.id === id);

  // Items the server says were used (made into an insight, added) or are gone leave the
  // tray, and so does the draft that went with them.
  const used = new Set(words(root.dataset.trayUsed));
  const gone = new Set(words(root.dataset.trayGone));
  if (used.size) state.draft = {};
  state.items = state.items.filter((item) => !used.has(item.id) && !gone.has(item.id));
  // A page the server sent back with an error lists what the form held: keep all of it.
  if ("traySent" in root.dataset) {
    const sent = [...root.querySelectorAll("input[data-tray-entry]:checked"), ...picks.filter((input) => input.checked)];
    for (const input of sent) {
      if (!has(input.value)) state.items.push(entryOf(input));
    }
  }

  const count = () => {
    const n = state.items.length;
    for (const counter of counters) {
      const { none, one, many } = counter.dataset;
      counter.textContent = n === 0 ? none : n === 1 ? one : many.replace("{n}", n);
    }
  };

  const render = () => {
    const rows = state.items.map((item) => {
      const row = template.content.firstElementChild.cloneNode(true);
      row.querySelector("[data-tray-label]").textContent = item.label;
      const remove = row.querySelector("[data-tray-remove]");
      remove.dataset.id = item.id;
      remove.setAttribute("aria-label", root.dataset.removeName.replace("{label}", item.label));
      if (!pickOf(item)) {
        const carried = document.createElement("input");
        carried.type = "hidden";
        carried.name = FIELDS[item.kind];
        carried.value = item.id;
        row.append(carried);
      }
      return row;
    });
    list.replaceChildren(...rows);
    clear.hidden = state.items.length === 0;
    for (const input of picks) input.checked = has(input.value);
    count();
    onChange(state.items);
  };

  const commit = () => {
    save(key, state);
    render();
  };

  for (const input of picks) {
    input.addEventListener("change", () => {
      state.items = state.items.filter((item) => item.id !== input.value);
      if (input.checked) state.items.push(entryOf(input));
      commit();
    });
  }

  list.addEventListener("click", (event) => {
    const button = event.target.closest("[data-tray-remove]");
    if (!button) return;
    const index = state.items.findIndex((item) => item.id === button.dataset.id);
    state.items.splice(index, 1);
    commit();
    // Focus stays in the list: on the next item's button, or the heading when it is empty.
    const buttons = list.querySelectorAll("[data-tray-remove]");
    (buttons[Math.min(index, buttons.length - 1)] || heading).focus();
  });

  clear.addEventListener("click", () => {
    state.items = [];
    commit();
    heading.focus();
  });

  // Another tab of the same study changed the selection.
  window.addEventListener("storage", (event) => {
    if (event.key !== key) return;
    state = load(key);
    render();
  });
  // Back to this page from the history (after making the insight, say): ask the server
  // again, which says what was used since. A page that answered a form is not sent again.
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    if (!("traySent" in root.dataset)) {
      location.reload();
      return;
    }
    state = load(key);
    render();
  });

  for (const hint of root.querySelectorAll("[data-tray-kept]")) hint.hidden = false;
  commit();

  return {
    draft: () => ({ ...state.draft }),
    keepDraft: (changes) => {
      state.draft = { ...state.draft, ...changes };
      save(key, state);
    },
  };
}
