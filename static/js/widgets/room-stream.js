/* The wall's live connection: an EventSource on /api/rooms/<code>/events. The browser reconnects by itself
   and sends the last event id it saw (Last-Event-ID), so the server resumes after it; events are also
   numbered here, so one delivered twice is never applied twice.

   onEvent(kind, data, seq) for drawing | hide | round | end; onState(state, connects) with
   live | reconnecting | closed. */

const KINDS = ["drawing", "hide", "round", "end"];

export function openRoomStream({ code, token, onEvent, onState }) {
  const url = `/api/rooms/${encodeURIComponent(code)}/events?token=${encodeURIComponent(token)}`;
  const source = new EventSource(url);
  let lastSeq = 0;
  let connects = 0;

  source.addEventListener("open", () => {
    connects += 1;
    onState("live", connects);
  });
  source.addEventListener("error", () => {
    onState(source.readyState === EventSource.CLOSED ? "closed" : "reconnecting", connects);
  });
  for (const kind of KINDS) {
    source.addEventListener(kind, (message) => {
      const seq = Number(message.lastEventId) || 0;
      if (seq && seq <= lastSeq) return; // already applied
      if (seq) lastSeq = seq;
      onEvent(kind, JSON.parse(message.data), seq);
      if (kind === "end") {
        source.close();
        onState("closed", connects);
      }
    });
  }
  return { close: () => source.close(), lastSeq: () => lastSeq };
}
