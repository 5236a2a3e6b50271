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
    const labels = {};
    document.querySelectorAll("[data-testid=detail-model]").forEach((el) => (labels[el.dataset.model] = el.dataset.label));
    const label = (name) => labels[name] || name.toUpperCase();

    const params = new URLSearchParams(window.location.search);
    const requested = Number(params.get("page"));
    const state = { page: Number.isInteger(requested) && requested >= 1 ? requested : 1 };
    let items = [];

    function writeUrl() {
      const url = new URL(window.location.href);
      url.searchParams.set("view", "disagreements");
      url.searchParams.delete("page");
      if (state.page > 1) url.searchParams.set("page", String(state.page));
      window.history.replaceState(window.history.state, "", R.withLecture(url.href));
    }

    /* ----- the list ----- */

    const pagedList = R.createPagedList({
      list,
      summary,
      noun: "disagreements",
      state,
      before: writeUrl,
      key: () => `page=${state.page}`,
      url: () => `/api/disagreements?page=${state.page}&per_page=${PER_PAGE}`,
      render,
    });

    function render(data) {
      items = data.items;
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
        const allWrong = data.items.filter((item) => !item.correct.length).length;
        summary.textContent = "";
        summary.append(
          ...R.showingParts(data),
          data.total === 1 ? " test digit" : " test digits",
          data.models.length === 2
            ? ` where ${label(data.models[0])} and ${label(data.models[1])} answer differently`
            : ` where ${data.models.map(label).join(", ")} do not all give the same answer`,
          allWrong ? ` (on this page, ${allWrong} that none of them gets right)` : ""
        );
        data.items.forEach((item, position) => list.appendChild(itemElement(item, data.models, position)));
      }
    }

    function itemElement(item, models, position) {
      const { li, button } = R.createDigitCard(item, "miss dis-item", "disagreement-item");
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
      button.append(title, hidden, answers);
      button.addEventListener("click", () => detailDialog.open(position, button));
      return li;
    }

    /* ----- the detail dialog: every model's probabilities for one digit ----- */

    const dialog = document.getElementById("dis-dialog");
    const detailTitle = document.getElementById("dis-detail-title");
    const detailSub = document.getElementById("dis-detail-sub");
    const announceEl = document.getElementById("announce");
    const grid = R.createPixelGrid(document.getElementById("dis-input"));
    const panels = Array.from(dialog.querySelectorAll("[data-testid=detail-model]")).map((el) => ({
      el,
      name: el.dataset.model,
      verdict: el.querySelector("[data-testid=detail-verdict]"),
      bars: R.createBars(el.querySelector("[data-testid=detail-probabilities]")),
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

    const detailDialog = R.createDetailDialog({
      dialog,
      items: () => items,
      cards: () => list.querySelectorAll("button.dis-item"),
      reset: (item) => {
        detailTitle.textContent = `t:${item.true}`;
        detailSub.textContent = `Test digit #${item.index} · ${
          item.correct.length ? `right: ${item.correct.map(label).join(", ")}` : "no model gets it right"
        } · the true digit is underlined`;
        resetPanels("Reading…");
        grid.draw(null, 0);
      },
      load: async (item, request) => {
        const full = await R.api(item.detail_url, { signal: request.signal });
        if (!request.current()) return;
        grid.draw(full.pixels, 0);
        const answers = await Promise.all(
          panels.map((panel) => R.api("/api/predict", { json: { pixels: full.pixels, model: panel.name }, signal: request.signal }))
        );
        if (!request.current()) return;
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
        announceEl.textContent = `Test digit ${item.index}, truly ${item.true}: ${spoken.join("; ")}.`;
      },
      fail: (error) => {
        resetPanels(`Could not load this digit: ${error.message}`);
        panels.forEach((panel) => (panel.el.dataset.state = "error"));
      },
    });

    dialog.addEventListener("keydown", (event) => {
      if (event.defaultPrevented || R.isTypingTarget(event) || R.hasModifier(event)) return;
      const position = detailDialog.position();
      if (event.key === "ArrowLeft" && position > 0) {
        event.preventDefault();
        detailDialog.open(position - 1);
      } else if (event.key === "ArrowRight" && position < items.length - 1) {
        event.preventDefault();
        detailDialog.open(position + 1);
      }
    });
    document.addEventListener("rowscan:lecture", () => grid.redraw());

    pagedList.load();
  }
})();
