/* The drawing pad: a pointer-events canvas (mouse, touch, pen) with a brush, undo and clear. Strokes are
   kept as points in [0, 1], so the pad repaints crisply at any size and exports a small PNG for the API.
   The `drawing_pad` macro of _macros.html renders its elements. */

import { hasModifier } from "../core/keys.js";
import { onLectureChange } from "../core/shell.js";

const EXPORT_SIZE = 280; // the PNG sent to the server: small, but 10x the model's 28x28

/**
 * options: {root (gets data-pointer: mouse | touch | pen), canvas, brush, brushValue, brushDot, undoButton,
 *           clearButton, onChange() after every change of the drawing, onSettle() when a stroke ends or after undo}.
 */
export function createPad(options) {
  const { root, canvas: pad, brush, brushValue, brushDot, undoButton, clearButton } = options;
  const onChange = options.onChange || (() => {});
  const onSettle = options.onSettle || (() => {});
  const padFrame = pad.parentElement;
  const ctx = pad.getContext("2d");
  const strokes = []; // {w: width as a fraction of the side, pts: [[x, y, t], ...]: x, y in [0, 1], t in ms}
  const undoStack = []; // {type: "stroke"} | {type: "clear", strokes: [...]}
  let active = null; // the stroke being drawn: {id: pointerId, stroke}
  let startedAt = 0; // when the first stroke of the drawing began (performance.now())
  let frame = 0;

  /* ----- painting ----- */

  function padColors() {
    const style = getComputedStyle(pad);
    return {
      bg: style.getPropertyValue("--pad-bg").trim() || "#ffffff",
      ink: style.getPropertyValue("--pad-ink").trim() || "#111111",
    };
  }

  function paint(context, size, bg, ink, list) {
    context.fillStyle = bg;
    context.fillRect(0, 0, size, size);
    context.strokeStyle = ink;
    context.fillStyle = ink;
    context.lineCap = "round";
    context.lineJoin = "round";
    for (const stroke of list) {
      const pts = stroke.pts;
      const width = stroke.w * size;
      if (pts.length === 1) {
        context.beginPath();
        context.arc(pts[0][0] * size, pts[0][1] * size, width / 2, 0, 2 * Math.PI);
        context.fill();
        continue;
      }
      context.lineWidth = width;
      context.beginPath();
      context.moveTo(pts[0][0] * size, pts[0][1] * size);
      for (let i = 1; i < pts.length - 1; i++) {
        const mx = ((pts[i][0] + pts[i + 1][0]) / 2) * size;
        const my = ((pts[i][1] + pts[i + 1][1]) / 2) * size;
        context.quadraticCurveTo(pts[i][0] * size, pts[i][1] * size, mx, my);
      }
      const last = pts[pts.length - 1];
      context.lineTo(last[0] * size, last[1] * size);
      context.stroke();
    }
  }

  function render() {
    frame = 0;
    const { bg, ink } = padColors();
    paint(ctx, pad.width, bg, ink, strokes);
  }

  function requestRender() {
    if (!frame) frame = requestAnimationFrame(render);
  }

  function resize() {
    const rect = pad.getBoundingClientRect();
    const dpr = Math.min(window.devicePixelRatio || 1, 3);
    const size = Math.max(56, Math.round(rect.width * dpr));
    if (pad.width !== size) {
      pad.width = size;
      pad.height = size;
    }
    render();
    updateBrushDot();
  }

  /** The drawing as a PNG data URL: black ink on white, EXPORT_SIZE square (the API frames it). */
  function exportPng() {
    const canvas = document.createElement("canvas");
    canvas.width = EXPORT_SIZE;
    canvas.height = EXPORT_SIZE;
    paint(canvas.getContext("2d"), EXPORT_SIZE, "#ffffff", "#000000", strokes);
    return canvas.toDataURL("image/png");
  }

  /* ----- brush ----- */

  function brushFraction() {
    return Number(brush.value) / 100;
  }

  function updateBrushDot() {
    const value = Number(brush.value);
    const name = value < 5 ? "Thin" : value < 8 ? "Medium" : value < 10.5 ? "Thick" : "Very thick";
    brushValue.textContent = name;
    brush.setAttribute("aria-valuetext", `${name}, ${value}% of the drawing area`);
    const side = pad.getBoundingClientRect().width || 400;
    const px = Math.max(4, Math.min(48, side * brushFraction()));
    brushDot.style.width = `${px}px`;
    brushDot.style.height = `${px}px`;
  }

  function nudgeBrush(delta) {
    const next = Math.max(Number(brush.min), Math.min(Number(brush.max), Number(brush.value) + delta));
    brush.value = String(next);
    updateBrushDot();
  }

  /* ----- pointer input ----- */

  function toPoint(event) {
    const rect = pad.getBoundingClientRect();
    const x = (event.clientX - rect.left) / rect.width;
    const y = (event.clientY - rect.top) / rect.height;
    return [Math.max(0, Math.min(1, x)), Math.max(0, Math.min(1, y)), Math.round(performance.now() - startedAt)];
  }

  function changed() {
    requestRender();
    undoButton.disabled = undoStack.length === 0;
    clearButton.disabled = strokes.length === 0;
    padFrame.classList.toggle("has-ink", strokes.length > 0);
    onChange();
  }

  pad.addEventListener("pointerdown", (event) => {
    if (active || (event.pointerType === "mouse" && event.button !== 0)) return;
    event.preventDefault();
    try {
      pad.setPointerCapture(event.pointerId);
    } catch (_) {
      /* the pointer is already gone */
    }
    if (!strokes.length) startedAt = performance.now();
    const stroke = { w: brushFraction(), pts: [toPoint(event)] };
    active = { id: event.pointerId, stroke };
    strokes.push(stroke);
    undoStack.push({ type: "stroke" });
    padFrame.classList.add("is-drawing");
    root.dataset.pointer = event.pointerType || "mouse";
    changed();
  });

  pad.addEventListener("pointermove", (event) => {
    if (!active || event.pointerId !== active.id) return;
    event.preventDefault();
    const events = (event.getCoalescedEvents && event.getCoalescedEvents()) || [];
    const pts = active.stroke.pts;
    for (const e of events.length ? events : [event]) {
      const point = toPoint(e);
      const last = pts[pts.length - 1];
      if (Math.abs(point[0] - last[0]) + Math.abs(point[1] - last[1]) > 0.002) pts.push(point);
    }
    changed();
  });

  function endStroke(event) {
    if (!active || event.pointerId !== active.id) return;
    active = null;
    padFrame.classList.remove("is-drawing");
    onSettle(); // the drawing is complete: ask now rather than after the debounce
  }
  pad.addEventListener("pointerup", endStroke);
  pad.addEventListener("pointercancel", endStroke);
  pad.addEventListener("lostpointercapture", endStroke);
  pad.addEventListener("contextmenu", (event) => event.preventDefault());

  /* ----- undo / clear ----- */

  function undo() {
    if (active) return;
    const op = undoStack.pop();
    if (!op) return;
    if (op.type === "stroke") strokes.pop();
    else strokes.splice(0, strokes.length, ...op.strokes);
    changed();
    onSettle();
  }

  function clear() {
    if (active || !strokes.length) return;
    undoStack.push({ type: "clear", strokes: strokes.slice() });
    strokes.length = 0;
    changed();
  }

  undoButton.addEventListener("click", undo);
  clearButton.addEventListener("click", clear);

  /** The pad's keys: C / Backspace / Delete clear, U / Ctrl+Z undo, [ ] brush. True when handled. */
  function handleKey(event) {
    const key = event.key;
    if ((event.ctrlKey || event.metaKey) && !event.altKey && (key === "z" || key === "Z") && !event.shiftKey) {
      event.preventDefault();
      undo();
      return true;
    }
    if (hasModifier(event)) return false;
    if (key === "c" || key === "C" || key === "Backspace" || key === "Delete") clear();
    else if (key === "u" || key === "U") undo();
    else if (key === "[" || key === "]") nudgeBrush(key === "[" ? -0.5 : 0.5);
    else return false;
    event.preventDefault();
    return true;
  }

  brush.addEventListener("input", updateBrushDot);
  onLectureChange(() => {
    render();
    updateBrushDot();
  });
  if ("ResizeObserver" in window) new ResizeObserver(resize).observe(pad);
  else window.addEventListener("resize", resize);
  resize();

  /** The pen's path as drawn (POST /api/samples "strokes"): [[x, y, t], ...] per stroke. */
  const exportStrokes = () => strokes.map((stroke) => stroke.pts.map(([x, y, t]) => [+x.toFixed(4), +y.toFixed(4), t]));

  return {
    isEmpty: () => strokes.length === 0,
    exportStrokes,
    isDrawing: () => active !== null,
    exportPng,
    undo,
    clear,
    handleKey,
  };
}

/** The parts of the `drawing_pad` macro inside `root`. */
export function padElements(root) {
  const find = (testid) => root.querySelector(`[data-testid=${testid}]`);
  return {
    canvas: root.querySelector("canvas.pad"),
    brush: find("brush"),
    brushValue: root.querySelector(".brush-value"),
    brushDot: root.querySelector(".brush-dot"),
    undoButton: find("undo"),
    clearButton: find("clear"),
  };
}
