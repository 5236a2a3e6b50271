/* The confusion matrix as a filter (misses page): a click on a cell shows exactly those misses, a second
   click shows all again; the arrow keys, Home and End move between the clickable cells (the diagonal is
   skipped), so the matrix is one tab stop. The table is rendered server-side (misses.html). */

import { DIGITS } from "../core/format.js";

/** onPick(true, predicted) when a cell is chosen; returns select(true, predicted) to mark the filter shown. */
export function createConfusionMatrix(matrix, onPick) {
  const cells = Array.from(matrix.querySelectorAll("button.cell"));
  const at = (cell) => [Number(cell.dataset.true), Number(cell.dataset.predicted)];

  function focusCell(cell) {
    cells.forEach((c) => (c.tabIndex = c === cell ? 0 : -1));
    cell.focus();
  }

  cells.forEach((cell) => {
    cell.addEventListener("click", () => {
      focusCell(cell);
      onPick(...at(cell));
    });
  });

  matrix.addEventListener("keydown", (event) => {
    const cell = event.target.closest && event.target.closest("button.cell");
    if (!cell) return;
    let [t, p] = at(cell);
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const inside = (d) => d >= 0 && d < DIGITS;
    let target = null;
    if (event.key in moves) {
      const [dt, dp] = moves[event.key];
      do {
        t += dt;
        p += dp;
      } while (t === p && inside(t) && inside(p));
      target = cells.find((c) => Number(c.dataset.true) === t && Number(c.dataset.predicted) === p);
    } else if (event.key === "Home" || event.key === "End") {
      const row = cells.filter((c) => Number(c.dataset.true) === t);
      target = event.key === "Home" ? row[0] : row[row.length - 1];
    } else return;
    event.preventDefault();
    if (target) focusCell(target);
  });

  /** Mark the cell (and its row and column headings) of the filter shown; null: any. */
  function select(trueDigit, predicted) {
    for (const cell of cells) {
      const [t, p] = at(cell);
      const selected = t === trueDigit && p === predicted;
      cell.classList.toggle("is-selected", selected);
      cell.setAttribute("aria-pressed", String(selected));
    }
    matrix.querySelectorAll("th[data-row]").forEach((th) => th.classList.toggle("is-selected", Number(th.dataset.row) === trueDigit));
    matrix.querySelectorAll("th[data-col]").forEach((th) => th.classList.toggle("is-selected", Number(th.dataset.col) === predicted));
  }

  return { select };
}
