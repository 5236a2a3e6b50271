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
    const prevButton = document.getElementById("page-prev");
    const nextButton = document.getElementById("page-next");
    const pageLabel = document.getElementById("page-label");
    const matrix = document.getElementById("matrix");
    const cells = Array.from(matrix.querySelectorAll("button.cell"));

    const modelSelect = document.getElementById("model-select");
    if (modelSelect) {
      document.getElementById("model-submit").hidden = true; // without scripts the form's button submits
      modelSelect.addEventListener("change", () => {
        const url = new URL(window.location.href);
        url.searchParams.set("model", modelSelect.value);
        url.searchParams.delete("page"); // the same filters, from the first page
        window.location.assign(R.withLecture(url.href));
      });
    }

    const state = readUrl();
    let pages = 1;
    let items = [];
    let listController = null;
    let listSeq = 0;

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
      load();
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

    prevButton.addEventListener("click", () => {
      if (state.page > 1) {
        state.page -= 1;
        load();
      }
    });
    nextButton.addEventListener("click", () => {
      if (state.page < pages) {
        state.page += 1;
        load();
      }
    });

    /* ----- the gallery ----- */

    async function load() {
      syncControls();
      writeUrl();
      const mine = ++listSeq;
      const wanted = key();
      if (listController) listController.abort();
      const controller = (listController = new AbortController());
      gallery.dataset.state = "loading";
      gallery.setAttribute("aria-busy", "true");
      const params = new URLSearchParams({ page: String(state.page), per_page: String(PER_PAGE), model });
      if (state.true !== null) params.set("true", String(state.true));
      if (state.predicted !== null) params.set("predicted", String(state.predicted));
      try {
        const data = await R.api(`/api/misses?${params}`, { signal: controller.signal });
        if (mine !== listSeq) return;
        if (data.total > 0 && state.page > data.pages) {
          state.page = data.pages; // a page past the end (old link): show the last one
          load();
          return;
        }
        render(data);
        gallery.dataset.key = wanted;
        gallery.dataset.state = "ready";
      } catch (error) {
        if (error.name === "AbortError" || mine !== listSeq) return;
        gallery.textContent = "";
        summary.textContent = `Could not load the misses: ${error.message}`;
        gallery.dataset.key = wanted;
        gallery.dataset.state = "error";
      } finally {
        if (mine === listSeq) gallery.removeAttribute("aria-busy");
        if (listController === controller) listController = null;
      }
    }

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
      pages = data.pages;
      gallery.textContent = "";
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
        const first = (data.page - 1) * data.per_page + 1;
        const last = first + data.items.length - 1;
        summary.innerHTML = "";
        const strong = document.createElement("strong");
        strong.textContent = String(data.total);
        summary.append(
          `Showing ${first}–${last} of `,
          strong,
          data.total === 1 ? " miss" : " misses",
          filter ? ` (${filter})` : ""
        );
        data.items.forEach((item, position) => gallery.appendChild(missItem(item, position)));
      }
      pageLabel.textContent = `Page ${data.page} of ${data.pages}`;
      prevButton.disabled = data.page <= 1;
      nextButton.disabled = data.page >= data.pages;
    }

    function missItem(item, position) {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "miss";
      button.dataset.testid = "miss";
      button.dataset.index = String(item.index);
      button.dataset.true = String(item.true);
      button.dataset.predicted = String(item.predicted);
      const img = document.createElement("img");
      img.src = item.image_url;
      img.alt = "";
      img.width = 28;
      img.height = 28;
      img.decoding = "async";
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
      button.append(img, hidden, title, conf);
      button.addEventListener("click", () => openDetail(position, button));
      li.appendChild(button);
      return li;
    }

    /* ----- the detail dialog ----- */

    const dialog = document.getElementById("miss-dialog");
    const detailTitle = document.getElementById("detail-title");
    const detailSub = document.getElementById("detail-sub");
    const digitEl = document.getElementById("prediction");
    const messageEl = document.getElementById("message");
    const detailEl = document.getElementById("answer-detail");
    const announceEl = document.getElementById("announce");
    const detailPrev = document.getElementById("detail-prev");
    const detailNext = document.getElementById("detail-next");
    const bars = R.createBars(document.getElementById("bars"));
    const grid = R.createPixelGrid(document.getElementById("model-input"));
    let detail = null; // {item, result}
    let detailPosition = -1;
    let detailSeq = 0;
    let detailController = null;
    let opener = null;

    const player = R.createRowPlayer({
      slider: document.getElementById("row-slider"),
      play: document.getElementById("play"),
      readout: document.getElementById("row-readout"),
      timeline: document.getElementById("timeline"),
      onRow: showRow,
    });

    function showRow(row, final) {
      if (!detail || !detail.result) return;
      const { item, result } = detail;
      const probabilities = final || !result.steps ? result.probabilities : result.steps[row - 1];
      grid.setRow(final ? 0 : row);
      const d = R.describe(probabilities);
      digitEl.textContent = String(d.digit);
      const wrong = d.digit !== item.true;
      digitEl.className = "big-digit" + (d.unsure ? " is-unsure" : "") + (final ? "" : " is-row");
      messageEl.className = "message" + (d.unsure ? " is-unsure" : "");
      messageEl.textContent = final
        ? `Answered ${d.digit}, truly ${item.true}`
        : `${d.unsure ? "Unsure" : "Leaning"}: ${d.digit}${wrong ? "" : " (right so far)"}`;
      const second = `next: ${d.second} (${R.percent(d.secondConfidence)})`;
      detailEl.textContent = final
        ? `${R.percent(d.confidence)} sure · ${second} · the true ${item.true}: ${R.percent(probabilities[item.true])}`
        : `After row ${row} of ${R.ROWS}: ${R.percent(d.confidence)} · true ${item.true}: ${R.percent(probabilities[item.true])}`;
      bars.markTrue(item.true);
      bars.update(probabilities, d.digit);
    }

    async function openDetail(position, button) {
      const item = items[position];
      if (!item) return;
      opener = button || opener;
      detailPosition = position;
      const mine = ++detailSeq;
      if (detailController) detailController.abort();
      const controller = (detailController = new AbortController());
      detail = { item, result: null };
      dialog.dataset.state = "loading";
      dialog.dataset.index = String(item.index);
      detailTitle.textContent = item.title;
      detailSub.textContent = `Test digit #${item.index} · answered ${item.predicted} with ${R.percent(item.confidence)}`;
      digitEl.textContent = "–";
      digitEl.className = "big-digit is-empty";
      messageEl.className = "message";
      messageEl.textContent = "Reading…";
      detailEl.textContent = "";
      bars.update(null, null);
      player.setSteps(null);
      player.reset();
      grid.draw(null, 0);
      detailPrev.disabled = position <= 0;
      detailNext.disabled = position >= items.length - 1;
      if (!dialog.open) dialog.showModal();
      try {
        const full = await R.api(`/api/misses/${item.index}?model=${encodeURIComponent(model)}`, { signal: controller.signal });
        if (mine !== detailSeq) return;
        grid.draw(full.pixels, 0);
        const body = { pixels: full.pixels, model };
        if (wantSteps) body.steps = true;
        const result = await R.api("/api/predict", { json: body, signal: controller.signal });
        if (mine !== detailSeq) return;
        detail.result = result;
        grid.draw(result.input, 0);
        player.setSteps(result.steps || null);
        player.reset();
        dialog.dataset.state = "ready";
        const d = R.describe(result.probabilities);
        announceEl.textContent = `${item.title}: the model answers ${d.digit} with ${R.percent(d.confidence)}; the true digit is ${item.true}.`;
      } catch (error) {
        if (error.name === "AbortError" || mine !== detailSeq) return;
        dialog.dataset.state = "error";
        messageEl.className = "message is-error";
        messageEl.textContent = "Could not load this digit";
        detailEl.textContent = error.message;
      } finally {
        if (detailController === controller) detailController = null;
      }
    }

    function closeDetail() {
      if (dialog.open) dialog.close();
    }

    dialog.addEventListener("close", () => {
      player.stop();
      detailSeq += 1;
      if (detailController) detailController.abort();
      dialog.dataset.state = "closed";
      const back = gallery.querySelectorAll("button.miss")[detailPosition] || opener;
      if (back) back.focus();
    });
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) closeDetail(); // a click on the backdrop
    });
    document.getElementById("detail-close").addEventListener("click", closeDetail);
    detailPrev.addEventListener("click", () => openDetail(detailPosition - 1));
    detailNext.addEventListener("click", () => openDetail(detailPosition + 1));
    dialog.addEventListener("keydown", (event) => {
      if (event.defaultPrevented || R.isTypingTarget(event) || R.hasModifier(event)) return;
      const tag = event.target && event.target.tagName;
      if ((event.key === " " && tag !== "BUTTON") || event.key === "p" || event.key === "P") {
        event.preventDefault();
        player.toggle();
      } else if ((event.key === "ArrowLeft" || event.key === "ArrowRight") && tag !== "INPUT") {
        event.preventDefault();
        player.step(event.key === "ArrowLeft" ? -1 : 1);
      }
    });
    document.addEventListener("rowscan:lecture", () => grid.redraw());

    load();
  }
})();
