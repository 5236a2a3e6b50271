/* The 28x28 image the model reads, drawn on a canvas cell by cell, with the row being read highlighted
   and the rows not read yet dimmed. */

import { ROWS } from "../core/format.js";

/** draw(pixels 28x28 in [0,1] light-on-dark, row 1..28 to highlight or 0 for none); setRow(row); redraw(). */
export function createPixelGrid(canvas) {
  const ctx = canvas.getContext("2d");
  const small = document.createElement("canvas");
  small.width = ROWS;
  small.height = ROWS;
  const smallCtx = small.getContext("2d");
  const image = smallCtx.createImageData(ROWS, ROWS);
  let current = null;
  let currentRow = 0;

  function cssVar(name, fallback) {
    const value = getComputedStyle(canvas).getPropertyValue(name).trim();
    return value || fallback;
  }

  /** Match the canvas to its displayed size (a multiple of 28 device pixels): no resampling, crisp cells. */
  function fit() {
    const css = canvas.getBoundingClientRect().width;
    if (!css) return;
    const dpr = Math.min(window.devicePixelRatio || 1, 3);
    const size = ROWS * Math.max(4, Math.round((css * dpr) / ROWS));
    if (canvas.width !== size) {
      canvas.width = size;
      canvas.height = size;
    }
  }

  function draw(pixels, row) {
    current = pixels;
    currentRow = row || 0;
    fit();
    const size = canvas.width;
    const cell = size / ROWS;
    for (let r = 0; r < ROWS; r++) {
      for (let c = 0; c < ROWS; c++) {
        const v = pixels ? Math.round(255 * Math.max(0, Math.min(1, Number(pixels[r][c]) || 0))) : 0;
        const i = 4 * (r * ROWS + c);
        image.data[i] = image.data[i + 1] = image.data[i + 2] = v;
        image.data[i + 3] = 255;
      }
    }
    smallCtx.putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(small, 0, 0, size, size);

    ctx.strokeStyle = "rgba(255,255,255,0.09)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let k = 1; k < ROWS; k++) {
      const at = Math.round(k * cell) + 0.5;
      ctx.moveTo(at, 0);
      ctx.lineTo(at, size);
      ctx.moveTo(0, at);
      ctx.lineTo(size, at);
    }
    ctx.stroke();

    if (currentRow > 0) {
      const top = (currentRow - 1) * cell;
      // rows not read yet: dimmed
      ctx.fillStyle = "rgba(0,0,0,0.72)";
      ctx.fillRect(0, top + cell, size, size - top - cell);
      // the row being read
      ctx.fillStyle = "rgba(255,213,74,0.22)";
      ctx.fillRect(0, top, size, cell);
      ctx.strokeStyle = cssVar("--row-highlight", "#ffd54a");
      ctx.lineWidth = Math.max(2, cell / 5);
      ctx.strokeRect(ctx.lineWidth / 2, top, size - ctx.lineWidth, cell);
    }
    canvas.dataset.row = String(currentRow);
    canvas.dataset.filled = pixels ? "true" : "false";
  }
  draw(null, 0);
  if ("ResizeObserver" in window) {
    let lastWidth = 0;
    new ResizeObserver((entries) => {
      const width = entries[0].contentRect.width;
      if (width && width !== lastWidth) {
        lastWidth = width;
        draw(current, currentRow);
      }
    }).observe(canvas);
  }
  return {
    draw,
    setRow: (row) => draw(current, row),
    redraw: () => draw(current, currentRow),
  };
}
