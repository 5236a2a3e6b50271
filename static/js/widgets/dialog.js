/* The detail dialog of a gallery: one digit at a time, Previous / Next, Close, the backdrop; on close, focus
   goes back to the card. The `dialog_head` and `dialog_foot` macros of _macros.html render its buttons. */

import { createLatest } from "../core/api.js";
import { onKeys } from "../core/keys.js";

/**
 * elements: {dialog, prev, next, close}. options: {items(), cards() (the gallery's buttons in order),
 * reset(item), load(item, request) (async; request.current() is false once another digit is opened),
 * fail(error), onClose(), arrowKeys (the arrow keys open the previous / next digit)}.
 * open(position, card) shows items()[position]. The dialog carries data-state (loading | ready | error |
 * closed) and data-index.
 */
export function createDetailDialog(elements, options) {
  const { dialog, prev, next, close: closeButton } = elements;
  const latest = createLatest();
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
  closeButton.addEventListener("click", close);
  prev.addEventListener("click", () => open(position - 1));
  next.addEventListener("click", () => open(position + 1));
  if (options.arrowKeys) {
    onKeys(
      (event) => {
        if (event.key === "ArrowLeft" && position > 0) {
          event.preventDefault();
          open(position - 1);
        } else if (event.key === "ArrowRight" && position < options.items().length - 1) {
          event.preventDefault();
          open(position + 1);
        }
      },
      { target: dialog }
    );
  }

  return { open };
}

/** The buttons of the `dialog_head` and `dialog_foot` macros inside `dialog`. */
export function dialogElements(dialog) {
  const find = (testid) => dialog.querySelector(`[data-testid=${testid}]`);
  return { dialog, prev: find("detail-prev"), next: find("detail-next"), close: find("detail-close") };
}
