/* The misses page: the gallery of test digits the model gets wrong (filters, paging, the confusion matrix
   as a filter), and a detail dialog that replays how the model read one of them row by row.

   The model (?model=gru; the matrix is rendered server-side for it, so choosing another one loads the page
   again) and the filters live in the URL (?true=4&predicted=9&page=2, plus lecture=1), so a view can be
   shared or reloaded. The gallery carries data-state (loading | ready | error) and data-key
   ("true=..&predicted=..&page=..") of what it shows; the dialog carries data-state and data-index. */

import { api, predict } from "../core/api.js";
import { DIGITS, ROWS, describe, percent, runnerUp } from "../core/format.js";
import { onKeys } from "../core/keys.js";
import { createAnnouncer, onLectureChange } from "../core/shell.js";
import { createConfusionMatrix } from "../widgets/confusion-matrix.js";
import { createDetailDialog, dialogElements } from "../widgets/dialog.js";
import { createInsidePanel } from "../widgets/inside.js";
import { createDigitCard, createPagedList, emptyItem, pageFromUrl, pagerElements, showingParts, span, writeGalleryUrl } from "../widgets/gallery.js";
import { setupModelSelect } from "../widgets/model-select.js";
import { createPixelGrid } from "../widgets/pixel-grid.js";
import { answerElements, createAnswerView } from "../widgets/probabilities.js";
import { createRowPlayer, playerElements } from "../widgets/row-player.js";

const PER_PAGE = 24;
const app = document.getElementById("misses-app");
const model = app.dataset.model;
const wantSteps = app.dataset.hasSteps !== "false";
const form = app.querySelector("[data-testid=filters]");
const trueSelect = app.querySelector("[data-testid=filter-true]");
const predictedSelect = app.querySelector("[data-testid=filter-predicted]");
const gallery = app.querySelector("[data-testid=gallery]");
const summary = app.querySelector("[data-testid=gallery-summary]");

setupModelSelect(document, ["page"]); // another model: the same filters, from the first page

/* ----- the filter, in the URL ----- */

function digitParam(params, name) {
  const value = params.get(name);
  if (value === null || value === "") return null;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 && n < DIGITS ? n : null;
}

const params = new URLSearchParams(window.location.search);
const state = { true: digitParam(params, "true"), predicted: digitParam(params, "predicted"), page: pageFromUrl(params) };
let items = [];

function writeUrl() {
  writeGalleryUrl(state.page, (url) => {
    for (const name of ["true", "predicted"]) url.searchParams.delete(name);
    if (state.true !== null) url.searchParams.set("true", String(state.true));
    if (state.predicted !== null) url.searchParams.set("predicted", String(state.predicted));
  });
}

const matrix = createConfusionMatrix(app.querySelector("[data-testid=confusion-matrix]"), (t, p) => {
  if (state.true === t && state.predicted === p) setFilter(null, null); // a second click shows all again
  else setFilter(t, p);
});

function syncControls() {
  trueSelect.value = state.true === null ? "" : String(state.true);
  predictedSelect.value = state.predicted === null ? "" : String(state.predicted);
  matrix.select(state.true, state.predicted);
}

function setFilter(trueDigit, predictedDigit) {
  state.true = trueDigit;
  state.predicted = predictedDigit;
  state.page = 1;
  list.load();
}

const digitOf = (select) => (select.value === "" ? null : Number(select.value));
trueSelect.addEventListener("change", () => setFilter(digitOf(trueSelect), state.predicted));
predictedSelect.addEventListener("change", () => setFilter(state.true, digitOf(predictedSelect)));
form.addEventListener("submit", (event) => event.preventDefault());
form.addEventListener("reset", (event) => {
  event.preventDefault();
  setFilter(null, null);
});

/* ----- the gallery ----- */

const list = createPagedList(
  { list: gallery, summary, ...pagerElements(app) },
  {
    noun: "misses",
    state,
    before: () => {
      syncControls();
      writeUrl();
    },
    key: () => `true=${state.true ?? ""}&predicted=${state.predicted ?? ""}&page=${state.page}`,
    url: () => {
      const query = new URLSearchParams({ page: String(state.page), per_page: String(PER_PAGE), model });
      if (state.true !== null) query.set("true", String(state.true));
      if (state.predicted !== null) query.set("predicted", String(state.predicted));
      return `/api/misses?${query}`;
    },
    render,
  }
);

function describeFilter() {
  const t = state.true;
  const p = state.predicted;
  if (t !== null && p !== null) return `true ${t}, answered ${p}`;
  if (t !== null) return `true ${t}`;
  if (p !== null) return `answered ${p}`;
  return "";
}

