import { useEffect, useState } from "react";

import { formatDuration, parseTime } from "../lib/time.js";

function useServerNow(room, active) {
  const [now, setNow] = useState(() => room.serverNow());
  // a timer that starts shows the time at once, not the one from when it last ran
  const [wasActive, setWasActive] = useState(active);
  if (active !== wasActive) {
    setWasActive(active);
    if (active) setNow(room.serverNow());
  }
  useEffect(() => {
    if (!active) return undefined;
    const t = setInterval(() => setNow(room.serverNow()), 1000);
    return () => clearInterval(t);
  }, [room, active]);
  return now;
}

export default function StepTracker({ room, state, canMove }) {
  const { steps, currentStep, stepStartedAt } = state;
  const started = parseTime(stepStartedAt);
  const now = useServerNow(room, started !== null);
  const current = steps.find((s) => s.number === currentStep);
  const elapsed = started === null ? null : now - started;
  const budgetMs = current ? current.time_budget_minutes * 60000 : null;
  const over = elapsed !== null && budgetMs !== null && elapsed > budgetMs;
  const first = steps.length ? steps[0].number : 1;
  const last = steps.length ? steps[steps.length - 1].number : 7;
  const connected = state.connection === "connected";

  return (
    <section className="ml-section ml-steps" aria-labelledby="ml-steps-title">
      <div className="ml-section__row">
        <h2 id="ml-steps-title" className="ml-section__title">
          Interview steps
        </h2>
        {current && (
          <span className="ml-steps__count">
            Step {current.number} of {steps.length}
          </span>
        )}
      </div>

      {!state.loaded && <p className="ml-muted">Loading steps…</p>}

      <ol className="ml-steps__list">
        {steps.map((step) => {
          const isCurrent = step.number === currentStep;
          const isDone = currentStep !== null && step.number < currentStep;
          const cls = [
            "ml-step",
            isCurrent && "ml-step--current",
            isDone && "ml-step--done",
            isCurrent && over && "ml-step--over",
          ]
            .filter(Boolean)
            .join(" ");
          const body = (
            <>
              <span className="ml-step__num" aria-hidden="true">
                {isDone ? "✓" : step.number}
              </span>
              <span className="ml-step__text">
                <span className="ml-step__title" title={step.title}>
                  {step.title}
                </span>
                <span className="ml-step__budget">
                  {isCurrent && elapsed !== null ? (
                    <>
                      <span className="ml-step__timer" data-testid="step-timer">
                        {formatDuration(elapsed)}
                      </span>
                      {" / "}
                      {step.time_budget_minutes} min
                      {over && <span className="ml-step__over"> · over budget</span>}
                    </>
                  ) : isDone || step.time_spent_seconds > 0 ? (
                    <span
                      className={
                        step.time_spent_seconds > step.time_budget_minutes * 60 ? "ml-step__spent ml-step__spent--over" : "ml-step__spent"
                      }
                      data-testid="step-spent"
                    >
                      {formatDuration(step.time_spent_seconds * 1000)} spent / {step.time_budget_minutes} min
                    </span>
                  ) : (
                    <>{step.time_budget_minutes} min</>
                  )}
                </span>
              </span>
            </>
          );
          return (
            <li key={step.number} className={cls} aria-current={isCurrent ? "step" : undefined}>
              {canMove ? (
                <button
                  type="button"
                  className="ml-step__button"
                  disabled={isCurrent || !connected}
                  title={isCurrent ? "Current step" : `Move to step ${step.number}`}
                  onClick={() => room.moveStep(step.number)}
                >
                  {body}
                </button>
              ) : (
                <div className="ml-step__button">{body}</div>
              )}
            </li>
          );
        })}
      </ol>

      {!canMove && steps.length > 0 && <p className="ml-muted ml-steps__hint">The interviewer moves between steps.</p>}

      {canMove && steps.length > 0 && (
        <div className="ml-steps__nav">
          <button
            type="button"
            className="ml-btn"
            disabled={!connected || currentStep === null || currentStep <= first}
            onClick={() => room.moveStep(currentStep - 1)}
          >
            ← Previous
          </button>
          <button
            type="button"
            className="ml-btn ml-btn--primary"
            disabled={!connected || currentStep === null || currentStep >= last}
            onClick={() => room.moveStep(currentStep + 1)}
          >
            Next step →
          </button>
        </div>
      )}
    </section>
  );
}
