// Synthesis screen: the selection lives in the tray (tray.js); this ticks the tags of what
// is selected in the new-insight form, and keeps what was typed there with the selection,
// so neither is lost when the filters or the page change. The form works without it.

import { mountTray } from "./tray.js";

const form = document.querySelector("[data-synthesis]");

if (form && form.querySelector("[data-tray]")) {
  const tagChecks = [...form.querySelectorAll("input[data-tag-check]")];
  const typed = [...form.querySelectorAll("textarea[name=statement], textarea[name=description]")];
  // Tags the person ticked or unticked themselves keep their choice: {id: checked}.
  let chosenTags = {};
  let selected = [];

  const tickTags = () => {
    const wanted = new Set(selected.flatMap((item) => item.tags || []));
    for (const check of tagChecks) {
      check.checked = check.value in chosenTags ? chosenTags[check.value] : wanted.has(check.value);
    }
  };

  const tray = mountTray(form, {
    onChange: (items) => {
      selected = items;
      tickTags();
    },
  });

  if ("traySent" in form.querySelector("[data-tray]").dataset) {
    // A page the server sent back with an error shows what was sent: that wins.
    chosenTags = Object.fromEntries(tagChecks.filter((check) => check.checked).map((check) => [check.value, true]));
    tray.keepDraft({ tags: chosenTags, ...Object.fromEntries(typed.map((field) => [field.name, field.value])) });
  } else {
    const draft = tray.draft();
    chosenTags = draft.tags || {};
    for (const field of typed) field.value = draft[field.name] || "";
  }
  tickTags();

  for (const check of tagChecks) {
    check.addEventListener("change", () => {
      chosenTags = { ...chosenTags, [check.value]: check.checked };
      tray.keepDraft({ tags: chosenTags });
    });
  }
  for (const field of typed) {
    field.addEventListener("input", () => tray.keepDraft({ [field.name]: field.value }));
  }
}
