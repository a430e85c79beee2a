// Synthesis screen: counts what is ticked, and ticks the tags of the ticked observations
// in the new-insight form. The form works without it; this only saves clicks.

const form = document.querySelector("[data-synthesis]");

if (form) {
  const counter = form.querySelector("[data-selected-count]");
  const picks = [...form.querySelectorAll("input[data-pick]")];
  const tagChecks = [...form.querySelectorAll("input[data-tag-check]")];
  // Tags the person ticked or unticked themselves keep their choice.
  const touched = new Set();

  const update = () => {
    const ticked = picks.filter((input) => input.checked);
    if (counter) {
      const { none, one, many } = counter.dataset;
      counter.textContent =
        ticked.length === 0 ? none : ticked.length === 1 ? one : many.replace("{n}", ticked.length);
    }
    const wanted = new Set(
      ticked.flatMap((input) => (input.dataset.tags || "").split(" ").filter(Boolean)),
    );
    for (const check of tagChecks) {
      if (!touched.has(check.value)) check.checked = wanted.has(check.value);
    }
  };

  for (const check of tagChecks) {
    // Tags ticked when the page came back (after an error) were chosen by the person.
    if (check.checked) touched.add(check.value);
    check.addEventListener("change", () => touched.add(check.value));
  }
  for (const input of picks) input.addEventListener("change", update);
  if (picks.some((input) => input.checked)) update();
}
