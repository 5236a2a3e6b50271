/* Class mode in the browser: the room token kept in this browser, lecturer calls that carry it, and the
   student's random client id (the server's per-student rate limit). Nothing leaves this origin. */

import { api } from "./api.js";

const TOKEN_KEY = (code) => `rowscan.room.${code}`;
const CLIENT_KEY = "rowscan.client";
const PLAYBACK_KEY = "rowscan.playback";

export function saveToken(code, token) {
  localStorage.setItem(TOKEN_KEY(code), token);
}

/** The room's token: from the link's #token=... (then kept, and removed from the address bar), else as kept. */
export function loadToken(code) {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const fromLink = fragment.get("token");
  if (fromLink) {
    saveToken(code, fromLink);
    window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
    return fromLink;
  }
  return localStorage.getItem(TOKEN_KEY(code));
}

/** A lecturer action on the room: the token goes in the Authorization header. */
export function lecturerApi(code, token, path, options = {}) {
  const headers = { Authorization: `Bearer ${token}` };
  return api(`/api/rooms/${encodeURIComponent(code)}${path}`, { ...options, headers });
}

/** This browser's random id, kept across visits: students behind one network address are told apart. */
export function clientId() {
  let id = localStorage.getItem(CLIENT_KEY);
  if (!id) {
    id = crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now();
    localStorage.setItem(CLIENT_KEY, id);
  }
  return id;
}

/** Hand a wall's tile (its 28x28 as base64 bytes) to the draw page, opened in a new tab, for row-by-row playback. */
export function sendToPlayback(pixels) {
  localStorage.setItem(PLAYBACK_KEY, pixels);
  window.open("/?playback=1", "_blank", "noopener");
}

/** On the draw page opened by sendToPlayback: the tile as 28 rows of [0, 1] (once), else null. */
export function takePlayback() {
  const pixels = new URLSearchParams(window.location.search).has("playback") && localStorage.getItem(PLAYBACK_KEY);
  localStorage.removeItem(PLAYBACK_KEY);
  if (!pixels) return null;
  const bytes = Uint8Array.from(atob(pixels), (c) => c.charCodeAt(0));
  return Array.from({ length: 28 }, (_, row) => Array.from(bytes.subarray(row * 28, row * 28 + 28), (v) => v / 255));
}

/** A 28x28 image (base64 of 784 bytes, or rows of [0, 1] floats) painted light-on-dark into a 28x28 canvas. */
export function paintDigit(canvas, pixels) {
  const values = typeof pixels === "string" ? Uint8Array.from(atob(pixels), (c) => c.charCodeAt(0)) : pixels.flat().map((v) => v * 255);
  const context = canvas.getContext("2d");
  const image = context.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = values[i] | 0;
    image.data.set([v, v, v, 255], i * 4);
  }
  context.putImageData(image, 0, 0);
}
