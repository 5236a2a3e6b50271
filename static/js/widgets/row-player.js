/* The row player: play/pause, a slider over rows 1..28 and (optionally) a timeline, to replay what a
   recurrent model answered after each row. The `row_controls` macro of _macros.html renders its controls. */

import { ROWS } from "../core/format.js";
import { createTimeline } from "./timeline.js";

/**
 * elements: {slider, play, readout, timeline (its container, or null)}; onRow(row, final) shows a row.
 * setSteps(steps 28x10 | null) enables it; reset() returns to the final answer (row 28, stopped).
 */
export function createRowPlayer(elements, onRow, { interval = 320 } = {}) {
  const { slider, play, readout } = elements;
  let steps = null;
  let timer = null;
  const timeline = elements.timeline
    ? createTimeline(elements.timeline, {
        onPick: (r) => {
          if (!steps) return;
          stop();
          setRow(r);
        },
      })
    : null;

  const row = () => Number(slider.value);
  const playing = () => timer !== null;

  function render() {
    const r = row();
    const final = r >= ROWS && !playing();
    slider.setAttribute("aria-valuetext", r >= ROWS ? `All ${ROWS} rows` : `After row ${r} of ${ROWS}`);
    if (readout) {
      readout.innerHTML = "";
      const strong = document.createElement("strong");
      strong.textContent = String(r);
      if (r >= ROWS) readout.append("After all ", strong, " rows");
      else readout.append("After row ", strong, ` of ${ROWS}`);
    }
    if (timeline) timeline.mark(steps ? r : 0, final);
    slider.style.setProperty("--fill", `${((r - 1) / (ROWS - 1)) * 100}%`);
    onRow(r, final);
  }

  function setRow(r) {
    slider.value = String(Math.max(1, Math.min(ROWS, r)));
    render();
  }

  function setPlaying(on) {
    play.setAttribute("aria-pressed", String(on));
    play.classList.toggle("is-playing", on);
    const label = play.querySelector(".play-label");
    if (label) label.textContent = on ? "Pause" : "Play rows";
  }

  function stop() {
    if (timer !== null) {
      clearInterval(timer);
      timer = null;
      setPlaying(false);
    }
  }

  function start() {
    if (!steps) return;
    if (row() >= ROWS) setRow(1);
    timer = setInterval(() => {
      if (row() >= ROWS) {
        stop();
        render();
        return;
      }
      setRow(row() + 1);
      if (row() >= ROWS) {
        stop();
        render();
      }
    }, interval);
    setPlaying(true);
    render();
  }

  function toggle() {
    if (playing()) {
      stop();
      render();
    } else start();
  }

  function setSteps(value) {
    steps = value && value.length === ROWS ? value : null;
    slider.disabled = !steps;
    play.disabled = !steps;
    if (timeline) timeline.setSteps(steps);
    if (!steps) stop();
  }

  function reset() {
    stop();
    slider.value = String(ROWS);
    render();
  }

  function step(delta) {
    if (!steps) return;
    stop();
    setRow(row() + delta);
  }

  /** Space or P plays/pauses, the arrow keys step a row (not on a slider: it has its own). True if handled. */
  function handleKey(event) {
    const key = event.key;
    const tag = event.target && event.target.tagName;
    if ((key === " " && tag !== "BUTTON" && tag !== "A") || key === "p" || key === "P") {
      event.preventDefault();
      toggle();
      return true;
    }
    if ((key === "ArrowLeft" || key === "ArrowRight") && tag !== "INPUT") {
      event.preventDefault();
      step(key === "ArrowLeft" ? -1 : 1);
      return true;
    }
    return false;
  }

  slider.addEventListener("input", () => {
    stop();
    render();
  });
  play.addEventListener("click", toggle);

  return { setSteps, reset, stop, handleKey, isFinal: () => row() >= ROWS && !playing() };
}

/** The parts of the `row_controls` macro inside `root`, and its timeline if there is one. */
export function playerElements(root) {
  const find = (testid) => root.querySelector(`[data-testid=${testid}]`);
  return { slider: find("row-slider"), play: find("play"), readout: find("row-readout"), timeline: find("timeline") };
}
