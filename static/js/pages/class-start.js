/* /class: "Start a class" creates a room, keeps its token in this browser and shows the code, the QR code
   and the join link. The root's data-state: idle | starting | started | error. */
import { api } from "../core/api.js";
import { saveToken } from "../core/rooms.js";
import "../core/shell.js";

const LOOPBACK = ["localhost", "127.0.0.1", "[::1]"];

const root = document.getElementById("class-start");
const button = document.getElementById("start-class");
const error = document.getElementById("start-error");

button.addEventListener("click", async () => {
  root.dataset.state = "starting";
  button.disabled = true;
  error.hidden = true;
  try {
    const room = await api("/api/rooms", { method: "POST", json: {} });
    saveToken(room.code, room.token);
    show(room);
    root.dataset.state = "started";
  } catch (failure) {
    error.textContent = `Could not start a class: ${failure.message}`;
    error.hidden = false;
    button.disabled = false;
    root.dataset.state = "error";
  }
});

function show(room) {
  document.getElementById("room-code").textContent = room.code;
  const link = document.getElementById("join-url");
  link.textContent = room.join_url;
  link.href = room.join_url;
  document.getElementById("room-qr").src = `/api/rooms/${room.code}/qr.svg`;
  document.getElementById("loopback-warning").hidden = !LOOPBACK.includes(new URL(room.join_url).hostname);
  const wall = `/class/${room.code}`;
  document.getElementById("open-wall").href = wall;
  document.getElementById("wall-link").href = `${wall}#token=${encodeURIComponent(room.token)}`;
  document.getElementById("room-card").hidden = false;
  button.textContent = "Start another class";
  button.disabled = false;
}
