/* "Wrong? It's a …": after an answer, the person can say which digit they drew (buttons, touch, or keys
   0-9), or confirm a right answer. Only that act stores anything: POST /api/samples with the drawing, its
   strokes, the label and a random id this browser keeps (localStorage). The `_correction.html` template
   renders the elements. The root carries data-state: hidden | asking | sending | saved | error. */

import { api } from "../core/api.js";
import { onKeys } from "../core/keys.js";

const CLIENT_KEY = "rowscan.client";

/** A random id for this browser, made once and kept: it groups one person's samples, and says nothing else. */
function clientId() {
  let id = null;
  try {
    id = window.localStorage.getItem(CLIENT_KEY);
  } catch (_) {
    /* storage blocked: a new id for this page */
  }
  if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    try {
      window.localStorage.setItem(CLIENT_KEY, id);
    } catch (_) {
      /* kept for this page only */
    }
  }
  return id;
}

/**
 * options: {root (the [data-testid=correction] element), drawing() -> {image, strokes}, model}.
 * Returns {show(answer), hide()}: show after each answer of the drawing shown, hide when the drawing changes.
 */
export function createCorrection({ root, drawing, model }) {
  const find = (testid) => root.querySelector(`[data-testid=${testid}]`);
  const confirmButton = find("correction-confirm");
  const predictedEl = find("correction-predicted");
  const status = find("correction-status");
  const digitButtons = Array.from(root.querySelectorAll("[data-testid=correction-digit]"));
  let shown = null; // the answer being asked about

  function setState(state, message = "") {
    root.dataset.state = state;
    root.hidden = state === "hidden";
    status.textContent = message;
    const busy = state === "sending" || state === "saved";
    confirmButton.disabled = busy;
    digitButtons.forEach((button) => (button.disabled = busy));
  }

  function show(answer) {
    if (!answer || answer.empty || answer.digit == null) return hide();
    shown = answer;
    predictedEl.textContent = String(answer.digit);
    delete root.dataset.sampleId;
    setState("asking");
  }

  function hide() {
    shown = null;
    setState("hidden");
  }

  async function send(label) {
    if (!shown || !["asking", "error"].includes(root.dataset.state)) return;
    const { image, strokes } = drawing();
    setState("sending", "Saving…");
    try {
      const saved = await api("/api/samples", { json: { image, strokes, label, model, client_id: clientId() } });
      if (!shown) return; // the drawing changed meanwhile: nothing more to say about it
      root.dataset.sampleId = String(saved.id);
      root.dataset.label = String(saved.label);
      setState("saved", saved.correct ? `Thanks: kept as a right ${saved.label}.` : `Thanks: kept as a ${saved.label} the model read as ${saved.predicted}.`);
    } catch (error) {
      if (shown) setState("error", `Not saved: ${error.message}`);
    }
  }

  confirmButton.addEventListener("click", () => shown && send(shown.digit));
  digitButtons.forEach((button) => button.addEventListener("click", () => send(Number(button.dataset.digit))));
  onKeys((event) => {
    if (!shown || !/^[0-9]$/.test(event.key)) return;
    event.preventDefault();
    send(Number(event.key));
  });
  hide();
  return { show, hide };
}
