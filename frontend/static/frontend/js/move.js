// Moving a refused item to another of its researcher's visits: the visits this phone holds
// (held.js, offline too) that take items now, other than its own. An answer goes only to a
// visit whose guide asks the same question (its key), and becomes the answer to it there.

import { heldBundle } from "./held.js";
import { dayTime } from "./clock.js";

function targets(bundle, record, data) {
  if (!bundle || !Array.isArray(bundle.visits)) return [];
  const studies = new Map((bundle.studies || []).map((study) => [study.id, study]));
  const asked = record.kind === "answer" ? data.guide.find((question) => question.id === record.guide_question) : null;
  if (record.kind === "answer" && !asked) return [];
  return bundle.visits
    .filter((visit) => visit.takes_captures && visit.id !== data.visit)
    .map((visit) => {
      const question = asked ? (visit.guide || []).find((other) => other.key === asked.key) : null;
      if (asked && !question) return null;
      const study = studies.get(visit.study);
      return {
        visit: visit.id,
        code: visit.household.code,
        guideQuestion: question ? question.id : null,
        label: [visit.household.code, dayTime(visit.scheduled_start, visit.time_zone), study ? study.title : "", visit.round_label].filter(Boolean).join(" · "),
      };
    })
    .filter(Boolean);
}

// `template`: the page's template[data-move-dialog]. `onMove(record, target)` does the move.
export function mountMover(template, { data, onMove }) {
  if (!template) return async () => {};
  const dialog = document.body.appendChild(template.content.firstElementChild.cloneNode(true));
  const form = dialog.querySelector("form");
  const choices = dialog.querySelector("[data-move-choices]");
  const none = dialog.querySelector("[data-move-none]");
  const confirm = dialog.querySelector("[data-move-confirm]");
  let moving = null;
  let offered = new Map();

  dialog.querySelector("[data-dialog-cancel]").addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = form.querySelector("input[name=move-to]:checked");
    if (!chosen || !moving) return;
    await onMove(moving, offered.get(chosen.value));
    dialog.close();
  });

  return async function open(record) {
    moving = record;
    const list = targets(await heldBundle(data.bundle), record, data);
    offered = new Map(list.map((target) => [target.visit, target]));
    choices.replaceChildren(
      ...list.map((target, index) => {
        const label = document.createElement("label");
        label.className = "move-choice";
        const radio = document.createElement("input");
        radio.type = "radio";
        radio.name = "move-to";
        radio.value = target.visit;
        radio.checked = index === 0;
        label.append(radio, ` ${target.label}`);
        return label;
      }),
    );
    choices.closest("fieldset").hidden = !list.length;
    none.hidden = list.length > 0;
    confirm.hidden = !list.length;
    dialog.showModal();
  };
}
