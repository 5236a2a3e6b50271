/* The answer to one digit: ten probability bars, and the answer block (the big digit, its words, the bars)
   of the draw page, the misses dialog and each compare panel, so they all show a digit the same way. */

import { DIGITS, describe, percent } from "../core/format.js";

/** Ten vertical bars in `container` (role=list); update(probabilities, highlightDigit), markTrue(digit). */
export function createBars(container) {
  container.textContent = "";
  const bars = [];
  for (let digit = 0; digit < DIGITS; digit++) {
    const bar = document.createElement("div");
    bar.className = "bar";
    bar.setAttribute("role", "listitem");
    bar.dataset.digit = String(digit);
    bar.dataset.p = "0";
    const value = document.createElement("span");
    value.className = "bar-value";
    value.setAttribute("aria-hidden", "true");
    const track = document.createElement("span");
    track.className = "bar-track";
    const fill = document.createElement("span");
    fill.className = "bar-fill";
    track.appendChild(fill);
    const label = document.createElement("span");
    label.className = "bar-label";
    label.setAttribute("aria-hidden", "true");
    label.textContent = String(digit);
    bar.append(value, track, label);
    container.appendChild(bar);
    bars.push({ bar, value, fill });
  }
  function update(probabilities, top) {
    bars.forEach(({ bar, value, fill }, digit) => {
      const p = probabilities ? Math.max(0, Math.min(1, Number(probabilities[digit]) || 0)) : 0;
      fill.style.transform = `scaleY(${p})`;
      value.textContent = probabilities ? percent(p) : "";
      bar.dataset.p = p.toFixed(6);
      bar.classList.toggle("is-top", probabilities != null && digit === top);
      bar.classList.toggle("has-value", probabilities != null && p >= 0.05);
      const truth = bar.classList.contains("is-true") ? " (the true digit)" : "";
      bar.setAttribute("aria-label", probabilities ? `${digit}${truth}: ${percent(p)}` : `${digit}: no answer yet`);
    });
    container.dataset.top = probabilities && top != null ? String(top) : "";
  }
  /** Mark the true digit (a test digit's label): its label underlined, in words for screen readers. */
  function markTrue(digit) {
    bars.forEach(({ bar }, d) => bar.classList.toggle("is-true", d === digit));
    container.dataset.true = digit == null ? "" : String(digit);
  }
  update(null, null);
  return { update, markTrue };
}

/**
 * The answer block. elements: {digit, message, detail, bars (the bars' container)}, as the `answer` macro of
 * _macros.html (or a compare panel) renders them; the caller writes the words.
 */
export function createAnswerView(elements) {
  const { digit: digitEl, message: messageEl, detail: detailEl } = elements;
  const bars = createBars(elements.bars);

  /** No digit: a dash, the words, empty bars. */
  function showEmpty(message, detail) {
    digitEl.textContent = "–";
    digitEl.className = "big-digit is-empty";
    messageEl.textContent = message;
    messageEl.className = "message";
    detailEl.textContent = detail;
    bars.update(null, null);
  }

  /** No digit because something failed: the words in the error colour. */
  function showError(message, detail) {
    showEmpty(message, detail);
    messageEl.classList.add("is-error");
  }

  /**
   * The top digit of `probabilities` and the bars; `mark` is "" (the final answer), "is-row" (after a row)
   * or "is-held" (a final answer kept during a replay). Returns describe(probabilities) for the caller's words.
   */
  function showDigit(probabilities, mark) {
    const d = describe(probabilities);
    digitEl.textContent = String(d.digit);
    digitEl.className = "big-digit" + (d.unsure ? " is-unsure" : "") + (mark ? " " + mark : "");
    messageEl.className = "message" + (d.unsure ? " is-unsure" : "");
    bars.update(probabilities, d.digit);
    return d;
  }

  return {
    bars,
    showEmpty,
    showError,
    showDigit,
    setMessage: (text) => (messageEl.textContent = text),
    setDetail: (text) => (detailEl.textContent = text),
  };
}

/** The parts of the `answer` macro inside `root` (draw page, misses dialog). */
export function answerElements(root) {
  const find = (testid) => root.querySelector(`[data-testid=${testid}]`);
  return { digit: find("prediction"), message: find("message"), detail: find("answer-detail"), bars: find("probabilities") };
}
