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
    const announceEl = document.getElementById("announce");
    const view = R.createPageAnswer();
    const grid = R.createPixelGrid(document.getElementById("model-input"));
    const model = app.dataset.model;
    const wantSteps = app.dataset.hasSteps !== "false";
    let result = null; // the answer shown (for the current drawing)
    const insideRoot = document.getElementById("inside"); // "Inside the LSTM" (recurrent models only)
    let inside = null;
    if (insideRoot) {
      import(insideRoot.dataset.module).then(({ createInsidePanel }) => {
        inside = createInsidePanel(insideRoot);
        if (result) inside.show(result);
      });
    }

    const player = R.createPagePlayer(showRow);

    const pad = R.createPagePad(
      app,
      () => {
        if (!player.isFinal()) player.reset(); // drawing again: back to the final answer
        live.changed();
      },
      () => live.flush()
    );

    const live = R.createLive({
      root: app,
      isEmpty: pad.isEmpty,
      request: (signal) => {
        const body = { image: pad.exportPng(), model };
        if (wantSteps) body.steps = true;
        if (insideRoot) body.explain = true;
        return R.api("/api/predict", { json: body, signal });
      },
      onAnswer: (answer) => {
        result = answer;
        app.dataset.digit = answer.digit == null ? "" : String(answer.digit);
        grid.draw(answer.input, 0);
        player.setSteps(answer.steps || null);
        if (inside) inside.show(answer);
        player.reset(); // shows the final answer through showRow
        if (!pad.isDrawing()) announceResult(answer);
      },
      onEmpty: () => {
        result = null;
        grid.draw(null, 0);
        player.setSteps(null);
        if (inside) inside.clear();
        view.showEmpty("Draw a digit", "The ten bars show how sure the model is of each digit.");
        announce("Canvas cleared");
      },
      onError: (error) => {
        view.showError("No answer", `The model could not answer: ${error.message}`);
        if (inside) inside.error(`No answer to look inside: ${error.message}`);
      },
    });

    /* ----- showing an answer ----- */

    function showRow(row, final) {
      if (!result) return;
      if (result.empty) {
        grid.setRow(0);
        view.showEmpty("Draw a digit", "Nothing to read yet: the drawing is too small or too faint.");
        return;
      }
      const steps = result.steps;
      const probabilities = final || !steps ? result.probabilities : steps[row - 1];
      grid.setRow(final ? 0 : row);
      if (inside) inside.setRow(row, final);
      const d = view.showDigit(probabilities, final ? "" : "is-row");
      view.setMessage(d.message);
      view.setDetail(
        final
          ? `${R.percent(d.confidence)} sure · ${R.runnerUp(d)}`
          : `After row ${row} of ${R.ROWS}: ${R.percent(d.confidence)} sure · ${R.runnerUp(d)}`
      );
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
      player.handleKey(event);
    });

    document.addEventListener("rowscan:lecture", () => grid.redraw());
    app.dataset.ready = "true";
  }
})();
