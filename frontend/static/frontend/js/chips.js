// Tag chips: the one picker (chips to tap, a field for a new tag) that notes, photos and
// photo edits share.
//
// Their order is the server's (fieldwork.policies.tag_chip_order, in the page's data: the
// tags this researcher used most recently first, then by group and name). The phone knows one
// thing newer than the page: the tags used here since it was rendered. Those go first, newest
// use first — the same rule with newer knowledge. A new tag being typed in is in neither list
// yet; it shows first, pressed, until it is used.

const key = (name) => name.toLocaleLowerCase();
const moment = (record) => Date.parse(record.edited_at || record.captured_at);

// The tags used on this phone since the page was rendered (`since`, the server's time then),
// newest use first: the researcher's own items and photos, waiting or confirmed since.
export function recentTags(records, since) {
  const after = Date.parse(since);
  return records
    .filter((record) => record.mine && moment(record) > after)
    .sort((a, b) => moment(b) - moment(a))
    .flatMap((record) => record.tags || []);
}

export function chipOrder({ serverNames, recentNames, selected }) {
  const seen = new Set();
  const order = [];
  const add = (name) => {
    if (seen.has(key(name))) return;
    seen.add(key(name));
    order.push(name);
  };
  recentNames.forEach(add);
  const known = new Set([...recentNames, ...serverNames].map(key));
  [...selected].filter((name) => !known.has(key(name))).forEach(add);
  serverNames.forEach(add);
  return order;
}

// `root`: a fieldset[data-tag-picker] holding [data-tag-chips], [data-new-tag], [data-add-tag].
// `names(selected)`: the chips to offer, in order.
export function mountTagPicker(root, { names }) {
  if (!root) return null;
  const chips = root.querySelector("[data-tag-chips]");
  const input = root.querySelector("[data-new-tag]");
  const selected = new Set();
  const has = (name) => [...selected].some((chosen) => key(chosen) === key(name));

  function render() {
    chips.replaceChildren(
      ...names(selected).map((name) => {
        const chip = document.createElement("button");
        chip.type = "button";
        chip.className = "tag-chip";
        chip.textContent = name;
        chip.dataset.tag = name;
        chip.setAttribute("aria-pressed", String(has(name)));
        chip.addEventListener("click", () => {
          if (has(name)) [...selected].filter((chosen) => key(chosen) === key(name)).forEach((chosen) => selected.delete(chosen));
          else selected.add(name);
          render();
          chips.querySelector(`[data-tag="${CSS.escape(name)}"]`)?.focus();
        });
        return chip;
      }),
    );
  }

  function addTyped() {
    const name = input.value.trim().replace(/\s+/g, " ");
    if (!name) return;
    const existing = names(selected).find((offered) => key(offered) === key(name));
    selected.add(existing || name);
    input.value = "";
    render();
  }

  root.querySelector("[data-add-tag]").addEventListener("click", addTyped);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      addTyped();
    }
  });

  return {
    render,
    // A name typed but not added yet counts: nobody expects it dropped on Save.
    names: () => {
      addTyped();
      return [...selected];
    },
    set(list) {
      selected.clear();
      (list || []).forEach((name) => selected.add(name));
      input.value = "";
      render();
    },
  };
}
