/* Colour-blind-safe colour scales, computed here (no library): viridis and cividis, interpolated between
   nine anchors sampled evenly from matplotlib's definitions (dark to light, readable on both themes),
   and heat strips drawn with them on a canvas, one canvas pixel per value (CSS scales it up, pixelated). */

const ANCHORS = {
  viridis: ["#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725"],
  cividis: ["#00224e", "#123570", "#3b496c", "#575d6d", "#707173", "#8a8678", "#a59c74", "#c3b369", "#fee838"],
};

const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
const TABLES = Object.fromEntries(Object.entries(ANCHORS).map(([name, hexes]) => [name, hexes.map(rgb)]));

/** [r, g, b] of `t` in [0, 1] on the named scale (values outside are clamped). */
export function colour(name, t) {
  const table = TABLES[name];
  const x = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0)) * (table.length - 1);
  const i = Math.min(table.length - 2, Math.floor(x));
  const f = x - i;
  return table[i].map((c, k) => Math.round(c + f * (table[i + 1][k] - c)));
}

/** A CSS linear-gradient of the scale, for legends (left = low). */
export function gradient(name) {
  return `linear-gradient(to right, ${ANCHORS[name].join(", ")})`;
}

/**
 * Draw `matrix` (rows x units) on `canvas` as a heat strip: row t is canvas row t, column k shows unit order[k].
 * Values map linearly from [low, high] to the scale.
 */
export function drawHeat(canvas, matrix, order, name, low, high) {
  const rows = matrix.length;
  const units = order.length;
  canvas.width = units;
  canvas.height = rows;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(units, rows);
  const span = high - low || 1;
  for (let t = 0; t < rows; t++) {
    for (let k = 0; k < units; k++) {
      const [r, g, b] = colour(name, (matrix[t][order[k]] - low) / span);
      const i = 4 * (t * units + k);
      image.data[i] = r;
      image.data[i + 1] = g;
      image.data[i + 2] = b;
      image.data[i + 3] = 255;
    }
  }
  ctx.putImageData(image, 0, 0);
}
