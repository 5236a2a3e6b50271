/* /join/<code>: a student's phone. Draw (pad.js), optionally give a name, Send: the model's answer comes
   back at once; when the lecturer starts the next round, the page says whether it was right.

   The root's data-state: empty | drawn | sending | sent | error | ended. The room's round is polled (a
   small public GET) every few seconds; students never receive anyone else's drawing. */
import { api } from "../core/api.js";
import { percent } from "../core/format.js";
import { clientId, paintDigit } from "../core/rooms.js";
import "../core/shell.js";
import { createPad, padElements } from "../widgets/pad.js";

const POLL_MS = 4000;

const root = document.getElementById("join-app");
const code = root.dataset.code;
const sendButton = document.getElementById("send");
const nickname = document.getElementById("nickname");
const sendError = document.getElementById("send-error");
const answer = document.getElementById("join-answer");
const verdict = document.getElementById("join-verdict");
const prompt = document.getElementById("join-prompt");
let sent = null; // {digit, round: {number, prompt}} of the last drawing sent

const pad = createPad({ root, ...padElements(root), onChange: changed });
const NICKNAME_MAX = Number(nickname.dataset.maxCharacters);

// Up to 20 characters as people count them (an emoji is one), not maxlength's UTF-16 units.
nickname.addEventListener("input", () => {
  const characters = Array.from(nickname.value);
  if (characters.length > NICKNAME_MAX) nickname.value = characters.slice(0, NICKNAME_MAX).join("");
});

function changed() {
  if (root.dataset.state === "ended" || root.dataset.state === "sending") return;
  root.dataset.state = pad.isEmpty() ? "empty" : "drawn";
  sendButton.disabled = pad.isEmpty();
}

sendButton.addEventListener("click", async () => {
  if (pad.isEmpty()) return;
  root.dataset.state = "sending";
  sendButton.disabled = true;
  sendError.hidden = true;
  const body = { image: pad.exportPng() };
  if (nickname.value.trim()) body.nickname = nickname.value.trim();
  try {
    const result = await api(`/api/rooms/${code}/drawings`, { json: body, headers: { "X-Client-Id": clientId() } });
    sent = result;
    showAnswer(result);
    pad.clear();
    root.dataset.state = "sent";
  } catch (failure) {
    if (failure.status === 404) return ended();
    sendError.textContent = failure.status === 429 ? "Too many drawings: wait a little, then send again." : `Not sent: ${failure.message}`;
    sendError.hidden = false;
    root.dataset.state = "error";
    sendButton.disabled = pad.isEmpty();
  }
});

function showAnswer(result) {
  answer.hidden = false;
  const digit = document.getElementById("join-digit");
  digit.textContent = result.digit == null ? "–" : String(result.digit);
  const confidence = result.digit == null ? "Nothing to read: draw bigger or thicker" : `${percent(result.probabilities[result.digit])} sure`;
  document.getElementById("join-confidence").textContent = confidence;
  paintDigit(document.getElementById("join-input"), result.input);
  setVerdict("pending", "Right or wrong? You'll see when the round ends.");
}

function setVerdict(state, text) {
  verdict.dataset.verdict = state;
  verdict.textContent = text;
}

function showRoom(room) {
  document.getElementById("samples-note").hidden = !room.save_samples;
  showRound(room.round);
}

function showRound(round) {
  prompt.textContent = round.prompt == null ? "Draw any digit" : `Draw a ${round.prompt}`;
  if (!sent || round.number <= sent.round.number || verdict.dataset.verdict !== "pending") return;
  const asked = sent.round.prompt;
  if (asked == null) setVerdict("free", "That was a free round: no right answer.");
  else if (sent.digit === asked) setVerdict("right", `Right: the model read your ${asked}.`);
  else setVerdict("wrong", `Wrong: you drew a ${asked}, the model read ${sent.digit == null ? "nothing" : sent.digit}.`);
}

function ended() {
  root.dataset.state = "ended";
  sendButton.disabled = true;
  prompt.textContent = "The class has ended. Thank you!";
}

async function poll() {
  if (root.dataset.state === "ended") return;
  if (!document.hidden) {
    try {
      showRoom(await api(`/api/rooms/${code}`));
    } catch (failure) {
      if (failure.status === 404) return ended();
    }
  }
  setTimeout(poll, POLL_MS);
}
setTimeout(poll, POLL_MS);
document.addEventListener("visibilitychange", () => {
  if (!document.hidden && root.dataset.state !== "ended") api(`/api/rooms/${code}`).then(showRoom, () => {});
});
root.dataset.ready = "true";
