/* Rowscan disagreements view (/misses?view=disagreements): the test digits the served models answer
   differently (GET /api/disagreements), each with every model's answer, the right ones ticked; paging;
   a detail view that reads the digit's pixels (its detail_url) and asks every model for its
   probabilities (POST /api/predict with pixels and model).

   The page lives in the URL (?view=disagreements&page=2, plus lecture=1). The list carries data-state
   (loading | ready | error) and data-key ("page=.."); the dialog carries data-state (loading | ready |
   error) and data-index. */
(function () {
  "use strict";

  const R = window.Rowscan;
  const PER_PAGE = 24;

  document.addEventListener("DOMContentLoaded", init);

  function init() {
    const list = document.getElementById("dis-gallery");
    const summary = document.getElementById("dis-summary");
    const prevButton = document.getElementById("page-prev");
    const nextButton = document.getElementById("page-next");
    const pageLabel = document.getElementById("page-label");
    const labels = {};
    document.querySelectorAll("[data-testid=detail-model]").forEach((el) => (labels[el.dataset.model] = el.dataset.label));
    const label = (name) => labels[name] || name.toUpperCase();

    const params = new URLSearchParams(window.location.search);
    const requested = Number(params.get("page"));
    const state = { page: Number.isInteger(requested) && requested >= 1 ? requested : 1 };
    let pages = 1;
    let items = [];
    let listSeq = 0;
    let listController = null;

    function writeUrl() {
      const url = new URL(window.location.href);
      url.searchParams.set("view", "disagreements");
      url.searchParams.delete("page");
      if (state.page > 1) url.searchParams.set("page", String(state.page));
      window.history.replaceState(window.history.state, "", R.withLecture(url.href));
    }

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

    /* ----- the list ----- */

    async function load() {
      writeUrl();
      const mine = ++listSeq;
      const wanted = `page=${state.page}`;
      if (listController) listController.abort();
      const controller = (listController = new AbortController());
      list.dataset.state = "loading";
      list.setAttribute("aria-busy", "true");
      try {
        const data = await R.api(`/api/disagreements?page=${state.page}&per_page=${PER_PAGE}`, { signal: controller.signal });
        if (mine !== listSeq) return;
        if (data.total > 0 && state.page > data.pages) {
          state.page = data.pages; // a page past the end (old link): show the last one
          load();
          return;
        }
        render(data);
        list.dataset.key = wanted;
        list.dataset.state = "ready";
      } catch (error) {
        if (error.name === "AbortError" || mine !== listSeq) return;
        list.textContent = "";
        summary.textContent = `Could not load the disagreements: ${error.message}`;
        list.dataset.key = wanted;
        list.dataset.state = "error";
      } finally {
        if (mine === listSeq) list.removeAttribute("aria-busy");
        if (listController === controller) listController = null;
      }
    }

    function render(data) {
      items = data.items;
      pages = data.pages;
      list.textContent = "";
      if (!data.total) {
        const li = document.createElement("li");
        li.className = "gallery-empty";
        li.dataset.testid = "disagreements-empty";
        li.textContent =
          data.models.length < 2
            ? "With one model there is nothing to disagree about."
            : "The models give the same answer on every test digit.";
        list.appendChild(li);
        summary.textContent = "No disagreements.";
      } else {
        const first = (data.page - 1) * data.per_page + 1;
        const last = first + data.items.length - 1;
        const strong = document.createElement("strong");
        strong.textContent = String(data.total);
        const allWrong = data.items.filter((item) => !item.correct.length).length;
        summary.textContent = "";
        summary.append(
          `Showing ${first}–${last} of `,
          strong,
          data.total === 1 ? " test digit" : " test digits",
          data.models.length === 2
            ? ` where ${label(data.models[0])} and ${label(data.models[1])} answer differently`
            : ` where ${data.models.map(label).join(", ")} do not all give the same answer`,
          allWrong ? ` (on this page, ${allWrong} that none of them gets right)` : ""
        );
        data.items.forEach((item, position) => list.appendChild(itemElement(item, data.models, position)));
      }
      pageLabel.textContent = `Page ${data.page} of ${data.pages}`;
      prevButton.disabled = data.page <= 1;
      nextButton.disabled = data.page >= data.pages;
    }

    function itemElement(item, models, position) {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "miss dis-item";
      button.dataset.testid = "disagreement-item";
      button.dataset.index = String(item.index);
      button.dataset.true = String(item.true);
      const img = document.createElement("img");
      img.src = item.image_url;
      img.alt = "";
      img.width = 28;
      img.height = 28;
      img.decoding = "async";
      const title = document.createElement("span");
      title.className = "miss-title";
      title.dataset.testid = "disagreement-true";
      title.textContent = `t:${item.true}`;
      const spoken = models
        .map((name) => `${label(name)} ${item.predictions[name]}${item.correct.includes(name) ? ", right" : ", wrong"}`)
        .join("; ");
      const hidden = document.createElement("span");
      hidden.className = "sr-only";
      hidden.textContent = `Test digit ${item.index}, truly ${item.true}: ${spoken}`;
      const answers = document.createElement("span");
      answers.className = "dis-answers";
      answers.setAttribute("aria-hidden", "true");
      for (const name of models) {
        const right = item.correct.includes(name);
        const row = document.createElement("span");
        row.className = "dis-answer" + (right ? " is-right" : " is-wrong");
        row.dataset.testid = "disagreement-answer";
        row.dataset.model = name;
        row.dataset.digit = String(item.predictions[name]);
        row.dataset.right = String(right);
        const who = document.createElement("span");
        who.className = "dis-model";
        who.textContent = label(name);
        const digit = document.createElement("span");
        digit.className = "dis-digit";
        digit.textContent = String(item.predictions[name]);
        const mark = document.createElement("span");
        mark.className = "dis-mark";
        mark.textContent = right ? "✓" : "✗";
        row.append(who, digit, mark);
        answers.appendChild(row);
      }
      button.append(img, title, hidden, answers);
      button.addEventListener("click", () => openDetail(position, button));
      li.appendChild(button);
      return li;
    }

    /* ----- the detail dialog: every model's probabilities for one digit ----- */

    const dialog = document.getElementById("dis-dialog");
    const detailTitle = document.getElementById("dis-detail-title");
    const detailSub = document.getElementById("dis-detail-sub");
    const announceEl = document.getElementById("announce");
    const detailPrev = document.getElementById("detail-prev");
    const detailNext = document.getElementById("detail-next");
    const grid = R.createPixelGrid(document.getElementById("dis-input"));
    const panels = Array.from(dialog.querySelectorAll("[data-testid=detail-model]")).map((el) => ({
      el,
      name: el.dataset.model,
      verdict: el.querySelector("[data-testid=detail-verdict]"),
      bars: R.createBars(el.querySelector("[data-testid=detail-probabilities]")),
    }));
    let detailPosition = -1;
    let detailSeq = 0;
    let detailController = null;
    let opener = null;

    function resetPanels(text) {
      for (const panel of panels) {
        panel.el.dataset.state = "loading";
        panel.el.classList.remove("is-right", "is-wrong");
        panel.verdict.textContent = text;
        panel.bars.markTrue(null);
        panel.bars.update(null, null);
      }
    }

    async function openDetail(position, button) {
      const item = items[position];
      if (!item) return;
      opener = button || opener;
      detailPosition = position;
      const mine = ++detailSeq;
      if (detailController) detailController.abort();
      const controller = (detailController = new AbortController());
      dialog.dataset.state = "loading";
      dialog.dataset.index = String(item.index);
      detailTitle.textContent = `t:${item.true}`;
      detailSub.textContent = `Test digit #${item.index} · ${
        item.correct.length ? `right: ${item.correct.map(label).join(", ")}` : "no model gets it right"
      } · the true digit is underlined`;
      resetPanels("Reading…");
      grid.draw(null, 0);
      detailPrev.disabled = position <= 0;
      detailNext.disabled = position >= items.length - 1;
      if (!dialog.open) dialog.showModal();
      try {
        const full = await R.api(item.detail_url, { signal: controller.signal });
        if (mine !== detailSeq) return;
        grid.draw(full.pixels, 0);
        const answers = await Promise.all(
          panels.map((panel) => R.api("/api/predict", { json: { pixels: full.pixels, model: panel.name }, signal: controller.signal }))
        );
        if (mine !== detailSeq) return;
        const spoken = [];
        answers.forEach((answer, i) => {
          const panel = panels[i];
          const d = R.describe(answer.probabilities);
          const right = d.digit === item.true;
          panel.el.dataset.state = "ready";
          panel.el.dataset.digit = String(d.digit);
          panel.el.classList.toggle("is-right", right);
          panel.el.classList.toggle("is-wrong", !right);
          panel.verdict.textContent = `${right ? "✓" : "✗"} ${d.digit} · ${R.percent(d.confidence)}${
            right ? "" : ` · true ${item.true}: ${R.percent(answer.probabilities[item.true])}`
          }`;
          panel.bars.markTrue(item.true);
          panel.bars.update(answer.probabilities, d.digit);
          spoken.push(`${label(panel.name)} ${d.digit} (${R.percent(d.confidence)}, ${right ? "right" : "wrong"})`);
        });
        grid.draw(answers[0].input, 0);
        dialog.dataset.state = "ready";
        announceEl.textContent = `Test digit ${item.index}, truly ${item.true}: ${spoken.join("; ")}.`;
      } catch (error) {
        if (error.name === "AbortError" || mine !== detailSeq) return;
        dialog.dataset.state = "error";
        resetPanels(`Could not load this digit: ${error.message}`);
        panels.forEach((panel) => (panel.el.dataset.state = "error"));
      } finally {
        if (detailController === controller) detailController = null;
      }
    }

    function closeDetail() {
      if (dialog.open) dialog.close();
    }

    dialog.addEventListener("close", () => {
      detailSeq += 1;
      if (detailController) detailController.abort();
      dialog.dataset.state = "closed";
      const back = list.querySelectorAll("button.dis-item")[detailPosition] || opener;
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
      if (event.key === "ArrowLeft" && detailPosition > 0) {
        event.preventDefault();
        openDetail(detailPosition - 1);
      } else if (event.key === "ArrowRight" && detailPosition < items.length - 1) {
        event.preventDefault();
        openDetail(detailPosition + 1);
      }
    });
    document.addEventListener("rowscan:lecture", () => grid.redraw());

    load();
  }
})();
