/* Rowscan model page: choosing another model's card loads /model?model=<name> (lecture mode kept). */
(function () {
  "use strict";

  const R = window.Rowscan;

  document.addEventListener("DOMContentLoaded", () => {
    const select = document.getElementById("model-select");
    if (!select) return;
    document.getElementById("model-submit").hidden = true; // without scripts the form's button submits
    select.addEventListener("change", () => {
      const url = new URL(window.location.href);
      url.searchParams.set("model", select.value);
      window.location.assign(R.withLecture(url.href));
    });
  });
})();
