/* /class/<code>: the projector's wall. Every drawing of the round appears as a tile (the 28x28 the model
   saw, its answer, how sure, the student's name as text); with a prompt, the wrong ones are highlighted.
   The lecturer starts rounds, clears, hides a tile, ends the class, or sends a tile to the draw page's
   row-by-row playback.

   The root carries data-state (connecting | live | reconnecting | ended | forbidden), data-tiles,
   data-last-event (the last event applied) and data-connects (stream connections so far). */
import { api } from "../core/api.js";
import { UNSURE_BELOW, percent } from "../core/format.js";
import { lecturerApi, loadToken, paintDigit, sendToPlayback } from "../core/rooms.js";
import "../core/shell.js";
import { openRoomStream } from "../widgets/room-stream.js";
import { renderStats, summarise } from "../widgets/wall-stats.js";


const root = document.getElementById("wall");
const code = root.dataset.code;
const tiles = document.getElementById("tiles");
const status = document.getElementById("wall-status");
const wallError = document.getElementById("wall-error");
const promptSelect = document.getElementById("prompt-select");
const drawings = new Map(); // id -> the drawing event's data (all rounds: the matrix needs them)
let round = { number: 1, prompt: null };
const token = loadToken(code);

const statElements = {
  count: document.getElementById("stat-count"),
  accuracy: document.getElementById("stat-accuracy"),
  accuracyLabel: document.getElementById("stat-accuracy-label"),
  wrong: document.getElementById("stat-wrong"),
  answers: document.getElementById("answer-counts"),
  matrix: document.getElementById("wall-matrix"),
};

/* ----- the live stream ----- */

const STATE_TEXT = {
  live: "Live: drawings appear as they are sent.",
  reconnecting: "Connection lost: reconnecting…",
  ended: "The class has ended.",
  forbidden: "This browser does not hold the room's key: open the wall from the browser that started the class, or with its wall link.",
};

function setState(state) {
  root.dataset.state = state;
  status.textContent = STATE_TEXT[state] || "Connecting…";
}

const handlers = {
  drawing(data) {
    drawings.set(data.id, { ...data, hidden: false });
    if (data.round === round.number) tiles.prepend(makeTile(data));
  },
  hide(data) {
    const drawing = drawings.get(data.id);
    if (drawing) drawing.hidden = true;
    tiles.querySelector(`[data-id="${data.id}"]`)?.remove();
  },
  round(data) {
    round = { number: data.round, prompt: data.prompt };
    tiles.replaceChildren();
  },
  end() {
    setState("ended");
    root.querySelectorAll(".wall-round button, .wall-round select, .wall-round input, .tile button").forEach((b) => (b.disabled = true));
  },
};

function applyEvent(kind, data, seq) {
  handlers[kind](data);
  if (seq) root.dataset.lastEvent = String(seq);
  refresh();
}

function refresh() {
  root.dataset.tiles = String(tiles.children.length);
  root.dataset.round = String(round.number);
  document.getElementById("wall-prompt").textContent =
    `Round ${round.number} · ` + (round.prompt == null ? "draw any digit" : `everyone draws a ${round.prompt}`);
  renderStats(summarise(drawings, round), round, statElements);
}

/* ----- tiles ----- */

function makeTile(data) {
  const tile = document.createElement("article");
  tile.className = "tile";
  tile.dataset.testid = "tile";
  tile.dataset.id = String(data.id);
  tile.dataset.digit = data.digit == null ? "" : String(data.digit);
  const wrong = data.prompt != null && data.digit !== data.prompt;
  if (data.prompt != null) tile.dataset.correct = String(!wrong);
  if (wrong) tile.classList.add("is-wrong");
  else if (data.prompt == null && data.confidence < UNSURE_BELOW) tile.classList.add("is-unsure");

  const canvas = document.createElement("canvas");
  canvas.className = "tile-input";
  canvas.width = canvas.height = 28;
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", "The 28 by 28 pixels the model read");
  paintDigit(canvas, data.pixels);

  const answer = document.createElement("p");
  answer.className = "tile-answer";
  const digit = document.createElement("span");
  digit.className = "tile-digit";
  digit.dataset.testid = "tile-digit";
  digit.textContent = data.digit == null ? "–" : String(data.digit);
  const confidence = document.createElement("span");
  confidence.className = "tile-confidence";
  confidence.textContent = data.digit == null ? "empty" : percent(data.confidence);
  answer.append(digit, confidence);

  const name = document.createElement("p");
  name.className = "tile-name";
  name.dataset.testid = "tile-name";
  name.textContent = data.nickname || "anonymous"; // text, never markup

  const actions = document.createElement("div");
  actions.className = "tile-actions";
  actions.append(button("Hide", "tile-hide", () => hide(data.id)), button("Rows", "tile-playback", () => sendToPlayback(data.pixels)));
  tile.append(canvas, answer, name, actions);
  return tile;
}

function button(text, testid, onClick) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = "btn btn-quiet";
  element.textContent = text;
  element.dataset.testid = testid;
  element.addEventListener("click", onClick);
  return element;
}

/* ----- lecturer actions ----- */

async function act(path, options) {
  wallError.hidden = true;
  try {
    await lecturerApi(code, token, path, options);
  } catch (failure) {
    wallError.textContent = failure.message;
    wallError.hidden = false;
  }
}

const hide = (id) => act(`/drawings/${id}`, { method: "DELETE" });
const startRound = (prompt) => act("/round", { method: "PUT", json: { prompt } });

document.getElementById("new-round").addEventListener("click", () => {
  startRound(promptSelect.value === "" ? null : Number(promptSelect.value));
});
const saveSamples = document.getElementById("save-samples");
saveSamples.addEventListener("change", () => act("", { method: "PATCH", json: { save_samples: saveSamples.checked } }));
document.getElementById("clear-round").addEventListener("click", () => startRound(round.prompt));
document.getElementById("end-room").addEventListener("click", () => {
  if (window.confirm("End the class? Students can no longer send drawings.")) act("", { method: "DELETE" });
});

if (!token) setState("forbidden");
else {
  openRoomStream({
    code,
    token,
    onEvent: applyEvent,
    onState: (state, connects) => {
      root.dataset.connects = String(connects);
      if (root.dataset.state === "ended") return;
      if (state === "closed") return api(`/api/rooms/${code}`).then(() => setState("forbidden"), () => setState("ended"));
      setState(state);
    },
  });
}
refresh();
