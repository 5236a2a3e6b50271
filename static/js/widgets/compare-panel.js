/* One model's panel on the compare page: its answer (big digit, words, bars), the strip of its per-row
   answers (recurrent models), the time it took and the "differs" badge. The panel element carries
   data-model, data-label and data-has-steps (compare.html). */

import { ROWS, argmax, percent, runnerUp } from "../core/format.js";
import { createAnswerView } from "./probabilities.js";
import { createTimeline } from "./timeline.js";

export function createComparePanel(el) {
  const find = (testid) => el.querySelector(`[data-testid=${testid}]`);
  const view = createAnswerView({
    digit: find("compare-prediction"),
    message: find("compare-message"),
    detail: find("compare-detail"),
    bars: find("compare-probabilities"),
  });
  const rowsEl = find("compare-rows");
  const timeEl = find("compare-time");
  const badge = find("differs");
  const stripEl = find("compare-strip");
  const strip = stripEl ? createTimeline(stripEl, { labels: "titles" }) : null;
  const rowsDefault = rowsEl.textContent;

  function showError(error) {
    view.showError("No answer", `Could not answer: ${error.message}`);
  }

  /** probabilities after `row` (recurrent models), or the final answer; `held`: a final answer shown during a replay. */
  function show(probabilities, { row, final, held }) {
    const d = view.showDigit(probabilities, final ? "" : held ? "is-held" : "is-row");
    view.setMessage(d.message);
    if (final) view.setDetail(`${percent(d.confidence)} sure · ${runnerUp(d)}`);
    else if (held) view.setDetail(`Whole image, no per-row answer: ${percent(d.confidence)} sure`);
    else view.setDetail(`After row ${row} of ${ROWS}: ${percent(d.confidence)} sure · ${runnerUp(d)}`);
  }

  /** The 28 per-row answers as a strip (matching the final answer or not), and the row it settles on. */
  function setStrip(answer) {
    if (!strip) return;
    const steps = answer && !answer.empty ? answer.steps : null;
    if (!steps || steps.length !== ROWS) {
      strip.setSteps(null);
      rowsEl.textContent = rowsDefault;
      return;
    }
    const final = answer.digit;
    let settled = ROWS;
    while (settled > 1 && argmax(steps[settled - 2]) === final) settled -= 1;
    strip.setSteps(steps, final);
    rowsEl.textContent = settled >= ROWS ? `Says ${final} only after the last row.` : `Says ${final} from row ${settled} of ${ROWS} on.`;
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
    hasSteps: el.dataset.hasSteps === "true",
    show,
    showEmpty: view.showEmpty,
    showError,
    setStrip,
    markRow: (row, final) => strip && strip.mark(row, final),
    setTime,
    setDiffers,
  };
}
