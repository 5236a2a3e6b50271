/* Galleries of test digits (the misses, the disagreements): a paged list from the API whose page lives in
   the URL, and the cards of its digits. The `pager` macro of _macros.html renders Previous / Next. */

import { createLatest, api } from "../core/api.js";
import { replaceUrl } from "../core/shell.js";

/** ?page= of this page's URL: a whole number from 1, else 1. */
export function pageFromUrl(params = new URLSearchParams(window.location.search)) {
  const page = Number(params.get("page"));
  return Number.isInteger(page) && page >= 1 ? page : 1;
}

/** Write the gallery's state into this page's URL: edit(url) sets what it shows; ?page= only past page 1. */
export function writeGalleryUrl(page, edit) {
  const url = new URL(window.location.href);
  url.searchParams.delete("page");
  edit(url);
  if (page > 1) url.searchParams.set("page", String(page));
  replaceUrl(url);
}

/**
 * A paged list of test digits. elements: {list, summary, prev, next, label}; options: {noun ("misses"),
 * state ({page}), before() (sync the URL and controls), url(), key(), render(data), headers() (optional)}. The list carries
 * data-state (loading | ready | error), data-key (what it shows) and aria-busy while loading.
 */
export function createPagedList(elements, options) {
  const { list, summary, prev, next, label } = elements;
  const { noun, state } = options;
  const latest = createLatest();
  let pages = 1;

  async function load() {
    options.before();
    const request = latest.start();
    const wanted = options.key();
    list.dataset.state = "loading";
    list.setAttribute("aria-busy", "true");
    try {
      const data = await api(options.url(), { signal: request.signal, headers: options.headers && options.headers() });
      if (!request.current()) return;
      if (data.total > 0 && state.page > data.pages) {
        state.page = data.pages; // a page past the end (old link): show the last one
        load();
        return;
      }
      pages = data.pages;
      list.textContent = "";
      options.render(data);
      label.textContent = `Page ${data.page} of ${data.pages}`;
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
}

/** The buttons and label of the `pager` macro inside `root`. */
export function pagerElements(root) {
  const find = (testid) => root.querySelector(`[data-testid=${testid}]`);
  return { prev: find("page-prev"), next: find("page-next"), label: find("page-label") };
}

/** "Showing 1–24 of <strong>130</strong>": the start of a paged list's summary line. */
export function showingParts(data) {
  const first = (data.page - 1) * data.per_page + 1;
  const last = first + data.items.length - 1;
  const strong = document.createElement("strong");
  strong.textContent = String(data.total);
  return [`Showing ${first}–${last} of `, strong];
}

/** The "nothing here" line of an empty gallery. */
export function emptyItem(testid, text) {
  const li = document.createElement("li");
  li.className = "gallery-empty";
  li.dataset.testid = testid;
  li.textContent = text;
  return li;
}

/** A gallery card: <li><button> with the test digit's 28x28 image; the caller appends the words. */
export function createDigitCard(item, className, testid) {
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
}

/** A <span class=...> with `text` (the words on the cards). */
export function span(className, text) {
  const el = document.createElement("span");
  el.className = className;
  el.textContent = text;
  return el;
}
