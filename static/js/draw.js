/* Rowscan draw page: a pointer-events canvas (mouse, touch, pen), live predictions while drawing, and the
   row-by-row playback of what the LSTM thinks after each of the 28 rows.

   Live predictions: every change bumps `version`; a request goes out ~120 ms after the last change (at
   least every 300 ms while drawing), aborting the one in flight. An answer is shown only if it is for the
   current version, so a slow old answer never replaces a newer one. The root element carries
   data-state (empty | pending | ready | error), data-requested (current version) and data-seq (version shown). */
(function () {
  "use strict";

  const R = window.Rowscan;
  const DEBOUNCE_MS = 120;
  const MAX_WAIT_MS = 300;
  const EXPORT_SIZE = 280; // the PNG sent to the server: small, but 10x the model's 28x28

  document.addEventListener("DOMContentLoaded", init);

  function init() {
    const app = document.getElementById("draw-app");
    const pad = document.getElementById("pad");
    const padFrame = pad.parentElement;
    const ctx = pad.getContext("2d");
    const brush = document.getElementById("brush");
    const brushValue = document.getElementById("brush-value");
    const brushDot = document.getElementById("brush-dot");
    const undoButton = document.getElementById("undo");
    const clearButton = document.getElementById("clear");
    const digitEl = document.getElementById("prediction");
    const messageEl = document.getElementById("message");
    const detailEl = document.getElementById("answer-detail");
    const announceEl = document.getElementById("announce");
    const bars = R.createBars(document.getElementById("bars"));
    const grid = R.createPixelGrid(document.getElementById("model-input"));
    const wantSteps = app.dataset.hasSteps !== "false";

    const strokes = []; // {w: width as a fraction of the side, pts: [[x, y], ...] in [0, 1]}
    const undoStack = []; // {type: "stroke"} | {type: "clear", strokes: [...]}
    let active = null; // the stroke being drawn: {id: pointerId, stroke}
    let version = 0;
    let sentVersion = -1;
    let controller = null;
    let debounceTimer = null;
    let maxWaitTimer = null;
    let frame = 0;
    let result = null; // the answer shown (for the current drawing)

    const player = R.createRowPlayer({
      slider: document.getElementById("row-slider"),
      play: document.getElementById("play"),
      readout: document.getElementById("row-readout"),
      timeline: document.getElementById("timeline"),
      onRow: showRow,
    });

    /* ----- the pad ----- */

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

    function renderPad() {
      frame = 0;
      const { bg, ink } = padColors();
      paint(ctx, pad.width, bg, ink, strokes);
    }

    function requestRender() {
      if (!frame) frame = requestAnimationFrame(renderPad);
    }

    function resizePad() {
      const rect = pad.getBoundingClientRect();
      const dpr = Math.min(window.devicePixelRatio || 1, 3);
      const size = Math.max(56, Math.round(rect.width * dpr));
      if (pad.width !== size) {
        pad.width = size;
        pad.height = size;
      }
      renderPad();
      updateBrushDot();
    }

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
      return [Math.max(0, Math.min(1, x)), Math.max(0, Math.min(1, y))];
    }

    pad.addEventListener("pointerdown", (event) => {
      if (active || (event.pointerType === "mouse" && event.button !== 0)) return;
      event.preventDefault();
      try {
        pad.setPointerCapture(event.pointerId);
      } catch (_) {
        /* the pointer is already gone */
      }
      const stroke = { w: brushFraction(), pts: [toPoint(event)] };
      active = { id: event.pointerId, stroke };
      strokes.push(stroke);
      undoStack.push({ type: "stroke" });
      padFrame.classList.add("is-drawing");
      app.dataset.pointer = event.pointerType || "mouse";
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
      schedule(0); // the drawing is complete: ask now rather than after the debounce
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
      schedule(0);
    }

    function clear() {
      if (active || !strokes.length) return;
      undoStack.push({ type: "clear", strokes: strokes.slice() });
      strokes.length = 0;
      changed();
    }

    undoButton.addEventListener("click", undo);
    clearButton.addEventListener("click", clear);

    /* ----- predictions ----- */

    function changed() {
      version += 1;
      app.dataset.requested = String(version);
      requestRender();
      undoButton.disabled = undoStack.length === 0;
      clearButton.disabled = strokes.length === 0;
      padFrame.classList.toggle("has-ink", strokes.length > 0);
      if (!player.isFinal()) player.reset(); // drawing again: back to the final answer
      if (!strokes.length) {
        cancelPending();
        result = null;
        grid.draw(null, 0);
        player.setSteps(null);
        app.dataset.state = "empty";
        app.dataset.seq = String(version);
        showEmpty("Draw a digit", "The ten bars show how sure the model is of each digit.");
        announce("Canvas cleared");
        return;
      }
      app.dataset.state = "pending";
      schedule(DEBOUNCE_MS);
    }

    function cancelPending() {
      clearTimeout(debounceTimer);
      clearTimeout(maxWaitTimer);
      debounceTimer = maxWaitTimer = null;
      if (controller) controller.abort();
      controller = null;
    }

    function schedule(delay) {
      clearTimeout(debounceTimer);
      debounceTimer = setTimeout(send, delay);
      if (maxWaitTimer === null) maxWaitTimer = setTimeout(send, Math.max(delay, MAX_WAIT_MS));
    }

    async function send() {
      clearTimeout(debounceTimer);
      clearTimeout(maxWaitTimer);
      debounceTimer = maxWaitTimer = null;
      if (!strokes.length || version === sentVersion) return;
      const mine = version;
      sentVersion = mine;
      if (controller) controller.abort();
      const own = (controller = new AbortController());
      const body = { image: exportPng() };
      if (wantSteps) body.steps = true;
      try {
        const answer = await R.api("/api/predict", { json: body, signal: own.signal });
        if (mine !== version) return; // the drawing changed meanwhile: a newer request follows
        result = answer;
        app.dataset.seq = String(mine);
        app.dataset.state = "ready";
        app.dataset.digit = answer.digit == null ? "" : String(answer.digit);
        grid.draw(answer.input, 0);
        player.setSteps(answer.steps || null);
        player.reset(); // shows the final answer through showRow
        if (!active) announceResult(answer);
      } catch (error) {
        if (error.name === "AbortError" || mine !== version) return;
        sentVersion = -1; // let the next change (or undo) try again
        app.dataset.seq = String(mine);
        app.dataset.state = "error";
        showEmpty("No answer", `The model could not answer: ${error.message}`);
        messageEl.classList.add("is-error");
      } finally {
        if (controller === own) controller = null;
      }
    }

    /* ----- showing an answer ----- */

    function showEmpty(message, detail) {
      digitEl.textContent = "–";
      digitEl.className = "big-digit is-empty";
      messageEl.textContent = message;
      messageEl.className = "message";
      detailEl.textContent = detail;
      bars.update(null, null);
    }

    function showRow(row, final) {
      if (!result) return;
      if (result.empty) {
        grid.setRow(0);
        showEmpty("Draw a digit", "Nothing to read yet: the drawing is too small or too faint.");
        return;
      }
      const steps = result.steps;
      const probabilities = final || !steps ? result.probabilities : steps[row - 1];
      grid.setRow(final ? 0 : row);
      const d = R.describe(probabilities);
      digitEl.textContent = String(d.digit);
      digitEl.className = "big-digit" + (d.unsure ? " is-unsure" : "") + (final ? "" : " is-row");
      messageEl.className = "message" + (d.unsure ? " is-unsure" : "");
      messageEl.textContent = d.message;
      const second = `next: ${d.second} (${R.percent(d.secondConfidence)})`;
      detailEl.textContent = final
        ? `${R.percent(d.confidence)} sure · ${second}`
        : `After row ${row} of ${R.ROWS}: ${R.percent(d.confidence)} sure · ${second}`;
      bars.update(probabilities, d.digit);
    }

    function announce(text) {
      if (announceEl.textContent !== text) announceEl.textContent = text;
    }

    function announceResult(answer) {
      if (answer.empty || answer.digit == null) return announce("Nothing to read yet");
      const d = R.describe(answer.probabilities);
      announce(d.unsure ? `${d.message} ${d.digit}: ${R.percent(d.confidence)}` : `Prediction: ${d.digit}, ${R.percent(d.confidence)} sure`);
    }

    /* ----- keys ----- */

    document.addEventListener("keydown", (event) => {
      if (event.defaultPrevented || R.isTypingTarget(event)) return;
      const key = event.key;
      if ((event.ctrlKey || event.metaKey) && !event.altKey && (key === "z" || key === "Z") && !event.shiftKey) {
        event.preventDefault();
        undo();
        return;
      }
      if (R.hasModifier(event)) return;
      const onControl = event.target && (event.target.tagName === "BUTTON" || event.target.tagName === "A");
      const onRange = event.target && event.target.tagName === "INPUT";
      if (key === "c" || key === "C" || key === "Backspace" || key === "Delete") {
        event.preventDefault();
        clear();
      } else if (key === "u" || key === "U") {
        event.preventDefault();
        undo();
      } else if ((key === " " && !onControl) || key === "p" || key === "P") {
        event.preventDefault();
        player.toggle();
      } else if ((key === "ArrowLeft" || key === "ArrowRight") && !onRange) {
        event.preventDefault();
        player.step(key === "ArrowLeft" ? -1 : 1);
      } else if (key === "[" || key === "]") {
        event.preventDefault();
        nudgeBrush(key === "[" ? -0.5 : 0.5);
      }
    });

    brush.addEventListener("input", updateBrushDot);
    document.addEventListener("rowscan:lecture", () => {
      renderPad();
      grid.redraw();
      updateBrushDot();
    });
    if ("ResizeObserver" in window) new ResizeObserver(resizePad).observe(pad);
    else window.addEventListener("resize", resizePad);
    resizePad();
    app.dataset.ready = "true";
  }
})();
