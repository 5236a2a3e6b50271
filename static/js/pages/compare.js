/* The compare page: one drawing answered by every served model at once, side by side.

   Each change sends one POST /api/predict per model, all with the same image and one AbortController; the
   panels are updated together once every model has answered (so the verdict never mixes drawings).
   Recurrent models are asked for their per-row answers ("steps"); the CNN is not (it has none).

   The root element carries data-state (empty | pending | ready | error), data-requested and data-seq, as
   on the draw page; each panel carries data-state, data-seq, data-digit and data-differs. */

import { predict } from "../core/api.js";
import { createAnnouncer, onLectureChange } from "../core/shell.js";
import { createComparePanel } from "../widgets/compare-panel.js";
import { createCorrection } from "../widgets/correction.js";
import { createLiveDrawing } from "../widgets/live.js";
import { createPixelGrid } from "../widgets/pixel-grid.js";
import { createRowPlayer, playerElements } from "../widgets/row-player.js";

const app = document.getElementById("compare-app");
const verdictEl = app.querySelector("[data-testid=verdict]");
const disagreementEl = app.querySelector("[data-testid=disagreement]");
const announcer = createAnnouncer(app.querySelector("[data-testid=announce]"));
const grid = createPixelGrid(app.querySelector("[data-testid=compare-input]"));
const panels = Array.from(app.querySelectorAll("[data-testid=compare-model]")).map(createComparePanel);
const introText = verdictEl.textContent;
let results = null; // [{panel, answer} | {panel, error}] for the drawing shown
let verdictText = ""; // the verdict on the final answers (a replay of the rows labels it so)

const player = createRowPlayer(playerElements(app.querySelector("[data-testid=player]")), showRow); // no timeline: each panel has a strip

const { pad } = createLiveDrawing({
  root: app,
  player,
  request: askAll,
  onChange: () => {
    panels.forEach((panel) => (panel.el.dataset.state = app.dataset.state));
    correction.hide();
  },
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
    if (!pad.isDrawing()) announcer.say(verdict);
    correction.show((answers.find(({ panel }) => panel.el.dataset.model === app.dataset.default) || answers[0]).answer);
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
    announcer.say("Canvas cleared");
  },
  onError: (error) => {
    // only when the request as a whole failed (each model's own failure is shown in its panel)
    panels.forEach((panel) => panel.showError(error));
    verdictEl.textContent = `No answer: ${error.message}`;
  },
});

/** One request per model, the same image for all; a model's failure stays in its panel. */
const correction = createCorrection({
  root: app.querySelector("[data-testid=correction]"),
  drawing: () => ({ image: pad.exportPng(), strokes: pad.exportStrokes() }),
  model: app.dataset.default,
});

function askAll(image, signal) {
  return Promise.all(
    panels.map((panel) => {
      const body = panel.hasSteps ? { image, model: panel.name, steps: true } : { image, model: panel.name }; // the CNN answers 422 to steps
      return predict(body, signal).then(
        (answer) => ({ panel, answer }),
        (error) => {
          if (error.name === "AbortError") throw error;
          return { panel, error };
        }
      );
    })
  );
}

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

onLectureChange(() => grid.redraw());
app.dataset.ready = "true";
