/* "Inside the LSTM": what a recurrent model's memory and gates do row by row, and which rows decided its
   answer, from an answer of POST /api/predict with "explain": true (see app/explain.py).

   createInsidePanel(root) fills `root` (an empty element) and returns {show, setRow, clear}. Rows run down
   every column, aligned: the digit's 28 rows (the rows that mattered most marked), how much blanking each
   row lowers the answer, how much reading it moved the answer, the hidden state and the cell state as heat
   strips (units across, ordered by how closely they follow the answer), and each gate's mean opening as a
   line. The current row of the playback is highlighted across all of them. root carries data-state
   (empty | ready | error), data-row (the row shown; 28 when final), data-kind (lstm | gru), data-top-rows. */

import { ROWS } from "../core/format.js";
import { drawHeat, gradient } from "./colormap.js";

const SVG = "http://www.w3.org/2000/svg";
const TOP_ROWS = 3;
const OCCLUSION_MATTERS = 0.01; // a row whose blanking moves the final answer by a point or more
const GATES = {
  lstm: [
    ["forget", "Forget", "keep the memory (1) or wipe it (0)"],
    ["input", "Input", "write the new candidate into memory"],
    ["output", "Output", "show the memory as the hidden state"],
    ["candidate", "Candidate", "what this row could add (−1 to 1)"],
  ],
  gru: [
    ["update", "Update", "keep the old state (1) or take the candidate (0)"],
    ["reset", "Reset", "how much of the old state the candidate sees"],
    ["candidate", "Candidate", "the new state this row suggests (−1 to 1)"],
  ],
};
const EXPLAINERS = {
  lstm:
    "The LSTM reads the digit one row at a time and carries a memory, the cell state (strip c), from row to row. " +
    "Three gates, each a dial between 0 (closed) and 1 (open) for every unit, decide what happens to it: the " +
    "forget gate keeps or wipes what is already remembered, the input gate lets in what the new row suggests " +
    "(the candidate), and the output gate decides how much of the memory shows in the hidden state (strip h), the only " +
    "thing the last layer reads to answer. Watch the strips change where the pen strokes start and end.",
  gru:
    "The GRU reads the digit one row at a time and carries one state (strip h) from row to row, which is also what the " +
    "last layer reads to answer. Two gates, dials between 0 (closed) and 1 (open) for every unit, decide how it " +
    "changes: the update gate keeps the old state or replaces it with the candidate (what the new row suggests), " +
    "and the reset gate decides how much of the old state the candidate may look at.",
};

const el = (tag, className, text, testid) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  if (testid) node.dataset.testid = testid;
  return node;
};
const svgEl = (tag, attrs) => {
  const node = document.createElementNS(SVG, tag);
  Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, String(v)));
  return node;
};
/** The q-quantile of `values` (the cell state's colour range: a few extreme units would grey out the rest). */
const quantile = (values, q) => Math.max(1e-6, values.sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]);
const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
const points = (p) => (Math.round(p * 100) === 1 ? "1 point" : `${Math.round(p * 100)} points`);

/**
 * The rows that mattered most: those whose blanking lowers the answer most, when some row matters that much;
 * else (a confident answer no single row decides) the rows whose reading raised it most.
 */
function rowsThatMattered(explain) {
  const by = Math.max(...explain.row_occlusion) >= OCCLUSION_MATTERS ? "occlusion" : "change";
  const scores = by === "occlusion" ? explain.row_occlusion : explain.row_change;
  const rows = scores
    .map((v, t) => [v, t])
    .filter(([v]) => v > 0.005)
    .sort((a, b) => b[0] - a[0])
    .slice(0, TOP_ROWS)
    .map(([, t]) => t);
  return { by, rows };
}

/** Unit indices, those rising and falling with `trace` (the answer's probability per row) first and last. */
function orderUnits(matrix, trace) {
  const pm = mean(trace);
  const dp = trace.map((p) => p - pm);
  const sp = Math.sqrt(dp.reduce((a, d) => a + d * d, 0)) || 1;
  const score = matrix[0].map((_, j) => {
    const column = matrix.map((row) => row[j]);
    const m = mean(column);
    let cov = 0;
    let ss = 0;
    column.forEach((v, t) => {
      cov += (v - m) * dp[t];
      ss += (v - m) * (v - m);
    });
    return ss > 1e-12 ? cov / (Math.sqrt(ss) * sp) : 0;
  });
  return score.map((s, j) => [s, j]).sort((a, b) => b[0] - a[0]).map(([, j]) => j);
}

/** A column: caption, a plot area of 28 rows with the row cursor, and a note under it. */
function column(testid, caption, note, plot) {
  const figure = el("figure", "inside-col", null, testid);
  const area = el("div", "inside-plot");
  area.append(plot, el("div", "inside-unread"), el("div", "inside-cursor"));
  const notes = el("div", "inside-axis", note);
  figure.append(el("figcaption", "inside-caption", caption), area, notes);
  return { figure, notes };
}

