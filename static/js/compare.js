/* Rowscan compare page: one drawing answered by every served model at once, side by side.

   The drawing pad and the live-answer rules come from pad.js (debounce, abort, no stale answers). Each
   change sends one POST /api/predict per model, all with the same image and one AbortController; the
   panels are updated together once every model has answered (so the verdict never mixes drawings).
   Recurrent models are asked for their per-row answers ("steps"); the CNN is not (it has none).

   The root element carries data-state (empty | pending | ready | error), data-requested and data-seq, as
   on the draw page; each panel carries data-state, data-seq, data-digit and data-differs. */
(function () {
  "use strict";

  const R = window.Rowscan;

  document.addEventListener("DOMContentLoaded", init);

  function init() {
    const app = document.getElementById("compare-app");
    const verdictEl = document.getElementById("verdict");
    const disagreementEl = document.getElementById("disagreement");
    const announceEl = document.getElementById("announce");
    const grid = R.createPixelGrid(document.getElementById("compare-input"));
    const panels = Array.from(app.querySelectorAll("[data-testid=compare-model]")).map(setupPanel);
    const introText = verdictEl.textContent;
    let results = null; // [{panel, answer} | {panel, error}] for the drawing shown
    let verdictText = ""; // the verdict on the final answers (a replay of the rows labels it so)

    const player = R.createPagePlayer(showRow); // no #timeline here: each panel has its own strip

    const pad = R.createPagePad(
      app,
      () => {
        if (!player.isFinal()) player.reset(); // drawing again: back to the final answers
        live.changed();
        panels.forEach((panel) => (panel.el.dataset.state = app.dataset.state));
      },
      () => live.flush()
    );

    const live = R.createLive({
      root: app,
      isEmpty: pad.isEmpty,
      request: askAll,
      onAnswer: (answers) => {
        const seq = app.dataset.requested;
        results = answers;
        answers.forEach(({ panel, answer, error }) => {
          panel.el.dataset.seq = seq;
          panel.el.dataset.state = error ? "error" : "ready";
          panel.el.dataset.digit = answer && answer.digit != null ? String(answer.digit) : "";
          panel.setStrip(answer && !error ? answer : null);
          panel.setTime(answer ? answer.elapsed_ms : null);
        });
        const first = answers.find(({ answer }) => answer && answer.steps);
        grid.draw((answers.find(({ answer }) => answer) || {}).answer?.input || null, 0);
        player.setSteps(first ? first.answer.steps : null);
        player.reset(); // shows the final answers through showRow
        const verdict = showVerdict();
        if (!pad.isDrawing()) announce(verdict);
        return answers.every(({ error }) => !error) ? "ready" : "error";
      },
      onEmpty: () => {
        results = null;
        grid.draw(null, 0);
        player.setSteps(null);
        panels.forEach((panel) => {
          panel.el.dataset.state = "empty";
          panel.el.dataset.seq = app.dataset.seq;
          panel.el.dataset.digit = "";
          panel.setStrip(null);
          panel.setTime(null);
          panel.showEmpty("Draw a digit", panel.hasSteps ? "Reads the image row by row." : "Sees the whole image at once.");
        });
        showVerdict();
        announce("Canvas cleared");
      },
      onError: (error) => {
        // only when the request as a whole failed (each model's own failure is shown in its panel)
        panels.forEach((panel) => panel.showError(error));
        verdictEl.textContent = `No answer: ${error.message}`;
      },
    });

    /** One request per model, the same image for all; a model's failure stays in its panel. */
    function askAll(signal) {
      const image = pad.exportPng();
      return Promise.all(
        panels.map((panel) => {
          const body = { image, model: panel.name };
          if (panel.hasSteps) body.steps = true; // the CNN answers 422 to steps: never ask it
          return R.api("/api/predict", { json: body, signal }).then(
            (answer) => ({ panel, answer }),
            (error) => {
              if (error.name === "AbortError") throw error;
              return { panel, error };
            }
          );
        })
      );
    }

    /* ----- one panel per model ----- */

    function setupPanel(el) {
      const view = R.createAnswerView({
        digit: el.querySelector("[data-testid=compare-prediction]"),
        message: el.querySelector("[data-testid=compare-message]"),
        detail: el.querySelector("[data-testid=compare-detail]"),
        bars: el.querySelector("[data-testid=compare-probabilities]"),
      });
      const rowsEl = el.querySelector("[data-testid=compare-rows]");
      const timeEl = el.querySelector("[data-testid=compare-time]");
      const badge = el.querySelector("[data-testid=differs]");
      const stripEl = el.querySelector("[data-testid=compare-strip]");
      const hasSteps = el.dataset.hasSteps === "true";
      const rowsDefault = rowsEl.textContent;
      const cells = [];
      if (stripEl) {
        for (let r = 1; r <= R.ROWS; r++) {
          const cell = document.createElement("span");
          cell.className = "tl-cell";
          cell.dataset.row = String(r);
          stripEl.appendChild(cell);
          cells.push(cell);
        }
      }

      function showError(error) {
        view.showError("No answer", `Could not answer: ${error.message}`);
      }

      /** probabilities after `row` (recurrent models), or the final answer; `held`: a final answer shown during a replay. */
      function show(probabilities, { row, final, held }) {
        const d = view.showDigit(probabilities, final ? "" : held ? "is-held" : "is-row");
        view.setMessage(d.message);
        if (final) view.setDetail(`${R.percent(d.confidence)} sure · ${R.runnerUp(d)}`);
        else if (held) view.setDetail(`Whole image, no per-row answer: ${R.percent(d.confidence)} sure`);
        else view.setDetail(`After row ${row} of ${R.ROWS}: ${R.percent(d.confidence)} sure · ${R.runnerUp(d)}`);
      }

      /** The 28 per-row answers as a strip (matching the final answer or not), and the row it settles on. */
      function setStrip(answer) {
        if (!stripEl) return;
        const steps = answer && !answer.empty ? answer.steps : null;
        if (!steps || steps.length !== R.ROWS) {
          cells.forEach((cell) => {
            cell.className = "tl-cell";
            cell.title = "";
          });
          rowsEl.textContent = rowsDefault;
          return;
        }
        const final = answer.digit;
        let settled = R.ROWS;
        while (settled > 1 && R.argmax(steps[settled - 2]) === final) settled -= 1;
        cells.forEach((cell, i) => {
          const d = R.argmax(steps[i]);
          cell.className = `tl-cell conf-${Math.min(4, Math.floor(steps[i][d] * 5))}` + (d === final ? "" : " is-other");
          cell.title = `After row ${i + 1}: ${d} (${R.percent(steps[i][d])})`;
        });
        rowsEl.textContent =
          settled >= R.ROWS ? `Says ${final} only after the last row.` : `Says ${final} from row ${settled} of ${R.ROWS} on.`;
      }

      function markRow(row, final) {
        cells.forEach((cell, i) => {
          cell.classList.toggle("is-read", i + 1 <= row);
          cell.classList.toggle("is-current", i + 1 === row && !final);
        });
      }

      function setTime(ms) {
        timeEl.textContent = ms == null ? "" : `Answered in ${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms on the server`;
      }

      function setDiffers(on) {
        el.classList.toggle("is-different", on);
        el.dataset.differs = String(on);
        badge.hidden = !on;
      }

      return {
        el,
        name: el.dataset.model,
        label: el.dataset.label,
        hasSteps,
        bars: view.bars,
        show,
        showEmpty: view.showEmpty,
        showError,
        setStrip,
        markRow,
        setTime,
        setDiffers,
      };
    }

    /* ----- showing the answers ----- */

    function showRow(row, final) {
      if (!results) {
        panels.forEach((panel) => panel.markRow(0, true));
        return;
      }
      labelVerdict(final);
      grid.setRow(final ? 0 : row);
      for (const { panel, answer, error } of results) {
        panel.markRow(row, final);
        if (error) {
          panel.showError(error);
        } else if (answer.empty) {
          panel.showEmpty("Draw a digit", "Nothing to read yet: the drawing is too small or too faint.");
        } else if (final) {
          panel.show(answer.probabilities, { final: true });
        } else if (answer.steps) {
          panel.show(answer.steps[row - 1], { row });
        } else {
          panel.show(answer.probabilities, { held: true });
        }
      }
    }

    /** The final answers side by side: agree, or disagree (the differing panels marked). Returns the words. */
    function showVerdict() {
      const answered = (results || []).filter(({ answer, error }) => !error && answer && !answer.empty && answer.digit != null);
      const differs = new Set();
      let text;
      disagreementEl.hidden = true;
      disagreementEl.textContent = "";
      verdictEl.hidden = false;
      verdictEl.className = "verdict";
      if (!results) {
        text = introText;
      } else if (!answered.length) {
        text = "Nothing to read yet: the drawing is too small or too faint.";
      } else if (panels.length === 1) {
        text = `${answered[0].panel.label} says ${answered[0].answer.digit}.`;
      } else {
        const digits = answered.map(({ answer }) => answer.digit);
        const counts = new Map();
        digits.forEach((d) => counts.set(d, (counts.get(d) || 0) + 1));
        if (counts.size === 1) {
          const all = answered.length === 2 ? "Both models" : `All ${answered.length} models`;
          text = answered.length < panels.length ? `The models that answered agree: ${digits[0]}.` : `${all} agree: ${digits[0]}.`;
          verdictEl.className = "verdict is-agree";
        } else {
          const ranked = Array.from(counts.entries()).sort((a, b) => b[1] - a[1]);
          const majority = ranked[0][1] > 1 && ranked[0][1] > ranked[1][1] ? ranked[0][0] : null;
          answered.forEach(({ panel, answer }) => {
            if (majority === null || answer.digit !== majority) differs.add(panel);
          });
          text = "The models disagree: " + answered.map(({ panel, answer }) => `${panel.label} ${answer.digit}`).join(", ");
          disagreementEl.textContent = text;
          disagreementEl.hidden = false;
          verdictEl.hidden = true;
        }
      }
      verdictText = text;
      labelVerdict(player.isFinal());
      panels.forEach((panel) => panel.setDiffers(differs.has(panel)));
      app.dataset.agree = !results || answered.length < 2 ? "" : String(differs.size === 0);
      return text;
    }

    /** While the rows are replayed the panels show per-row answers: the verdict says it is about the final ones. */
    function labelVerdict(final) {
      const text = final || !results ? verdictText : `Final answers: ${verdictText}`;
      const el = disagreementEl.hidden ? verdictEl : disagreementEl;
      if (el.textContent !== text) el.textContent = text;
    }

    function announce(text) {
      if (announceEl.textContent !== text) announceEl.textContent = text;
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
