/* The model chooser (the `model_form` macro of _macros.html; misses and model pages): choosing a model loads
   this page again for it, lecture mode kept. Without scripts the form's Show button does it, so it is hidden. */

import { withLecture } from "../core/shell.js";

/** The chooser inside `root`, if there is one; `drop`: query parameters not carried over. */
export function setupModelSelect(root, drop = []) {
  const select = root.querySelector("[data-testid=model-select]");
  if (!select) return;
  select.form.querySelector("button[type=submit]").hidden = true;
  select.addEventListener("change", () => {
    const url = new URL(window.location.href);
    url.searchParams.set("model", select.value);
    drop.forEach((name) => url.searchParams.delete(name));
    window.location.assign(withLecture(url.href));
  });
}
