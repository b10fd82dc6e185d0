import { useEffect, useMemo, useRef } from "react";

/**
 * The recording, played in step with the board replay and the timeline. The replay's clock leads:
 * each speaker has an <audio> that plays the chunk covering the replay's moment, from the right
 * offset, while the replay plays in real time (1×); at other speeds, or paused, the audio is
 * paused at that moment. So a click on a timeline line or a piece of evidence, a `?t=` link or the
 * scrubber moves audio, board and timeline together. Audio comes from our own origin, through
 * views that check who is listening.
 */
const DRIFT_S = 0.35;

function chunkAt(chunks, at) {
  return chunks.find((c) => at >= c.start && at < c.start + c.duration) || null;
}

export default function AudioSync({ replay, snapshot, audio }) {
  const speakers = useMemo(() => {
    const bySpeaker = new Map();
    for (const c of audio?.chunks || []) {
      const start = Date.parse(c.at);
      if (Number.isNaN(start)) continue;
      if (!bySpeaker.has(c.speaker.id)) bySpeaker.set(c.speaker.id, { ...c.speaker, chunks: [] });
      bySpeaker.get(c.speaker.id).chunks.push({ ...c, start, duration: c.duration_ms });
    }
    for (const s of bySpeaker.values()) s.chunks.sort((a, b) => a.start - b.start);
    return [...bySpeaker.values()];
  }, [audio]);
  const elements = useRef(new Map());
  const { at, playing, speed, status } = snapshot;
  const realTime = playing && String(speed) === "1";

  useEffect(() => {
    if (status !== "ready" || at == null) return;
    for (const speaker of speakers) {
      const el = elements.current.get(speaker.id);
      if (!el) continue;
      const chunk = chunkAt(speaker.chunks, at);
      if (!chunk) {
        if (!el.paused) el.pause();
        el.dataset.chunk = "";
        continue;
      }
      const offset = (at - chunk.start) / 1000;
      if (el.dataset.chunk !== String(chunk.id)) {
        el.dataset.chunk = String(chunk.id);
        el.src = chunk.url;
        el.currentTime = offset;
      } else if (Math.abs(el.currentTime - offset) > DRIFT_S) {
        el.currentTime = offset;
      }
      if (realTime && el.paused) el.play().catch(() => {});
      if (!realTime && !el.paused) el.pause();
    }
  }, [speakers, at, realTime, status]);

  useEffect(() => {
    window.mocklaneAudio = {
      speakers: () =>
        speakers.map((s) => {
          const el = elements.current.get(s.id);
          return {
            role: s.role,
            chunks: s.chunks.length,
            chunk: el?.dataset.chunk || "",
            currentTime: el?.currentTime ?? 0,
            paused: el?.paused ?? true,
          };
        }),
    };
  }, [speakers]);

  if (!speakers.length) return null;
  const listen = () => {
    if (realTime) {
      replay.pause();
      return;
    }
    replay.setSpeed("1");
    replay.play();
  };
  return (
    <div className="ml-audio" aria-label="Recording">
      <button type="button" className="ml-audio__play" onClick={listen} data-testid="audio-play">
        {realTime ? "Pause audio" : "Play with audio"}
      </button>
      <span className="ml-audio__who">
        {speakers.map((s) => `${s.name} (${s.role})`).join(" · ")}
      </span>
      {speakers.map((s) => (
        <audio
          key={s.id}
          ref={(el) => {
            if (el) elements.current.set(s.id, el);
            else elements.current.delete(s.id);
          }}
          data-speaker={s.role}
          preload="auto"
        />
      ))}
    </div>
  );
}
