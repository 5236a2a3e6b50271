/* Rowscan misses page: the gallery of test digits the model gets wrong (filters, paging, the confusion
   matrix as a filter), and a detail view that replays how the model read one of them row by row.

   The model (?model=gru; the matrix is rendered server-side for it, so choosing another one loads the page
   again) and the filters live in the URL (?true=4&predicted=9&page=2, plus lecture=1), so a view can be
   shared or reloaded. The gallery carries data-state (loading | ready | error) and data-key ("true=..&predicted=..&page=..")
   of what it shows; the dialog carries data-state (loading | ready | error) and data-index. */
(function () {
  "use strict";

  const R = window.Rowscan;
  const PER_PAGE = 24;

  document.addEventListener("DOMContentLoaded", init);

  function init() {
    const app = document.getElementById("misses-app");
    const model = app.dataset.model;
    const wantSteps = app.dataset.hasSteps !== "false";
    const form = document.getElementById("filters");
    const trueSelect = document.getElementById("filter-true");
    const predictedSelect = document.getElementById("filter-predicted");
    const gallery = document.getElementById("gallery");
    const summary = document.getElementById("gallery-summary");
    const matrix = document.getElementById("matrix");
    const cells = Array.from(matrix.querySelectorAll("button.cell"));

    R.setupModelSelect(["page"]); // another model: the same filters, from the first page

    const state = readUrl();
    let items = [];

    /* ----- URL <-> state ----- */

    function digitParam(params, name) {
      const value = params.get(name);
      if (value === null || value === "") return null;
      const n = Number(value);
      return Number.isInteger(n) && n >= 0 && n <= 9 ? n : null;
    }

    function readUrl() {
      const params = new URLSearchParams(window.location.search);
      const page = Number(params.get("page"));
      return {
        true: digitParam(params, "true"),
        predicted: digitParam(params, "predicted"),
        page: Number.isInteger(page) && page >= 1 ? page : 1,
      };
    }

    function writeUrl() {
      const url = new URL(window.location.href);
      for (const name of ["true", "predicted", "page"]) url.searchParams.delete(name);
      if (state.true !== null) url.searchParams.set("true", String(state.true));
      if (state.predicted !== null) url.searchParams.set("predicted", String(state.predicted));
      if (state.page > 1) url.searchParams.set("page", String(state.page));
      window.history.replaceState(window.history.state, "", R.withLecture(url.href));
    }

    function key() {
      return `true=${state.true ?? ""}&predicted=${state.predicted ?? ""}&page=${state.page}`;
    }

    /* ----- filters and matrix ----- */

    function syncControls() {
      trueSelect.value = state.true === null ? "" : String(state.true);
      predictedSelect.value = state.predicted === null ? "" : String(state.predicted);
      for (const cell of cells) {
        const selected = Number(cell.dataset.true) === state.true && Number(cell.dataset.predicted) === state.predicted;
        cell.classList.toggle("is-selected", selected);
        cell.setAttribute("aria-pressed", String(selected));
      }
      matrix.querySelectorAll("th[data-row]").forEach((th) => th.classList.toggle("is-selected", Number(th.dataset.row) === state.true));
      matrix.querySelectorAll("th[data-col]").forEach((th) => th.classList.toggle("is-selected", Number(th.dataset.col) === state.predicted));
    }

    function setFilter(trueDigit, predictedDigit) {
      state.true = trueDigit;
      state.predicted = predictedDigit;
      state.page = 1;
      list.load();
    }

    trueSelect.addEventListener("change", () => setFilter(trueSelect.value === "" ? null : Number(trueSelect.value), state.predicted));
    predictedSelect.addEventListener("change", () => setFilter(state.true, predictedSelect.value === "" ? null : Number(predictedSelect.value)));
    form.addEventListener("submit", (event) => event.preventDefault());
    form.addEventListener("reset", (event) => {
      event.preventDefault();
      setFilter(null, null);
    });

    cells.forEach((cell) => {
      cell.addEventListener("click", () => {
        const t = Number(cell.dataset.true);
        const p = Number(cell.dataset.predicted);
        focusCell(cell);
        if (state.true === t && state.predicted === p) setFilter(null, null); // a second click shows all again
        else setFilter(t, p);
      });
    });

    function focusCell(cell) {
      cells.forEach((c) => (c.tabIndex = c === cell ? 0 : -1));
      cell.focus();
    }

    /* arrow keys move between the clickable cells (the diagonal is skipped): one tab stop for the matrix */
    matrix.addEventListener("keydown", (event) => {
      const cell = event.target.closest && event.target.closest("button.cell");
      if (!cell) return;
      let t = Number(cell.dataset.true);
      let p = Number(cell.dataset.predicted);
      const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      let target = null;
      if (event.key in moves) {
        const [dt, dp] = moves[event.key];
        do {
          t += dt;
          p += dp;
        } while (t === p && t >= 0 && t <= 9 && p >= 0 && p <= 9);
        target = cells.find((c) => Number(c.dataset.true) === t && Number(c.dataset.predicted) === p);
      } else if (event.key === "Home" || event.key === "End") {
        const row = cells.filter((c) => Number(c.dataset.true) === t);
        target = event.key === "Home" ? row[0] : row[row.length - 1];
      } else return;
      event.preventDefault();
      if (target) focusCell(target);
    });

    /* ----- the gallery ----- */

    const list = R.createPagedList({
      list: gallery,
      summary,
      noun: "misses",
      state,
      before: () => {
        syncControls();
        writeUrl();
      },
      key,
      url: () => {
        const params = new URLSearchParams({ page: String(state.page), per_page: String(PER_PAGE), model });
        if (state.true !== null) params.set("true", String(state.true));
        if (state.predicted !== null) params.set("predicted", String(state.predicted));
        return `/api/misses?${params}`;
      },
      render,
    });

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
        const li = document.createElement("li");
        li.className = "gallery-empty";
        li.dataset.testid = "gallery-empty";
        li.textContent =
          state.true !== null && state.true === state.predicted
            ? `Digits answered ${state.true} when they are ${state.true} are correct, not misses.`
            : `No misses here (${filter}): the model never made this mistake on the test set.`;
        gallery.appendChild(li);
        summary.textContent = `No misses for ${filter || "this filter"}.`;
      } else {
        summary.innerHTML = "";
        summary.append(...R.showingParts(data), data.total === 1 ? " miss" : " misses", filter ? ` (${filter})` : "");
        data.items.forEach((item, position) => gallery.appendChild(missItem(item, position)));
      }
    }

    function missItem(item, position) {
      const { li, button } = R.createDigitCard(item, "miss", "miss");
      button.dataset.predicted = String(item.predicted);
      const hidden = document.createElement("span");
      hidden.className = "sr-only";
      hidden.textContent = `Test digit ${item.index}: `;
      const title = document.createElement("span");
      title.className = "miss-title";
      title.dataset.testid = "miss-title";
      title.textContent = item.title;
      const conf = document.createElement("span");
      conf.className = "miss-conf";
      conf.textContent = `${R.percent(item.confidence)} sure`;
      button.append(hidden, title, conf);
      button.addEventListener("click", () => detailDialog.open(position, button));
      return li;
    }

    /* ----- the detail dialog ----- */

    const dialog = document.getElementById("miss-dialog");
    const detailTitle = document.getElementById("detail-title");
    const detailSub = document.getElementById("detail-sub");
    const announceEl = document.getElementById("announce");
    const answer = R.createPageAnswer();
    const grid = R.createPixelGrid(document.getElementById("model-input"));
    let detail = null; // {item, result}
    const player = R.createPagePlayer(showRow);
    const insideRoot = document.getElementById("inside"); // "Inside the LSTM" (recurrent models only)
    let inside = null;
    if (insideRoot) {
      import(insideRoot.dataset.module).then(({ createInsidePanel }) => {
        inside = createInsidePanel(insideRoot);
        if (detail && detail.result) inside.show(detail.result, detail.item.true);
      });
    }

    function showRow(row, final) {
      if (!detail || !detail.result) return;
      const { item, result } = detail;
      const probabilities = final || !result.steps ? result.probabilities : result.steps[row - 1];
      grid.setRow(final ? 0 : row);
      if (inside) inside.setRow(row, final);
      answer.bars.markTrue(item.true);
      const d = answer.showDigit(probabilities, final ? "" : "is-row");
      const wrong = d.digit !== item.true;
      answer.setMessage(
        final ? `Answered ${d.digit}, truly ${item.true}` : `${d.unsure ? "Unsure" : "Leaning"}: ${d.digit}${wrong ? "" : " (right so far)"}`
      );
      answer.setDetail(
        final
          ? `${R.percent(d.confidence)} sure · ${R.runnerUp(d)} · the true ${item.true}: ${R.percent(probabilities[item.true])}`
          : `After row ${row} of ${R.ROWS}: ${R.percent(d.confidence)} · true ${item.true}: ${R.percent(probabilities[item.true])}`
      );
    }

    const detailDialog = R.createDetailDialog({
      dialog,
      items: () => items,
      cards: () => gallery.querySelectorAll("button.miss"),
      reset: (item) => {
        detail = { item, result: null };
        detailTitle.textContent = item.title;
        detailSub.textContent = `Test digit #${item.index} · answered ${item.predicted} with ${R.percent(item.confidence)}`;
        answer.showEmpty("Reading…", "");
        if (inside) inside.clear("Reading…");
        player.setSteps(null);
        player.reset();
        grid.draw(null, 0);
      },
      load: async (item, request) => {
        const full = await R.api(`/api/misses/${item.index}?model=${encodeURIComponent(model)}`, { signal: request.signal });
        if (!request.current()) return;
        grid.draw(full.pixels, 0);
        const body = { pixels: full.pixels, model };
        if (wantSteps) body.steps = true;
        if (insideRoot) Object.assign(body, { explain: true, label: item.true }); // rows scored for the true digit
        const result = await R.api("/api/predict", { json: body, signal: request.signal });
        if (!request.current()) return;
        detail.result = result;
        grid.draw(result.input, 0);
        player.setSteps(result.steps || null);
        if (inside) inside.show(result, item.true);
        player.reset();
        const d = R.describe(result.probabilities);
        announceEl.textContent = `${item.title}: the model answers ${d.digit} with ${R.percent(d.confidence)}; the true digit is ${item.true}.`;
      },
      fail: (error) => answer.showError("Could not load this digit", error.message),
      onClose: () => player.stop(),
    });

    dialog.addEventListener("keydown", (event) => {
      if (event.defaultPrevented || R.isTypingTarget(event) || R.hasModifier(event)) return;
      player.handleKey(event);
    });
    document.addEventListener("rowscan:lecture", () => grid.redraw());

    list.load();
  }
})();
