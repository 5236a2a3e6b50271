/* Keyboard shortcuts: which key presses are for the page (not typed into a field, not taken already). */

export function isTypingTarget(event) {
  const t = event.target;
  if (!t || !t.tagName) return false;
  if (t.isContentEditable) return true;
  if (t.tagName === "TEXTAREA" || t.tagName === "SELECT") return true;
  if (t.tagName === "INPUT") return !["range", "checkbox", "radio", "button", "submit", "reset"].includes(t.type);
  return false;
}

export const hasModifier = (event) => event.ctrlKey || event.metaKey || event.altKey;

/**
 * handle(event) for the keys of `target` (the document by default) that are not typed into a field and
 * not handled already; `modifiers`: also keys pressed with Ctrl, Meta or Alt (the pad's Ctrl+Z).
 */
export function onKeys(handle, { target = document, modifiers = false } = {}) {
  target.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || isTypingTarget(event) || (!modifiers && hasModifier(event))) return;
    handle(event);
  });
}