function render(data) {
  items = data.items;
  const filter = describeFilter();
  if (!data.total) {
    gallery.appendChild(
      emptyItem(
        "gallery-empty",
        state.true !== null && state.true === state.predicted
          ? `Digits answered ${state.true} when they are ${state.true} are correct, not misses.`
          : `No misses here (${filter}): the model never made this mistake on the test set.`
      )
    );
    summary.textContent = `No misses for ${filter || "this filter"}.`;
  } else {
    summary.innerHTML = "";
    summary.append(...showingParts(data), data.total === 1 ? " miss" : " misses", filter ? ` (${filter})` : "");
    data.items.forEach((item, position) => gallery.appendChild(missItem(item, position)));
  }
}

function missItem(item, position) {
  const { li, button } = createDigitCard(item, "miss", "miss");
  button.dataset.predicted = String(item.predicted);
  const title = span("miss-title", item.title);
  title.dataset.testid = "miss-title";
  button.append(span("sr-only", `Test digit ${item.index}: `), title, span("miss-conf", `${percent(item.confidence)} sure`));
  button.addEventListener("click", () => detailDialog.open(position, button));
  return li;
}

/* ----- the detail dialog: the row-by-row replay of one miss ----- */

const dialog = document.getElementById("miss-dialog");
const detailTitle = dialog.querySelector("[data-testid=detail-title]");
const detailSub = dialog.querySelector("[data-testid=detail-sub]");
const announcer = createAnnouncer(dialog.querySelector("[aria-live]"));
const answer = createAnswerView(answerElements(dialog));
const grid = createPixelGrid(dialog.querySelector("[data-testid=model-input]"));
let detail = null; // {item, result}
const player = createRowPlayer(playerElements(dialog.querySelector("[data-testid=player]")), showRow);
const insideRoot = dialog.querySelector("[data-testid=inside-panel]"); // "Inside the LSTM": recurrent models only
const inside = insideRoot ? createInsidePanel(insideRoot) : null;

function showRow(row, final) {
  if (!detail || !detail.result) return;
  const { item, result } = detail;
  const probabilities = final || !result.steps ? result.probabilities : result.steps[row - 1];
  grid.setRow(final ? 0 : row);
  if (inside) inside.setRow(row, final);
  answer.bars.markTrue(item.true);
  const d = answer.showDigit(probabilities, final ? "" : "is-row");
  const wrong = d.digit !== item.true;
  const truth = `true ${item.true}: ${percent(probabilities[item.true])}`;
  answer.setMessage(final ? `Answered ${d.digit}, truly ${item.true}` : `${d.unsure ? "Unsure" : "Leaning"}: ${d.digit}${wrong ? "" : " (right so far)"}`);
  answer.setDetail(
    final
      ? `${percent(d.confidence)} sure · ${runnerUp(d)} · the ${truth}`
      : `After row ${row} of ${ROWS}: ${percent(d.confidence)} · ${truth}`
  );
}

const detailDialog = createDetailDialog(dialogElements(dialog), {
  items: () => items,
  cards: () => gallery.querySelectorAll("button.miss"),
  reset: (item) => {
    detail = { item, result: null };
    detailTitle.textContent = item.title;
    detailSub.textContent = `Test digit #${item.index} · answered ${item.predicted} with ${percent(item.confidence)}`;
    answer.showEmpty("Reading…", "");
    if (inside) inside.clear("Reading…");
    player.setSteps(null);
    player.reset();
    grid.draw(null, 0);
  },
  load: async (item, request) => {
    const full = await api(`/api/misses/${item.index}?model=${encodeURIComponent(model)}`, { signal: request.signal });
    if (!request.current()) return;
    grid.draw(full.pixels, 0);
    const body = wantSteps ? { pixels: full.pixels, model, steps: true } : { pixels: full.pixels, model };
    if (inside) Object.assign(body, { explain: true, label: item.true }); // rows scored for the true digit
    const result = await predict(body, request.signal);
    if (!request.current()) return;
    detail.result = result;
    grid.draw(result.input, 0);
    player.setSteps(result.steps || null);
    if (inside) inside.show(result, item.true);
    player.reset();
    const d = describe(result.probabilities);
    announcer.say(`${item.title}: the model answers ${d.digit} with ${percent(d.confidence)}; the true digit is ${item.true}.`, { again: true });
  },
  fail: (error) => answer.showError("Could not load this digit", error.message),
  onClose: () => player.stop(),
});

onKeys((event) => player.handleKey(event), { target: dialog });
onLectureChange(() => grid.redraw());

list.load();
