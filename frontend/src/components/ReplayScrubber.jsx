import { SPEEDS, elapsedLabel } from "../lib/replay.js";

/** The index of the step the replay is in: the last start at or before the moment shown. */
function currentStep(steps, seq, at) {
  let current = -1;
  steps.forEach((step, i) => {
    if (at != null && step.at != null ? step.at <= at : step.seq <= seq) current = i;
  });
  return current;
}

/**
 * Play/pause, speed, a range input over the op log (labelled with the time
 * into the interview) drawn over coloured step bands, and one button per step
 * start. Step colours come from the page (.step-c1 … .step-c7).
 */
export default function ReplayScrubber({ replay, snapshot }) {
  const { status, error, seq, head, at, playing, speed, startedAt, endAt, steps, loadedSeq } = snapshot;
  const ready = status === "ready";
  const span = Math.max(head, 1);
  const elapsed = ready && at != null ? elapsedLabel(at - startedAt) : "";
  const total = ready ? elapsedLabel(endAt - startedAt) : "";
  const current = ready ? currentStep(steps, seq, at) : -1;
  const bands = steps.map((step, i) => {
    const to = i + 1 < steps.length ? steps[i + 1].seq : head;
    return { ...step, key: `${i}-${step.number}`, from: step.seq, to: head ? to : span };
  });

  let statusText = "";
  if (status === "loading") {
    statusText = loadedSeq ? `Loading the board history… ${loadedSeq} of ${head} changes` : "Loading the board history…";
  } else if (ready) {
    statusText = `${elapsed} / ${total}`;
  }

  return (
    <div className="ml-replay-controls" data-replay-status={status}>
      <div className="ml-replay-row">
        <button
          type="button"
          className="ml-replay-play"
          onClick={() => replay.toggle()}
          disabled={!ready || head === 0}
          aria-pressed={playing}
        >
          {playing ? "Pause" : "Play"}
        </button>
        <label className="ml-replay-speed">
          <span>Speed</span>
          <select value={speed} onChange={(e) => replay.setSpeed(e.target.value)} disabled={!ready}>
            {SPEEDS.map((s) => (
              <option key={s.key} value={s.key}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <span className="ml-replay-time" aria-live="off">
          {statusText}
        </span>
        {ready && (
          <span className="ml-replay-seq">
            change {seq} of {head}
            {current >= 0 && ` · step ${steps[current].number}`}
          </span>
        )}
      </div>

      <div className="ml-replay-track">
        <div className="ml-replay-bands" aria-hidden="true">
          {bands.map((band) => (
            <span
              key={band.key}
              className={`ml-replay-band step-c${band.number}`}
              style={{ left: `${(band.from / span) * 100}%`, width: `${(Math.max(band.to - band.from, 0) / span) * 100}%` }}
              title={`${band.number}. ${band.title}`}
            />
          ))}
        </div>
        <input
          type="range"
          className="ml-replay-range"
          min={0}
          max={head}
          step={1}
          value={ready ? seq : head}
          disabled={!ready}
          onChange={(e) => replay.seek(Number(e.target.value))}
          aria-label="Board history: drag to see the board at any moment"
          aria-valuetext={ready ? `${elapsed} into the interview, change ${seq} of ${head}` : "loading"}
        />
      </div>

      {steps.length > 0 && (
        <div className="ml-replay-steps" role="group" aria-label="Jump to the start of a step">
          {steps.map((step, i) => (
            <button
              type="button"
              key={`${i}-${step.number}`}
              className={`ml-replay-step step-c${step.number}${i === current ? " is-current" : ""}`}
              data-step={step.number}
              data-seq={step.seq}
              disabled={!ready}
              onClick={() => replay.seek(step.seq, { at: step.at })}
              title={`${step.number}. ${step.title}${ready && step.at != null ? ` · starts at ${elapsedLabel(step.at - startedAt)}` : ""}`}
            >
              <span className="ml-replay-step-number">{step.number}</span>
              <span className="ml-replay-step-title">{step.title}</span>
            </button>
          ))}
        </div>
      )}

      {status === "error" && (
        <div className="ml-replay-error" role="alert">
          {error}{" "}
          <button type="button" onClick={() => replay.load()}>
            Try again
          </button>
        </div>
      )}
    </div>
  );
}
