/* The wall's numbers, from the drawings it holds: this round's count, accuracy and answers, and the
   confusion matrix (asked digit vs the model's answer) over every prompted round of the room.
   Hidden drawings do not count. */

import { percent } from "../core/format.js";

/** drawings: Map id -> {round, prompt, digit, hidden}; round: {number, prompt}. */
export function summarise(drawings, round) {
  const answers = Array(10).fill(0);
  const matrix = Array.from({ length: 10 }, () => Array(10).fill(0));
  let count = 0;
  let right = 0;
  for (const d of drawings.values()) {
    if (d.hidden) continue;
    if (d.prompt != null && d.digit != null) matrix[d.prompt][d.digit] += 1;
    if (d.round !== round.number) continue;
    count += 1;
    if (d.digit != null) answers[d.digit] += 1;
    if (d.prompt != null && d.digit === d.prompt) right += 1;
  }
  return { count, right, answers, matrix, prompted: round.prompt != null };
}

export function renderStats(summary, round, elements) {
  elements.count.textContent = String(summary.count);
  if (summary.prompted && summary.count) {
    elements.accuracy.textContent = percent(summary.right / summary.count);
    elements.wrong.textContent = String(summary.count - summary.right);
  } else {
    elements.accuracy.textContent = "–";
    elements.wrong.textContent = "–";
  }
  elements.accuracyLabel.textContent = summary.prompted ? `right on the ${round.prompt}s` : "right (asks a digit)";
  renderAnswers(elements.answers, summary.answers);
  renderMatrix(elements.matrix, summary.matrix, round.prompt);
}

function renderAnswers(container, answers) {
  const most = Math.max(1, ...answers);
  container.replaceChildren(
    ...answers.map((n, digit) => {
      const bar = document.createElement("div");
      bar.className = "answer-count";
      bar.dataset.digit = String(digit);
      bar.dataset.count = String(n);
      const fill = document.createElement("span");
      fill.className = "answer-fill";
      fill.style.setProperty("--share", String(n / most));
      const label = document.createElement("span");
      label.className = "answer-label";
      label.textContent = `${digit}: ${n}`;
      bar.append(fill, label);
      return bar;
    })
  );
}

function renderMatrix(table, matrix, prompt) {
  const head = document.createElement("tr");
  head.append(cell("th", ""), ...matrix.map((_, d) => cell("th", String(d))));
  const rows = matrix.map((row, asked) => {
    const tr = document.createElement("tr");
    if (asked === prompt) tr.className = "is-current";
    tr.append(cell("th", String(asked)));
    row.forEach((n, read) => {
      const td = cell("td", n ? String(n) : "");
      td.dataset.asked = String(asked);
      td.dataset.read = String(read);
      if (n) td.className = asked === read ? "is-right" : "is-wrong";
      tr.append(td);
    });
    return tr;
  });
  table.replaceChildren(head, ...rows);
}

function cell(tag, text) {
  const element = document.createElement(tag);
  element.textContent = text;
  return element;
}
