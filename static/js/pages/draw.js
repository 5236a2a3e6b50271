/* The draw page: the drawing pad, live answers while drawing, and the row-by-row playback of what the
   LSTM thinks after each of the 28 rows. The root element carries data-state (empty | pending | ready |
   error), data-requested (current version) and data-seq (version shown): see widgets/live.js. */

import { predict } from "../core/api.js";
import { ROWS, describe, percent, runnerUp } from "../core/format.js";
import { takePlayback } from "../core/rooms.js";
import { createAnnouncer, onLectureChange } from "../core/shell.js";
import { createCorrection } from "../widgets/correction.js";
import { createInsidePanel } from "../widgets/inside.js";
import { createLiveDrawing } from "../widgets/live.js";
import { createPixelGrid } from "../widgets/pixel-grid.js";
import { answerElements, createAnswerView } from "../widgets/probabilities.js";
import { createRowPlayer, playerElements } from "../widgets/row-player.js";

const app = document.getElementById("draw-app");
const announcer = createAnnouncer(app.querySelector("[data-testid=announce]"));
const view = createAnswerView(answerElements(app));
const grid = createPixelGrid(app.querySelector("[data-testid=model-input]"));
const model = app.dataset.model;
const wantSteps = app.dataset.hasSteps !== "false";
let result = null; // the answer shown (for the current drawing)
const insideRoot = app.querySelector("[data-testid=inside-panel]"); // "Inside the LSTM": recurrent models only
const inside = insideRoot ? createInsidePanel(insideRoot) : null;

/** The question for one input ({image} or {pixels}): the answer after every row, and the look inside when shown. */
const ask = (input, signal) => predict({ ...input, model, ...(wantSteps && { steps: true }), ...(inside && { explain: true }) }, signal);

const player = createRowPlayer(playerElements(app.querySelector("[data-testid=player]")), showRow);

const { pad } = createLiveDrawing({
  root: app,
  player,
  onChange: () => correction.hide(),
  request: (image, signal) => ask({ image }, signal),
  onAnswer: (answer) => {
    show(answer);
    if (!pad.isDrawing()) announceResult(answer);
    correction.show(answer);
  },
  onEmpty: () => {
    result = null;
    grid.draw(null, 0);
    player.setSteps(null);
    if (inside) inside.clear();
    view.showEmpty("Draw a digit", "The ten bars show how sure the model is of each digit.");
    announcer.say("Canvas cleared");
  },
  onError: (error) => {
    view.showError("No answer", `The model could not answer: ${error.message}`);
    if (inside) inside.error(`No answer to look inside: ${error.message}`);
  },
});

const correction = createCorrection({
  root: app.querySelector("[data-testid=correction]"),
  drawing: () => ({ image: pad.exportPng(), strokes: pad.exportStrokes() }),
  model,
});

function show(answer) {
  result = answer;
  app.dataset.digit = answer.digit == null ? "" : String(answer.digit);
  grid.draw(answer.input, 0);
  player.setSteps(answer.steps || null);
  if (inside) inside.show(answer);
  player.reset(); // shows the final answer through showRow
}

// A class wall's tile sent here (/?playback=1): its 28x28, answered with the answer after every row.
const handed = takePlayback();
if (handed) {
  app.dataset.state = "pending";
  ask({ pixels: handed }).then(
    (answer) => {
      show(answer);
      announceResult(answer);
      app.dataset.source = "class";
      app.dataset.state = "ready";
    },
    (error) => {
      view.showError("No answer", `The model could not answer: ${error.message}`);
      app.dataset.state = "error";
    }
  );
}

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
  const sure = `${percent(d.confidence)} sure · ${runnerUp(d)}`;
  view.setDetail(final ? sure : `After row ${row} of ${ROWS}: ${sure}`);
}

function announceResult(answer) {
  if (answer.empty || answer.digit == null) return announcer.say("Nothing to read yet");
  const d = describe(answer.probabilities);
  announcer.say(d.unsure ? `${d.message} ${d.digit}: ${percent(d.confidence)}` : `Prediction: ${d.digit}, ${percent(d.confidence)} sure`);
}

onLectureChange(() => grid.redraw());
app.dataset.ready = "true";