function chart(label) {
  return svgEl("svg", { viewBox: `0 0 100 ${ROWS * 10}`, preserveAspectRatio: "none", role: "img", "aria-label": label });
}

/** Diverging bars per row around the middle; positive (helped the answer) and negative in two colours. */
function drawBars(svg, values, scale) {
  svg.replaceChildren(svgEl("line", { x1: 50, x2: 50, y1: 0, y2: ROWS * 10, class: "inside-zero" }));
  values.forEach((v, t) => {
    const width = (Math.min(Math.abs(v), scale) / scale) * 48;
    if (width < 0.2) return;
    const x = v >= 0 ? 50 : 50 - width;
    svg.append(svgEl("rect", { x, y: t * 10 + 1.5, width, height: 7, class: v >= 0 ? "inside-for" : "inside-against" }));
  });
}

/** One gate's mean per row as a line, x from `low` to `high`. */
function drawLine(svg, values, low, high, name) {
  const x = (v) => ((v - low) / (high - low)) * 100;
  const path = values.map((v, t) => `${t ? "L" : "M"}${x(v).toFixed(2)} ${t * 10 + 5}`).join(" ");
  svg.replaceChildren(
    svgEl("line", { x1: x((low + high) / 2), x2: x((low + high) / 2), y1: 0, y2: ROWS * 10, class: "inside-zero" }),
    svgEl("path", { d: path, class: `inside-line gate-${name}`, "vector-effect": "non-scaling-stroke" })
  );
}

/** The 28x28 digit, light ink on dark, with the rows that mattered most outlined and numbered 1, 2, 3. */
function drawDigit(canvas, pixels, topRows, mark) {
  const cell = 10;
  canvas.width = canvas.height = ROWS * cell;
  const ctx = canvas.getContext("2d");
  for (let r = 0; r < ROWS; r++) {
    for (let c = 0; c < ROWS; c++) {
      const v = Math.round(255 * Math.max(0, Math.min(1, pixels[r][c])));
      ctx.fillStyle = `rgb(${v},${v},${v})`;
      ctx.fillRect(c * cell, r * cell, cell, cell);
    }
  }
  ctx.lineWidth = 2;
  ctx.font = "bold 10px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  topRows.forEach((row, k) => {
    ctx.strokeStyle = ctx.fillStyle = mark;
    ctx.strokeRect(1, row * cell + 1, ROWS * cell - 2, cell - 2);
    ctx.fillRect(0, row * cell, cell + 4, cell);
    ctx.fillStyle = "#000";
    ctx.fillText(String(k + 1), 4, row * cell + cell / 2 + 0.5);
  });
}

