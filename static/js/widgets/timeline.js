/* A strip of 28 cells, one per row: the digit the model leans to after each row, shaded by how sure it is.
   The row player's timeline (draw page, misses dialog: the digits written in, a click picks that row) and
   each recurrent model's strip on the compare page (the answer in the cell's title, rows that disagree
   with the final answer marked is-other). */

import { ROWS, argmax, confidenceClass, percent } from "../core/format.js";

/**
 * options: {labels: "digits" (written in the cells; title "After row n") | "titles" (in each cell's title),
 *           onPick(row) when a cell is clicked}. setSteps(steps 28x10 | null, final digit | null), mark(row, final).
 */
export function createTimeline(container, { labels = "digits", onPick = null } = {}) {
  const cells = [];
  container.textContent = "";
  for (let r = 1; r <= ROWS; r++) {
    const cell = document.createElement("span");
    cell.className = "tl-cell";
    cell.dataset.row = String(r);
    if (labels === "digits") cell.title = `After row ${r}`;
    if (onPick) cell.addEventListener("click", () => onPick(r));
    container.appendChild(cell);
    cells.push(cell);
  }

  function setSteps(steps, final = null) {
    cells.forEach((cell, i) => {
      if (!steps) {
        cell.className = "tl-cell";
        if (labels === "digits") cell.textContent = "";
        else cell.title = "";
        return;
      }
      const d = argmax(steps[i]);
      cell.className = `tl-cell ${confidenceClass(steps[i][d])}` + (final == null || d === final ? "" : " is-other");
      if (labels === "digits") cell.textContent = String(d);
      else cell.title = `After row ${i + 1}: ${d} (${percent(steps[i][d])})`;
    });
  }

  /** Rows 1..row read; `row` the current one unless `final` (the whole answer). row 0: nothing read. */
  function mark(row, final) {
    cells.forEach((cell, i) => {
      cell.classList.toggle("is-current", i + 1 === row && !final);
      cell.classList.toggle("is-read", i + 1 <= row);
    });
  }

  return { setSteps, mark };
}
