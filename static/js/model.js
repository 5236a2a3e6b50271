/* Rowscan model page: choosing another model's card loads /model?model=<name> (lecture mode kept). */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", () => window.Rowscan.setupModelSelect());
})();
