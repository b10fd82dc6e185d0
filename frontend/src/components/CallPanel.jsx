import { useEffect, useRef, useSyncExternalStore } from "react";

const PHASE_LABELS = {
  idle: "Not in the call",
  starting: "Asking for your microphone…",
  waiting: "Waiting for your peer to join the call",
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  failed: "Connection failed",
  ended: "The call has ended",
};

function Meter({ level, label }) {
  const width = Math.min(100, Math.round(level * 400));
  return (
    <span className="ml-call__meter" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={width}>
      <span className="ml-call__meter-fill" style={{ width: `${width}%` }} />
    </span>
  );
}

export default function CallPanel({ call, peerName }) {
  const state = useSyncExternalStore(call.subscribe, call.getState);
  const audioRef = useRef(null);
  const videoRef = useRef(null);
  const selfRef = useRef(null);
  const inCall = !["idle", "starting", "ended"].includes(state.phase);

  // Remote audio plays through an <audio> element: Chromium does not decode an unplayed track.
  useEffect(() => {
    const stream = call.remoteStream;
    for (const el of [audioRef.current, videoRef.current]) {
      if (el && el.srcObject !== stream) {
        el.srcObject = stream;
        if (stream) el.play?.().catch(() => {});
      }
    }
  });
  useEffect(() => {
    if (selfRef.current) selfRef.current.srcObject = state.cameraOn ? call.localStream : null;
  }, [state.cameraOn, call]);

  return (
    <section className="ml-section ml-call" aria-labelledby="ml-call-title" data-phase={state.phase}>
      <div className="ml-section__row">
        <h2 id="ml-call-title" className="ml-section__title">
          Call
        </h2>
        <span className={`ml-call__status ml-call__status--${state.phase}`} role="status" aria-live="polite">
          {PHASE_LABELS[state.phase] ?? state.phase}
        </span>
      </div>

      {state.error && (
        <p className="ml-call__error" role="alert">
          {state.error.message}
        </p>
      )}

      {!inCall ? (
        <button
          type="button"
          className="ml-btn ml-btn--primary ml-call__join"
          onClick={() => call.join()}
          disabled={state.phase === "starting" || state.phase === "ended"}
        >
          {state.error ? "Try again" : "Join the call with your microphone"}
        </button>
      ) : (
        <>
          <div className="ml-call__controls">
            <button
              type="button"
              className="ml-btn"
              aria-pressed={state.muted}
              onClick={() => call.setMuted(!state.muted)}
            >
              {state.muted ? "Unmute" : "Mute"}
            </button>
            <button
              type="button"
              className="ml-btn"
              aria-pressed={state.cameraOn}
              onClick={() => call.setCamera(!state.cameraOn)}
            >
              {state.cameraOn ? "Camera off" : "Camera on"}
            </button>
            <button type="button" className="ml-btn ml-btn--danger" onClick={() => call.leave()}>
              Leave call
            </button>
          </div>
          <div className="ml-call__levels">
            <span className="ml-muted">You</span>
            <Meter level={state.level} label="Your microphone level" />
            {state.speakingWhileMuted && (
              <span className="ml-call__hint" role="status">
                You are muted
              </span>
            )}
          </div>
          <p className="ml-call__peer">
            {state.peerInCall ? (
              <>
                <span className={`ml-call__dot${state.peerSpeaking ? " ml-call__dot--speaking" : ""}`} aria-hidden="true" />
                {peerName ?? "Your peer"} {state.peerSpeaking ? "is speaking" : "is in the call"}
              </>
            ) : (
              <span className="ml-muted">{peerName ?? "Your peer"} has not joined the call yet.</span>
            )}
          </p>
          {(state.mics.length > 0 || state.cams.length > 0) && (
            <details className="ml-call__devices">
              <summary>Devices</summary>
              {state.mics.length > 0 && (
                <label>
                  <span>Microphone</span>
                  <select value={state.micId} onChange={(e) => call.chooseMic(e.target.value)}>
                    <option value="">Default</option>
                    {state.mics.map((m) => (
                      <option key={m.id} value={m.id}>
                        {m.label}
                      </option>
                    ))}
                  </select>
                </label>
              )}
              {state.cams.length > 0 && (
                <label>
                  <span>Camera</span>
                  <select value={state.camId} onChange={(e) => call.chooseCamera(e.target.value)}>
                    <option value="">Default</option>
                    {state.cams.map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.label}
                      </option>
                    ))}
                  </select>
                </label>
              )}
            </details>
          )}
          <div className="ml-call__videos">
            <video ref={videoRef} className="ml-call__video" autoPlay playsInline muted hidden={!state.remoteVideo} aria-label="Your peer's camera" />
            <video ref={selfRef} className="ml-call__video ml-call__video--self" autoPlay playsInline muted hidden={!state.cameraOn} aria-label="Your camera" />
          </div>
        </>
      )}
      <audio ref={audioRef} autoPlay data-testid="call-audio" />
    </section>
  );
}