export function createInsidePanel(root) {
  root.textContent = "";
  const title = el("h2", "card-title inside-title", `Inside the ${(root.dataset.kind || "lstm").toUpperCase()}`);
  const explainer = el("p", "inside-explainer");
  const status = el("p", "muted inside-status", null, "inside-status");
  const plots = el("div", "inside-plots");
  const legend = el("div", "inside-legend");
  const topNote = el("p", "inside-top", null, "inside-top-rows");
  const readout = el("p", "inside-readout", null, "inside-readout");
  const body = el("div", "inside-body");
  body.append(plots, legend, topNote, readout);
  root.append(title, explainer, status, body);
  let view = null; // {kind, explain, digit (the one scored), gateMeans (per gate, per row)}

  function setState(state, message) {
    root.dataset.state = state;
    status.hidden = state === "ready";
    body.hidden = state !== "ready";
    if (message) status.textContent = message;
  }

  /** answer: a POST /api/predict answer with `explain`; label: the true digit when known (scores follow it). */
  function show(answer, label = null) {
    const explain = answer && answer.explain;
    if (!explain || answer.empty) return clear();
    const kind = explain.cell ? "lstm" : "gru";
    const digit = label ?? answer.digit;
    let p = 0;
    const trace = explain.row_change.map((change) => (p += change)); // the digit's probability per row, less a constant
    const order = orderUnits(explain.hidden, trace);
    const gateMeans = Object.fromEntries(GATES[kind].map(([name]) => [name, explain.gates[name].map(mean)]));
    const { by, rows: topRows } = rowsThatMattered(explain);
    view = { kind, explain, digit, gateMeans };
    root.dataset.kind = kind;
    root.dataset.topRows = topRows.map((t) => t + 1).join(",");
    root.dataset.topBy = by;
    title.textContent = `Inside the ${kind.toUpperCase()}`;
    explainer.textContent = EXPLAINERS[kind];
    render(order, topRows, answer.input);
    const rows = topRows.map((t) => t + 1).join(", ");
    const list = (values) => topRows.map((t) => points(Math.abs(values[t]))).join(", ");
    const alone = `blanking any one row lowers the final answer by under ${points(OCCLUSION_MATTERS)}`;
    if (by === "occlusion") {
      topNote.textContent = `Rows that mattered most for the ${digit}: ${rows} (blanking one lowers its final probability by ${list(explain.row_occlusion)}).`;
    } else if (topRows.length) {
      topNote.textContent = `Rows where the model made up its mind about the ${digit}: ${rows} (reading them raised it by ${list(explain.row_change)}); ${alone}.`;
    } else {
      topNote.textContent = `No row raised the ${digit} by even a point, and ${alone}.`;
    }
    setState("ready");
  }

  function render(order, topRows, input) {
    const { kind, explain, gateMeans } = view;
    const units = explain.hidden[0].length;
    const digitCanvas = el("canvas", "inside-digit");
    digitCanvas.setAttribute("role", "img");
    digitCanvas.setAttribute("aria-label", `The digit's 28 rows; the rows that mattered most: ${topRows.map((t) => t + 1).join(", ") || "none"}`);
    drawDigit(digitCanvas, input, topRows, getComputedStyle(root).getPropertyValue("--for").trim() || "#e69f00");
    const scale = Math.max(0.05, ...explain.row_occlusion.map(Math.abs), ...explain.row_change.map(Math.abs));
    const blanked = chart("How much blanking each row lowers the answer");
    drawBars(blanked, explain.row_occlusion, scale);
    const read = chart("How much reading each row moved the answer");
    drawBars(read, explain.row_change, scale);
    const columns = [
      column("inside-digit", "The rows", "1-3: mattered most", digitCanvas),
      column("inside-blanked", "Blanked", `±${Math.round(scale * 100)} points`, blanked),
      column("inside-read", "Read", `±${Math.round(scale * 100)} points`, read),
      heat("inside-hidden", kind === "lstm" ? "Hidden h" : "State h", explain.hidden, order, "viridis", 1),
    ];
    const cellBound = explain.cell ? quantile(explain.cell.flat().map(Math.abs), 0.98) : 0;
    if (explain.cell) columns.push(heat("inside-cell", "Memory c", explain.cell, order, "cividis", cellBound));
    const gates = el("div", "inside-gates", null, "inside-gates");
    GATES[kind].forEach(([name, label, meaning]) => {
      const svg = chart(`${label} gate, mean over the units, per row: ${meaning}`);
      const [low, high] = name === "candidate" ? [-1, 1] : [0, 1];
      drawLine(svg, gateMeans[name], low, high, name);
      const col = column(`inside-gate-${name}`, label, `${low} … ${high}`, svg);
      col.figure.dataset.gate = name;
      col.figure.title = meaning;
      gates.append(col.figure);
    });
    plots.replaceChildren(...columns.map((c) => c.figure), gates);
    plots.dataset.units = String(units);
    legend.replaceChildren(
      legendItem("viridis", "h: −1", "+1"),
      ...(explain.cell ? [legendItem("cividis", `c: ≤ −${cellBound.toFixed(1)}`, `≥ +${cellBound.toFixed(1)}`)] : []),
      swatch("inside-for", "for the answer"),
      swatch("inside-against", "against it")
    );
  }

  function heat(testid, caption, matrix, order, scale, bound) {
    const canvas = el("canvas", "inside-heat");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `${caption}: ${order.length} units across, 28 rows down`);
    drawHeat(canvas, matrix, order, scale, -bound, bound);
    return column(testid, caption, `${order.length} units, following the answer ← → against it`, canvas);
  }

  function legendItem(scale, low, high) {
    const item = el("span", "inside-key");
    const bar = el("span", "inside-ramp");
    bar.style.setProperty("background", gradient(scale));
    item.append(el("span", null, low), bar, el("span", null, high));
    return item;
  }

  function swatch(className, text) {
    const item = el("span", "inside-key");
    item.append(el("span", `inside-swatch ${className}`), el("span", null, text));
    return item;
  }

  /** Follow the playback: row 1..28, `final` when showing the whole digit's answer. */
  function setRow(row, final) {
    root.style.setProperty("--row", String(row));
    root.classList.toggle("is-final", Boolean(final));
    root.dataset.row = String(row);
    if (!view) return;
    const t = row - 1;
    const gates = GATES[view.kind].map(([name, label]) => `${label.toLowerCase()} ${view.gateMeans[name][t].toFixed(2)}`);
    const moved = view.explain.row_change[t];
    const blanked = view.explain.row_occlusion[t];
    const without =
      Math.abs(blanked) < 0.005
        ? "blanking it alone leaves the final answer as it is"
        : `without it the ${view.digit} would end ${points(Math.abs(blanked))} ${blanked >= 0 ? "lower" : "higher"}`;
    readout.textContent =
      `${final ? "Last row" : `Row ${row}`}: mean gates ${gates.join(" · ")}. ` +
      `Reading it moved the ${view.digit} by ${moved >= 0 ? "+" : "−"}${points(Math.abs(moved))}; ${without}.`;
  }

  function clear(message = "Draw a digit to see inside the model.") {
    view = null;
    setState("empty", message);
  }

  clear();
  setRow(ROWS, true);
  return { show, setRow, clear, error: (message) => setState("error", message) };
}
