/* Rowscan: what every page shares. Lecture mode, fullscreen, the JSON API, the model chooser, the row-by-row
   view (probability bars, the 28x28 pixel grid, the row player, the answer block) used by the draw, compare and
   misses pages, and the galleries of test digits (paged list, cards, detail dialog) of the misses page.
   Plain ES2020, no build step, nothing loaded from other origins. */
(function () {
  "use strict";

  const Rowscan = (window.Rowscan = {});
  const html = document.documentElement;
  const ROWS = 28;
  Rowscan.ROWS = ROWS;
  Rowscan.UNSURE_BELOW = 0.6;

  /* ---------- small helpers ---------- */

  Rowscan.isTypingTarget = function (event) {
    const t = event.target;
    if (!t || !t.tagName) return false;
    if (t.isContentEditable) return true;
    if (t.tagName === "TEXTAREA" || t.tagName === "SELECT") return true;
    if (t.tagName === "INPUT") return !["range", "checkbox", "radio", "button", "submit", "reset"].includes(t.type);
    return false;
  };

  Rowscan.hasModifier = (event) => event.ctrlKey || event.metaKey || event.altKey;

  /** "99.9%", "42%", "<1%", "0%": high values floored so 99.96% never reads as a certain 100%. */
  Rowscan.percent = function (p) {
    if (!(p > 0)) return "0%";
    if (p < 0.01) return "<1%";
    if (p >= 0.99) return Math.min(99.9, Math.floor(p * 1000) / 10).toFixed(1) + "%"; // float32 rounds some to 1.0
    return Math.round(p * 100) + "%";
  };

  Rowscan.argmax = function (values) {
    let best = 0;
    for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
    return best;
  };

  /** The top two digits and the honest words for them. */
  Rowscan.describe = function (probabilities) {
    const order = probabilities.map((p, d) => [p, d]).sort((a, b) => b[0] - a[0]);
    const [first, second] = order;
    const unsure = first[0] < Rowscan.UNSURE_BELOW;
    return {
      digit: first[1],
      confidence: first[0],
      second: second[1],
      secondConfidence: second[0],
      unsure,
      message: unsure ? `Not sure: ${first[1]} or ${second[1]}?` : `It's ${first[1] === 8 ? "an" : "a"} ${first[1]}`,
    };
  };

  /** JSON in, JSON out; errors carry the API's message ({"error": ..., "code": ...}). */
  Rowscan.api = async function (path, options = {}) {
    const headers = { Accept: "application/json", ...options.headers };
    const init = { method: options.method || "GET", headers, signal: options.signal };
    if (options.json !== undefined) {
      init.method = options.method || "POST";
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.json);
    }
    const response = await fetch(path, init);
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      data = null;
    }
    if (!response.ok) {
      const error = new Error((data && data.error) || `The server answered ${response.status}`);
      error.status = response.status;
      error.code = data && data.code;
      throw error;
    }
    return data;
  };

  /* ---------- lecture mode: class on <html>, ?lecture=1 in this page's URL and in the links ---------- */

  Rowscan.isLecture = () => html.classList.contains("lecture");

  Rowscan.withLecture = function (href) {
    const url = new URL(href, window.location.href);
    if (Rowscan.isLecture()) url.searchParams.set("lecture", "1");
    else url.searchParams.delete("lecture");
    return url.origin === window.location.origin ? url.pathname + url.search + url.hash : url.href;
  };

  function setLecture(on) {
    html.classList.toggle("lecture", on);
    const toggle = document.getElementById("lecture-toggle");
    if (toggle) toggle.setAttribute("aria-pressed", String(on));
    document.querySelectorAll("a[data-keep-lecture]").forEach((a) => {
      a.setAttribute("href", Rowscan.withLecture(a.getAttribute("href")));
    });
    window.history.replaceState(window.history.state, "", Rowscan.withLecture(window.location.href));
    document.dispatchEvent(new CustomEvent("rowscan:lecture", { detail: { on } }));
  }
  Rowscan.setLecture = setLecture;

  /* ---------- the model chooser (misses page, model page) ---------- */

  /**
   * Choosing a model in #model-select loads this page again for it (lecture mode kept); without scripts the
   * form's #model-submit button does it, so that button is hidden. `drop`: query parameters not carried over.
   */
  Rowscan.setupModelSelect = function (drop = []) {
    const select = document.getElementById("model-select");
    if (!select) return;
    document.getElementById("model-submit").hidden = true;
    select.addEventListener("change", () => {
      const url = new URL(window.location.href);
      url.searchParams.set("model", select.value);
      drop.forEach((name) => url.searchParams.delete(name));
      window.location.assign(Rowscan.withLecture(url.href));
    });
  };

  /* ---------- fullscreen ---------- */

  function setupFullscreen() {
    const button = document.getElementById("fullscreen-toggle");
    if (!document.fullscreenEnabled) {
      html.classList.add("no-fullscreen");
      return;
    }
    button.hidden = false;
    const label = button.querySelector(".btn-text");
    const sync = () => {
      const on = Boolean(document.fullscreenElement);
      button.setAttribute("aria-pressed", String(on));
      label.textContent = on ? "Exit fullscreen" : "Fullscreen";
    };
    button.addEventListener("click", Rowscan.toggleFullscreen);
    document.addEventListener("fullscreenchange", sync);
    sync();
  }

  Rowscan.toggleFullscreen = function () {
    if (!document.fullscreenEnabled) return;
    const done = document.fullscreenElement ? document.exitFullscreen() : html.requestFullscreen();
    if (done && done.catch) done.catch(() => {}); // refused (e.g. not from a user gesture): nothing to do
  };

  /* ---------- probability bars ---------- */

  /** Ten vertical bars in `container`; update(probabilities, highlightDigit). */
  Rowscan.createBars = function (container) {
    container.textContent = "";
    const bars = [];
    for (let digit = 0; digit < 10; digit++) {
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
        value.textContent = probabilities ? Rowscan.percent(p) : "";
        bar.dataset.p = p.toFixed(6);
        bar.classList.toggle("is-top", probabilities != null && digit === top);
        bar.classList.toggle("has-value", probabilities != null && p >= 0.05);
        const truth = bar.classList.contains("is-true") ? " (the true digit)" : "";
        bar.setAttribute("aria-label", probabilities ? `${digit}${truth}: ${Rowscan.percent(p)}` : `${digit}: no answer yet`);
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
  };

  /* ---------- the 28x28 grid the model reads ---------- */

  /** draw(pixels 28x28 in [0,1] light-on-dark, row 1..28 to highlight or 0 for none). */
  Rowscan.createPixelGrid = function (canvas) {
    const ctx = canvas.getContext("2d");
    const small = document.createElement("canvas");
    small.width = ROWS;
    small.height = ROWS;
    const smallCtx = small.getContext("2d");
    const image = smallCtx.createImageData(ROWS, ROWS);
    let current = null;
    let currentRow = 0;

    function cssVar(name, fallback) {
      const value = getComputedStyle(canvas).getPropertyValue(name).trim();
      return value || fallback;
    }

    /** Match the canvas to its displayed size (a multiple of 28 device pixels): no resampling, crisp cells. */
    function fit() {
      const css = canvas.getBoundingClientRect().width;
      if (!css) return;
      const dpr = Math.min(window.devicePixelRatio || 1, 3);
      const size = ROWS * Math.max(4, Math.round((css * dpr) / ROWS));
      if (canvas.width !== size) {
        canvas.width = size;
        canvas.height = size;
      }
    }

    function draw(pixels, row) {
      current = pixels;
      currentRow = row || 0;
      fit();
      const size = canvas.width;
      const cell = size / ROWS;
      for (let r = 0; r < ROWS; r++) {
        for (let c = 0; c < ROWS; c++) {
          const v = pixels ? Math.round(255 * Math.max(0, Math.min(1, Number(pixels[r][c]) || 0))) : 0;
          const i = 4 * (r * ROWS + c);
          image.data[i] = image.data[i + 1] = image.data[i + 2] = v;
          image.data[i + 3] = 255;
        }
      }
      smallCtx.putImageData(image, 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(small, 0, 0, size, size);

      ctx.strokeStyle = "rgba(255,255,255,0.09)";
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (let k = 1; k < ROWS; k++) {
        const at = Math.round(k * cell) + 0.5;
        ctx.moveTo(at, 0);
        ctx.lineTo(at, size);
        ctx.moveTo(0, at);
        ctx.lineTo(size, at);
      }
      ctx.stroke();

      if (currentRow > 0) {
        const top = (currentRow - 1) * cell;
        // rows not read yet: dimmed
        ctx.fillStyle = "rgba(0,0,0,0.72)";
        ctx.fillRect(0, top + cell, size, size - top - cell);
        // the row being read
        ctx.fillStyle = "rgba(255,213,74,0.22)";
        ctx.fillRect(0, top, size, cell);
        ctx.strokeStyle = cssVar("--row-highlight", "#ffd54a");
        ctx.lineWidth = Math.max(2, cell / 5);
        ctx.strokeRect(ctx.lineWidth / 2, top, size - ctx.lineWidth, cell);
      }
      canvas.dataset.row = String(currentRow);
      canvas.dataset.filled = pixels ? "true" : "false";
    }
    draw(null, 0);
    if ("ResizeObserver" in window) {
      let lastWidth = 0;
      new ResizeObserver((entries) => {
        const width = entries[0].contentRect.width;
        if (width && width !== lastWidth) {
          lastWidth = width;
          draw(current, currentRow);
        }
      }).observe(canvas);
    }
    return {
      draw,
      setRow: (row) => draw(current, row),
      redraw: () => draw(current, currentRow),
    };
  };

  /* ---------- the row player: play/pause, slider 1..28, timeline ---------- */

  /**
   * options: {slider, play, readout, timeline, onRow(row, final)}.
   * setSteps(steps 28x10 | null) enables it; reset() returns to the final answer (row 28, stopped).
   */
  Rowscan.createRowPlayer = function (options) {
    const { slider, play, readout, timeline, onRow } = options;
    const interval = options.interval || 320;
    let steps = null;
    let timer = null;
    const cells = [];

    if (timeline) {
      timeline.textContent = "";
      for (let r = 1; r <= ROWS; r++) {
        const cell = document.createElement("span");
        cell.className = "tl-cell";
        cell.dataset.row = String(r);
        cell.title = `After row ${r}`;
        timeline.appendChild(cell);
        cells.push(cell);
        cell.addEventListener("click", () => {
          if (!steps) return;
          stop();
          setRow(r);
        });
      }
    }

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
      cells.forEach((cell, i) => {
        cell.classList.toggle("is-current", steps != null && i + 1 === r && !final);
        cell.classList.toggle("is-read", steps != null && i + 1 <= r);
      });
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
      cells.forEach((cell, i) => {
        if (!steps) {
          cell.textContent = "";
          cell.className = "tl-cell";
          return;
        }
        const p = steps[i];
        const d = Rowscan.argmax(p);
        cell.textContent = String(d);
        cell.className = "tl-cell conf-" + Math.min(4, Math.floor(p[d] * 5));
      });
      if (!steps) stop();
    }

    function reset() {
      stop();
      slider.value = String(ROWS);
      render();
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

    function step(delta) {
      if (!steps) return;
      stop();
      setRow(row() + delta);
    }

    slider.addEventListener("input", () => {
      stop();
      render();
    });
    play.addEventListener("click", toggle);

    return {
      setSteps,
      reset,
      toggle,
      stop,
      handleKey,
      step,
      row,
      steps: () => steps,
      isFinal: () => row() >= ROWS && !playing(),
    };
  };

  /** The row player wired to the page's standard controls (#row-slider, #play, #row-readout, #timeline if any). */
  Rowscan.createPagePlayer = function (onRow) {
    return Rowscan.createRowPlayer({
      slider: document.getElementById("row-slider"),
      play: document.getElementById("play"),
      readout: document.getElementById("row-readout"),
      timeline: document.getElementById("timeline"),
      onRow,
    });
  };

  /* ---------- the answer: big digit, its words, the ten bars ---------- */

  /**
   * The answer block of the draw page, the misses dialog and each compare panel, so they all show a digit
   * the same way. elements: {digit, message, detail, bars (the bars' container)}; the caller writes the words.
   */
  Rowscan.createAnswerView = function (elements) {
    const { digit: digitEl, message: messageEl, detail: detailEl } = elements;
    const bars = Rowscan.createBars(elements.bars);

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
      const d = Rowscan.describe(probabilities);
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
  };

  /** The answer block with the page's standard ids (#prediction, #message, #answer-detail, #bars): draw page, misses dialog. */
  Rowscan.createPageAnswer = function () {
    return Rowscan.createAnswerView({
      digit: document.getElementById("prediction"),
      message: document.getElementById("message"),
      detail: document.getElementById("answer-detail"),
      bars: document.getElementById("bars"),
    });
  };

  /** "next: 4 (12%)": the runner-up, as every answer's detail line words it. */
  Rowscan.runnerUp = (d) => `next: ${d.second} (${Rowscan.percent(d.secondConfidence)})`;

  /* ---------- requests where only the latest counts ---------- */

  /**
   * start() aborts the request before and returns {signal, current()}: current() stays true until the next
   * start() or cancel(), so a slow old answer never replaces a newer one (gallery pages, detail dialogs).
   */
  Rowscan.createLatest = function () {
    let seq = 0;
    let controller = null;
    return {
      start() {
        const mine = ++seq;
        if (controller) controller.abort();
        controller = new AbortController();
        return { signal: controller.signal, current: () => mine === seq };
      },
      cancel() {
        seq += 1;
        if (controller) controller.abort();
      },
    };
  };

  /* ---------- galleries of test digits: paged list, cards, detail dialog ---------- */

  /**
   * A paged list of test digits from the API (the misses gallery, the disagreements), with the page's
   * #page-prev, #page-next and #page-label. options: {list, summary, noun ("misses"), state ({page}),
   * before() (sync the URL and controls), url(), key(), render(data)}. The list carries data-state
   * (loading | ready | error), data-key (what it shows) and aria-busy while loading.
   */
  Rowscan.createPagedList = function (options) {
    const { list, summary, noun, state } = options;
    const prev = document.getElementById("page-prev");
    const next = document.getElementById("page-next");
    const pageLabel = document.getElementById("page-label");
    const latest = Rowscan.createLatest();
    let pages = 1;

    async function load() {
      options.before();
      const request = latest.start();
      const wanted = options.key();
      list.dataset.state = "loading";
      list.setAttribute("aria-busy", "true");
      try {
        const data = await Rowscan.api(options.url(), { signal: request.signal });
        if (!request.current()) return;
        if (data.total > 0 && state.page > data.pages) {
          state.page = data.pages; // a page past the end (old link): show the last one
          load();
          return;
        }
        pages = data.pages;
        list.textContent = "";
        options.render(data);
        pageLabel.textContent = `Page ${data.page} of ${data.pages}`;
        prev.disabled = data.page <= 1;
        next.disabled = data.page >= data.pages;
        list.dataset.key = wanted;
        list.dataset.state = "ready";
      } catch (error) {
        if (error.name === "AbortError" || !request.current()) return;
        list.textContent = "";
        summary.textContent = `Could not load the ${noun}: ${error.message}`;
        list.dataset.key = wanted;
        list.dataset.state = "error";
      } finally {
        if (request.current()) list.removeAttribute("aria-busy");
      }
    }

    prev.addEventListener("click", () => {
      if (state.page > 1) {
        state.page -= 1;
        load();
      }
    });
    next.addEventListener("click", () => {
      if (state.page < pages) {
        state.page += 1;
        load();
      }
    });

    return { load };
  };

  /** "Showing 1–24 of <strong>130</strong>": the start of a paged list's summary line. */
  Rowscan.showingParts = function (data) {
    const first = (data.page - 1) * data.per_page + 1;
    const last = first + data.items.length - 1;
    const strong = document.createElement("strong");
    strong.textContent = String(data.total);
    return [`Showing ${first}–${last} of `, strong];
  };

  /** A gallery card: <li><button> with the test digit's 28x28 image; the caller appends the words. */
  Rowscan.createDigitCard = function (item, className, testid) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = className;
    button.dataset.testid = testid;
    button.dataset.index = String(item.index);
    button.dataset.true = String(item.true);
    const img = document.createElement("img");
    img.src = item.image_url;
    img.alt = "";
    img.width = 28;
    img.height = 28;
    img.decoding = "async";
    button.appendChild(img);
    li.appendChild(button);
    return { li, button };
  };

  /**
   * The detail dialog of a gallery: open(position, card) shows items()[position]; Previous/Next (#detail-prev,
   * #detail-next), Close (#detail-close) and the backdrop; on close, focus goes back to the card.
   * options: {dialog, items(), cards() (the gallery's buttons in order), reset(item), load(item, request)
   * (async; request.current() is false once another digit is opened), fail(error), onClose()}.
   * The dialog carries data-state (loading | ready | error | closed) and data-index.
   */
  Rowscan.createDetailDialog = function (options) {
    const { dialog } = options;
    const prev = document.getElementById("detail-prev");
    const next = document.getElementById("detail-next");
    const latest = Rowscan.createLatest();
    let position = -1;
    let opener = null;

    async function open(at, card) {
      const items = options.items();
      const item = items[at];
      if (!item) return;
      opener = card || opener;
      position = at;
      const request = latest.start();
      dialog.dataset.state = "loading";
      dialog.dataset.index = String(item.index);
      options.reset(item);
      prev.disabled = at <= 0;
      next.disabled = at >= items.length - 1;
      if (!dialog.open) dialog.showModal();
      try {
        await options.load(item, request);
        if (request.current()) dialog.dataset.state = "ready";
      } catch (error) {
        if (error.name === "AbortError" || !request.current()) return;
        dialog.dataset.state = "error";
        options.fail(error);
      }
    }

    function close() {
      if (dialog.open) dialog.close();
    }

    dialog.addEventListener("close", () => {
      if (options.onClose) options.onClose();
      latest.cancel();
      dialog.dataset.state = "closed";
      const back = options.cards()[position] || opener;
      if (back) back.focus();
    });
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) close(); // a click on the backdrop
    });
    document.getElementById("detail-close").addEventListener("click", close);
    prev.addEventListener("click", () => open(position - 1));
    next.addEventListener("click", () => open(position + 1));

    return { open, position: () => position };
  };

  /* ---------- start-up ---------- */

  document.addEventListener("DOMContentLoaded", () => {
    const toggle = document.getElementById("lecture-toggle");
    if (toggle) toggle.addEventListener("click", () => setLecture(!Rowscan.isLecture()));
    setupFullscreen();
    document.addEventListener("keydown", (event) => {
      if (event.defaultPrevented || Rowscan.isTypingTarget(event) || Rowscan.hasModifier(event)) return;
      if (event.key === "l" || event.key === "L") {
        event.preventDefault();
        setLecture(!Rowscan.isLecture());
      } else if (event.key === "f" || event.key === "F") {
        event.preventDefault();
        Rowscan.toggleFullscreen();
      }
    });
  });
})();
