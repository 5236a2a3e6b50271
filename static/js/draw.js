/* Rowscan draw page: the drawing pad (pad.js), live predictions while drawing, and the row-by-row
   playback of what the LSTM thinks after each of the 28 rows.

   Live predictions follow pad.js's rules (debounce, abort, no stale answers). The root element carries
   data-state (empty | pending | ready | error), data-requested (current version) and data-seq (version shown). */
(function () {
  "use strict";

  const R = window.Rowscan;

  document.addEventListener("DOMContentLoaded", init);

  function init() {
    const app = document.getElementById("draw-app");
    const digitEl = document.getElementById("prediction");
    const messageEl = document.getElementById("message");
    const detailEl = document.getElementById("answer-detail");
    const announceEl = document.getElementById("announce");
    const bars = R.createBars(document.getElementById("bars"));
    const grid = R.createPixelGrid(document.getElementById("model-input"));
    const model = app.dataset.model;
    const wantSteps = app.dataset.hasSteps !== "false";
    let result = null; // the answer shown (for the current drawing)

    const player = R.createRowPlayer({
      slider: document.getElementById("row-slider"),
      play: document.getElementById("play"),
      readout: document.getElementById("row-readout"),
      timeline: document.getElementById("timeline"),
      onRow: showRow,
    });

    const pad = R.createPad({
      root: app,
      canvas: document.getElementById("pad"),
      brush: document.getElementById("brush"),
      brushValue: document.getElementById("brush-value"),
      brushDot: document.getElementById("brush-dot"),
      undoButton: document.getElementById("undo"),
      clearButton: document.getElementById("clear"),
      onChange: () => {
        if (!player.isFinal()) player.reset(); // drawing again: back to the final answer
        live.changed();
      },
      onSettle: () => live.flush(),
    });

    const live = R.createLive({
      root: app,
      isEmpty: pad.isEmpty,
      request: (signal) => {
        const body = { image: pad.exportPng(), model };
        if (wantSteps) body.steps = true;
        return R.api("/api/predict", { json: body, signal });
      },
      onAnswer: (answer) => {
        result = answer;
        app.dataset.digit = answer.digit == null ? "" : String(answer.digit);
        grid.draw(answer.input, 0);
        player.setSteps(answer.steps || null);
        player.reset(); // shows the final answer through showRow
        if (!pad.isDrawing()) announceResult(answer);
      },
      onEmpty: () => {
        result = null;
        grid.draw(null, 0);
        player.setSteps(null);
        showEmpty("Draw a digit", "The ten bars show how sure the model is of each digit.");
        announce("Canvas cleared");
      },
      onError: (error) => {
        showEmpty("No answer", `The model could not answer: ${error.message}`);
        messageEl.classList.add("is-error");
      },
    });

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
      if (pad.handleKey(event) || R.hasModifier(event)) return;
      const key = event.key;
      const onControl = event.target && (event.target.tagName === "BUTTON" || event.target.tagName === "A");
      const onRange = event.target && event.target.tagName === "INPUT";
      if ((key === " " && !onControl) || key === "p" || key === "P") {
        event.preventDefault();
        player.toggle();
      } else if ((key === "ArrowLeft" || key === "ArrowRight") && !onRange) {
        event.preventDefault();
        player.step(key === "ArrowLeft" ? -1 : 1);
      }
    });

    document.addEventListener("rowscan:lecture", () => grid.redraw());
    app.dataset.ready = "true";
  }
})();
