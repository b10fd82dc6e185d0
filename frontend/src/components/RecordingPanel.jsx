import { useEffect, useState } from "react";

/**
 * Recording consent and state, shown to both people. Recording runs only while both consent;
 * either can stop it. While it runs a badge says so, and this browser records its own
 * microphone (lib/recorder.js).
 */
export default function RecordingPanel({ room, state, recorder, role }) {
  const rec = state.recording || { state: "off" };
  const mine = role === "interviewer" ? rec.interviewer_consented : rec.candidate_consented;
  const theirs = role === "interviewer" ? rec.candidate_consented : rec.interviewer_consented;
  const on = rec.state === "on";
  const [pending, setPending] = useState(0);

  useEffect(() => {
    if (!recorder) return;
    recorder.learnNextSeq(rec.next_seq);
  }, [recorder, rec.next_seq]);

  useEffect(() => {
    if (!recorder) return undefined;
    if (on && !state.ended) recorder.start();
    else recorder.stop();
    return undefined;
  }, [recorder, on, state.ended]);

  useEffect(() => {
    if (!recorder) return undefined;
    const timer = setInterval(() => setPending(recorder.pending), 1000);
    return () => clearInterval(timer);
  }, [recorder]);

  if (rec.state === "deleted") {
    return (
      <section className="ml-section ml-recording" data-recording="deleted">
        <p className="ml-muted">The candidate deleted the recording of this interview.</p>
      </section>
    );
  }
  return (
    <section className="ml-section ml-recording" data-recording={rec.state} aria-label="Recording">
      <div className="ml-section__row">
        <h2 className="ml-section__title">Recording</h2>
        {on && (
          <span className="ml-badge ml-badge--rec" role="status" data-testid="recording-badge">
            ● Recording
          </span>
        )}
      </div>
      {!on && (
        <p className="ml-muted">
          {mine && !theirs && "You agreed; waiting for the other person to agree."}
          {!mine && theirs && "The other person asks to record both microphones for the review."}
          {!mine && !theirs && "Record what you both say, for a transcript and playback in the review? Both must agree."}
        </p>
      )}
      {on && <p className="ml-muted">Both agreed: each microphone is recorded for the transcript and the review.</p>}
      <div className="ml-recording__actions">
        {!mine && (
          <button type="button" className="ml-btn ml-btn--primary" onClick={() => room.sendRecording("consent")}>
            {theirs ? "Agree and start recording" : "Ask to record"}
          </button>
        )}
        {(mine || on) && (
          <button type="button" className="ml-btn" onClick={() => room.sendRecording("stop")}>
            {on ? "Stop recording" : "Withdraw"}
          </button>
        )}
      </div>
      {pending > 0 && <p className="ml-muted ml-small">{pending} chunk(s) waiting to upload…</p>}
    </section>
  );
}
