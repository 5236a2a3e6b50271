/* The disagreements view (/misses?view=disagreements): the test digits the served models answer
   differently (GET /api/disagreements), each with every model's answer, the right ones ticked; paging;
   a detail dialog that reads the digit's pixels (its detail_url) and asks every model for its
   probabilities (POST /api/predict with pixels and model).

   The page lives in the URL (?view=disagreements&page=2, plus lecture=1). The list carries data-state
   (loading | ready | error) and data-key ("page=.."); the dialog carries data-state and data-index. */

import { api, predict } from "../core/api.js";
import { describe, percent } from "../core/format.js";
import { createAnnouncer, onLectureChange } from "../core/shell.js";
import { createDetailDialog, dialogElements } from "../widgets/dialog.js";
import { createDigitCard, createPagedList, emptyItem, pageFromUrl, pagerElements, showingParts, span, writeGalleryUrl } from "../widgets/gallery.js";
import { createPixelGrid } from "../widgets/pixel-grid.js";
import { createBars } from "../widgets/probabilities.js";

const PER_PAGE = 24;
const app = document.getElementById("dis-app");
const list = app.querySelector("[data-testid=disagreements]");
const summary = app.querySelector("[data-testid=disagreements-summary]");
const dialog = document.getElementById("dis-dialog");
const labels = {};
dialog.querySelectorAll("[data-testid=detail-model]").forEach((el) => (labels[el.dataset.model] = el.dataset.label));
const label = (name) => labels[name] || name.toUpperCase();

const state = { page: pageFromUrl() };
let items = [];

/* ----- the list ----- */

const pagedList = createPagedList(
  { list, summary, ...pagerElements(app) },
  {
    noun: "disagreements",
    state,
    before: () => writeGalleryUrl(state.page, (url) => url.searchParams.set("view", "disagreements")),
    key: () => `page=${state.page}`,
    url: () => `/api/disagreements?page=${state.page}&per_page=${PER_PAGE}`,
    render,
  }
);

function render(data) {
  items = data.items;
  if (!data.total) {
    const alone = data.models.length < 2;
    list.appendChild(
      emptyItem(
        "disagreements-empty",
        alone ? "With one model there is nothing to disagree about." : "The models give the same answer on every test digit."
      )
    );
    summary.textContent = "No disagreements.";
    return;
  }
  const allWrong = data.items.filter((item) => !item.correct.length).length;
  summary.textContent = "";
  summary.append(
    ...showingParts(data),
    data.total === 1 ? " test digit" : " test digits",
    data.models.length === 2
      ? ` where ${label(data.models[0])} and ${label(data.models[1])} answer differently`
      : ` where ${data.models.map(label).join(", ")} do not all give the same answer`,
    allWrong ? ` (on this page, ${allWrong} that none of them gets right)` : ""
  );
  data.items.forEach((item, position) => list.appendChild(itemElement(item, data.models, position)));
}

function itemElement(item, models, position) {
  const { li, button } = createDigitCard(item, "miss dis-item", "disagreement-item");
  const title = span("miss-title", `t:${item.true}`);
  title.dataset.testid = "disagreement-true";
  const spoken = models
    .map((name) => `${label(name)} ${item.predictions[name]}${item.correct.includes(name) ? ", right" : ", wrong"}`)
    .join("; ");
  const answers = span("dis-answers", "");
  answers.setAttribute("aria-hidden", "true");
  for (const name of models) {
    const right = item.correct.includes(name);
    const row = span("dis-answer" + (right ? " is-right" : " is-wrong"), "");
    row.dataset.testid = "disagreement-answer";
    row.dataset.model = name;
    row.dataset.digit = String(item.predictions[name]);
    row.dataset.right = String(right);
    row.append(span("dis-model", label(name)), span("dis-digit", String(item.predictions[name])), span("dis-mark", right ? "✓" : "✗"));
    answers.appendChild(row);
  }
  button.append(title, span("sr-only", `Test digit ${item.index}, truly ${item.true}: ${spoken}`), answers);
  button.addEventListener("click", () => detailDialog.open(position, button));
  return li;
}

/* ----- the detail dialog: every model's probabilities for one digit ----- */

const detailTitle = dialog.querySelector("[data-testid=detail-title]");
const detailSub = dialog.querySelector("[data-testid=detail-sub]");
const announcer = createAnnouncer(dialog.querySelector("[aria-live]"));
const grid = createPixelGrid(dialog.querySelector("[data-testid=model-input]"));
const panels = Array.from(dialog.querySelectorAll("[data-testid=detail-model]")).map((el) => ({
  el,
  name: el.dataset.model,
  verdict: el.querySelector("[data-testid=detail-verdict]"),
  bars: createBars(el.querySelector("[data-testid=detail-probabilities]")),
}));

function resetPanels(text) {
  for (const panel of panels) {
    panel.el.dataset.state = "loading";
    panel.el.classList.remove("is-right", "is-wrong");
    panel.verdict.textContent = text;
    panel.bars.markTrue(null);
    panel.bars.update(null, null);
  }
}

function showAnswer(panel, answer, item) {
  const d = describe(answer.probabilities);
  const right = d.digit === item.true;
  panel.el.dataset.state = "ready";
  panel.el.dataset.digit = String(d.digit);
  panel.el.classList.toggle("is-right", right);
  panel.el.classList.toggle("is-wrong", !right);
  const truth = right ? "" : ` · true ${item.true}: ${percent(answer.probabilities[item.true])}`;
  panel.verdict.textContent = `${right ? "✓" : "✗"} ${d.digit} · ${percent(d.confidence)}${truth}`;
  panel.bars.markTrue(item.true);
  panel.bars.update(answer.probabilities, d.digit);
  return `${label(panel.name)} ${d.digit} (${percent(d.confidence)}, ${right ? "right" : "wrong"})`;
}

const detailDialog = createDetailDialog(dialogElements(dialog), {
  items: () => items,
  cards: () => list.querySelectorAll("button.dis-item"),
  arrowKeys: true,
  reset: (item) => {
    detailTitle.textContent = `t:${item.true}`;
    const right = item.correct.length ? `right: ${item.correct.map(label).join(", ")}` : "no model gets it right";
    detailSub.textContent = `Test digit #${item.index} · ${right} · the true digit is underlined`;
    resetPanels("Reading…");
    grid.draw(null, 0);
  },
  load: async (item, request) => {
    const full = await api(item.detail_url, { signal: request.signal });
    if (!request.current()) return;
    grid.draw(full.pixels, 0);
    const answers = await Promise.all(panels.map((panel) => predict({ pixels: full.pixels, model: panel.name }, request.signal)));
    if (!request.current()) return;
    const spoken = answers.map((answer, i) => showAnswer(panels[i], answer, item));
    grid.draw(answers[0].input, 0);
    announcer.say(`Test digit ${item.index}, truly ${item.true}: ${spoken.join("; ")}.`, { again: true });
  },
  fail: (error) => {
    resetPanels(`Could not load this digit: ${error.message}`);
    panels.forEach((panel) => (panel.el.dataset.state = "error"));
  },
});

onLectureChange(() => grid.redraw());

pagedList.load();
