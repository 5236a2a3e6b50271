/* The page shell every page loads: lecture mode (the "lecture" class on <html>, ?lecture=1 in this page's URL
   and in its links), fullscreen, the L and F keys, and what the page scripts share about the URL and the
   screen-reader announcer. Importing it wires the header's buttons (base.html). */

import { onKeys } from "./keys.js";

const html = document.documentElement;

/* ---------- lecture mode ---------- */

export const isLecture = () => html.classList.contains("lecture");

/** `href` with ?lecture=1 when lecture mode is on, without it when off (same-origin links stay relative). */
export function withLecture(href) {
  const url = new URL(href, window.location.href);
  if (isLecture()) url.searchParams.set("lecture", "1");
  else url.searchParams.delete("lecture");
  return url.origin === window.location.origin ? url.pathname + url.search + url.hash : url.href;
}

/** Replace this page's URL (no new history entry) with `url`, lecture mode kept. */
export function replaceUrl(url) {
  window.history.replaceState(window.history.state, "", withLecture(url.href));
}

function setLecture(on) {
  html.classList.toggle("lecture", on);
  const toggle = document.getElementById("lecture-toggle");
  if (toggle) toggle.setAttribute("aria-pressed", String(on));
  document.querySelectorAll("a[data-keep-lecture]").forEach((a) => {
    a.setAttribute("href", withLecture(a.getAttribute("href")));
  });
  replaceUrl(new URL(window.location.href));
  document.dispatchEvent(new CustomEvent("rowscan:lecture", { detail: { on } }));
}

/** fn() after lecture mode was turned on or off (canvases repaint for the new size and colours). */
export const onLectureChange = (fn) => document.addEventListener("rowscan:lecture", fn);

/* ---------- fullscreen ---------- */

function toggleFullscreen() {
  if (!document.fullscreenEnabled) return;
  const done = document.fullscreenElement ? document.exitFullscreen() : html.requestFullscreen();
  if (done && done.catch) done.catch(() => {}); // refused (e.g. not from a user gesture): nothing to do
}

function setupFullscreen(button) {
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
  button.addEventListener("click", toggleFullscreen);
  document.addEventListener("fullscreenchange", sync);
  sync();
}

/* ---------- the screen-reader announcer ---------- */

/** say(text) puts `text` into the aria-live element `el`; unchanged words are not repeated unless `again`. */
export function createAnnouncer(el) {
  return {
    say(text, { again = false } = {}) {
      if (again || el.textContent !== text) el.textContent = text;
    },
  };
}

/* ---------- start-up ---------- */

const lectureToggle = document.getElementById("lecture-toggle");
if (lectureToggle) lectureToggle.addEventListener("click", () => setLecture(!isLecture()));
setupFullscreen(document.getElementById("fullscreen-toggle"));
onKeys((event) => {
  if (event.key === "l" || event.key === "L") {
    event.preventDefault();
    setLecture(!isLecture());
  } else if (event.key === "f" || event.key === "F") {
    event.preventDefault();
    toggleFullscreen();
  }
});
