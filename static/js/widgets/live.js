/* Live answers while drawing. Every change bumps `version`; a request goes out ~120 ms after the last change
   (at least every 300 ms while drawing), aborting the one in flight. An answer is shown only if it is for
   the current version, so a slow old answer never replaces a newer one. The root element carries data-state
   (empty | pending | ready | error), data-requested (current version) and data-seq (version shown): a test
   waits until seq === requested and the state is settled.

   createLiveDrawing wires a pad, this scheduler, a row player and the keys together: the draw page and the
   compare page differ only in what they ask and how they show the answer. */

import { hasModifier, onKeys } from "../core/keys.js";
import { createPad, padElements } from "./pad.js";

/**
 * options: {root, isEmpty(), request(signal) -> Promise<answer>, onAnswer(answer) -> optional state,
 *           onEmpty(), onError(error), debounceMs, maxWaitMs}.
 * changed() after each change of the drawing; flush() to ask at once (a stroke ended).
 */
export function createLive(options) {
  const { root, isEmpty, request, onAnswer, onEmpty, onError } = options;
  const debounceMs = options.debounceMs ?? 120;
  const maxWaitMs = options.maxWaitMs ?? 300;
  let version = 0;
  let sentVersion = -1;
  let controller = null;
  let debounceTimer = null;
  let maxWaitTimer = null;

  function cancel() {
    clearTimeout(debounceTimer);
    clearTimeout(maxWaitTimer);
    debounceTimer = maxWaitTimer = null;
    if (controller) controller.abort();
    controller = null;
  }

  function schedule(delay) {
    clearTimeout(debounceTimer);
    debounceTimer = setTimeout(send, delay);
    if (maxWaitTimer === null) maxWaitTimer = setTimeout(send, Math.max(delay, maxWaitMs));
  }

  function changed() {
    version += 1;
    root.dataset.requested = String(version);
    if (isEmpty()) {
      cancel();
      root.dataset.state = "empty";
      root.dataset.seq = String(version);
      onEmpty();
      return;
    }
    root.dataset.state = "pending";
    schedule(debounceMs);
  }

  async function send() {
    clearTimeout(debounceTimer);
    clearTimeout(maxWaitTimer);
    debounceTimer = maxWaitTimer = null;
    if (isEmpty() || version === sentVersion) return;
    const mine = version;
    sentVersion = mine;
    if (controller) controller.abort();
    const own = (controller = new AbortController());
    try {
      const answer = await request(own.signal);
      if (mine !== version) return; // the drawing changed meanwhile: a newer request follows
      const state = onAnswer(answer) || "ready";
      root.dataset.seq = String(mine);
      root.dataset.state = state;
    } catch (error) {
      if (error.name === "AbortError" || mine !== version) return;
      sentVersion = -1; // let the next change (or undo) try again
      root.dataset.seq = String(mine);
      root.dataset.state = "error";
      onError(error);
    } finally {
      if (controller === own) controller = null;
    }
  }

  return { changed, flush: () => schedule(0), version: () => version };
}

/**
 * The drawing pad inside `root` with live answers and the row player's keys. options: {root, player,
 * request(png, signal), onAnswer(answer), onEmpty(), onError(error), onChange() after each change}.
 * Drawing again returns the player to the final answer. Returns {pad, live}.
 */
export function createLiveDrawing(options) {
  const { root, player } = options;
  const pad = createPad({
    root,
    ...padElements(root),
    onChange: () => {
      if (!player.isFinal()) player.reset(); // drawing again: back to the final answer
      live.changed();
      if (options.onChange) options.onChange();
    },
    onSettle: () => live.flush(),
  });
  const live = createLive({
    root,
    isEmpty: pad.isEmpty,
    request: (signal) => options.request(pad.exportPng(), signal),
    onAnswer: options.onAnswer,
    onEmpty: options.onEmpty,
    onError: options.onError,
  });
  onKeys(
    (event) => {
      if (pad.handleKey(event) || hasModifier(event)) return;
      player.handleKey(event);
    },
    { modifiers: true }
  );
  return { pad, live };
}
