import "../styles/interviewer-panel.css";

import { useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore } from "react";

import { MAX_NOTE_LENGTH, PanelClient, pacing } from "../lib/interviewerPanel.js";
import { formatClock, formatDuration, parseTime } from "../lib/time.js";

const COLLAPSED_KEY = "mocklane.interviewerPanel.collapsed";

function elapsedLabel(seconds) {
  if (seconds === null || seconds === undefined) return "";
  return seconds < 0 ? "before the start" : `${formatDuration(seconds * 1000)} in`;
}

function readCollapsed() {
  try {
    return window.localStorage.getItem(COLLAPSED_KEY) === "1";
  } catch {
    return false;
  }
}

function CriterionRow({ criterion, disabled, onSet }) {
  const { id, title, description, weight, met } = criterion;
  const cls = ["ml-ip-crit", met === true && "ml-ip-crit--met", met === false && "ml-ip-crit--missed"]
    .filter(Boolean)
    .join(" ");
  return (
    <li className={cls} data-criterion-id={id} data-met={met === null ? "unseen" : String(met)}>
      <label className="ml-ip-crit__label" title={description || undefined}>
        <input
          type="checkbox"
          className="ml-ip-crit__box"
          checked={met === true}
          disabled={disabled}
          onChange={(e) => onSet(id, e.target.checked ? true : null)}
        />
        <span className="ml-ip-crit__title">{title}</span>
      </label>
      <span className="ml-ip-crit__weight" title={`Weight ${weight} of 3`}>
        ×{weight}
      </span>
      <button
        type="button"
        className="ml-ip-crit__miss"
        aria-pressed={met === false}
        aria-label={`Not met: ${title}`}
        title={met === false ? "Marked as not met — click to clear" : "Mark as not met"}
        disabled={disabled}
        onClick={() => onSet(id, met === false ? null : false)}
      >
        ✕
      </button>
    </li>
  );
}

function GuideItem({ entry, disabled, onSet, given }) {
  const marked = entry.marked_at !== null && entry.marked_at !== undefined;
  return (
    <li className={`ml-ip-guide__item${marked ? " ml-ip-guide__item--marked" : ""}`} data-guide-kind={entry.kind}>
      <label>
        <input
          type="checkbox"
          checked={marked}
          disabled={disabled}
          onChange={(e) => onSet(entry.kind, entry.item, e.target.checked)}
          aria-label={`${given ? "Given" : "Covered"}: ${entry.label}`}
        />
        <span>{entry.label}</span>
      </label>
      {marked && given && <span className="ml-ip-guide__when">given {formatClock(entry.marked_at)}</span>}
    </li>
  );
}

function PacingHint({ roomState, step, room }) {
  // Re-render every 15 s so the hint appears without any other change.
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = window.setInterval(() => tick((n) => n + 1), 15000);
    return () => window.clearInterval(timer);
  }, []);
  const hint = pacing({
    stepStartedAt: roomState.stepStartedAt,
    budgetMinutes: step.time_budget_minutes,
    now: room.serverNow(),
  });
  if (!hint) return null;
  return (
    <p className="ml-ip__pacing" role="status" data-testid="pacing-hint">
      {hint.overMinutes} min over this step&apos;s {hint.budgetMinutes}-minute budget: wrap it up and move on, or
      note why it needs the time.
    </p>
  );
}

function NoteItem({ note, panel }) {
  const cls = ["ml-ip-note", note.pending && "ml-ip-note--pending", note.failed && "ml-ip-note--failed"]
    .filter(Boolean)
    .join(" ");
  return (
    <li className={cls} data-note-id={note.id ?? undefined} data-client-id={note.client_id || undefined}>
      <div className="ml-ip-note__meta">
        <time dateTime={note.created_at}>{formatClock(note.created_at)}</time>
        <span className="ml-ip-note__elapsed" title="Time into the interview">
          {elapsedLabel(note.elapsed_seconds)}
        </span>
      </div>
      <div className="ml-ip-note__text">{note.text}</div>
      {note.failed && (
        <div className="ml-ip-note__failed">
          Not saved.{" "}
          <button type="button" className="ml-linkbtn" onClick={() => panel.retryNote(note.client_id)}>
            Retry
          </button>{" "}
          ·{" "}
          <button type="button" className="ml-linkbtn" onClick={() => panel.discardNote(note.client_id)}>
            Discard
          </button>
        </div>
      )}
      {note.pending && !note.failed && <div className="ml-ip-note__saving">Saving…</div>}
    </li>
  );
}

export default function InterviewerPanel({ config, room, roomState, onError }) {
  // one client per page
  const [panel] = useState(() => new PanelClient({ url: config.panel.url, csrfToken: config.csrf_token, onError }));
  useEffect(() => {
    panel.load();
  }, [panel]);
  const state = useSyncExternalStore(panel.subscribe, panel.getState);

  const [collapsed, setCollapsed] = useState(readCollapsed);
  const toggle = () => {
    setCollapsed((value) => {
      try {
        window.localStorage.setItem(COLLAPSED_KEY, value ? "0" : "1");
      } catch {
        /* private mode: not remembered */
      }
      return !value;
    });
  };

  // The tabs follow the room's current step; picking another tab pins it until the step moves.
  const currentStep = roomState.currentStep;
  const [pinned, setPinned] = useState(null);
  const [pinnedIn, setPinnedIn] = useState(currentStep);
  if (pinnedIn !== currentStep) {
    setPinnedIn(currentStep);
    setPinned(null);
  }
  const shownNumber = pinned ?? currentStep ?? state.steps[0]?.number ?? null;
  const shown = state.steps.find((s) => s.number === shownNumber) ?? state.steps[0] ?? null;

  const startedAt = parseTime(state.startedAt);
  const notes = shown
    ? [
        ...shown.notes,
        ...state.pending
          .filter((n) => n.step === shown.number)
          .map((n) => ({
            ...n,
            elapsed_seconds: startedAt === null ? null : Math.floor((parseTime(n.created_at) - startedAt) / 1000),
          })),
      ]
    : [];

  const [draft, setDraft] = useState("");
  // A note added to the step on show scrolls into view; switching tabs starts at the criteria.
  const bodyRef = useRef(null);
  const seen = useRef({ step: null, count: 0 });
  useLayoutEffect(() => {
    const el = bodyRef.current;
    const step = shown?.number ?? null;
    if (el && step === seen.current.step && notes.length > seen.current.count) el.scrollTop = el.scrollHeight;
    if (el && step !== seen.current.step) el.scrollTop = 0;
    seen.current = { step, count: notes.length };
  }, [notes.length, shown?.number]);

  const add = () => {
    if (shown && panel.addNote(shown.number, draft, room.serverNow())) setDraft("");
  };
  const onKeyDown = (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      add();
    }
  };

  if (collapsed) {
    return (
      <aside className="ml-ip ml-ip--collapsed" aria-label="Your notes" data-testid="interviewer-panel">
        <button type="button" className="ml-ip__expand" onClick={toggle} title="Show your criteria and notes">
          <span aria-hidden="true">‹</span> Notes
        </button>
      </aside>
    );
  }

  return (
    <aside className="ml-ip" aria-label="Your notes" data-testid="interviewer-panel">
      <header className="ml-ip__head">
        <div>
          <h2 className="ml-section__title ml-ip__title">Your notes</h2>
          <p className="ml-ip__private">Private — the candidate never sees these, nor your guide.</p>
        </div>
        <button type="button" className="ml-link" onClick={toggle} title="Hide the panel">
          Hide
        </button>
      </header>

      {!state.loaded && !state.loadError && <p className="ml-muted ml-ip__status">Loading criteria…</p>}
      {state.loadError && (
        <p className="ml-ip__status ml-ip__error">
          {state.loadError}{" "}
          <button type="button" className="ml-linkbtn" onClick={() => panel.load()}>
            Try again
          </button>
        </p>
      )}

      {state.loaded && (
        <>
          <div className="ml-ip__tabs" role="tablist" aria-label="Steps">
            {state.steps.map((step) => {
              const selected = shown && step.number === shown.number;
              const met = step.criteria.filter((c) => c.met === true).length;
              const cls = [
                "ml-ip__tab",
                selected && "ml-ip__tab--selected",
                step.number === currentStep && "ml-ip__tab--current",
              ]
                .filter(Boolean)
                .join(" ");
              return (
                <button
                  key={step.number}
                  type="button"
                  role="tab"
                  aria-selected={selected}
                  className={cls}
                  title={`Step ${step.number}: ${step.title}${step.number === currentStep ? " (current)" : ""}`}
                  onClick={() => setPinned(step.number === currentStep ? null : step.number)}
                >
                  <span className="ml-ip__tab-num">{step.number}</span>
                  {met > 0 && <span className="ml-ip__tab-count">{met}</span>}
                </button>
              );
            })}
          </div>

          {shown && (
            <div
              className="ml-ip__body"
              ref={bodyRef}
              role="tabpanel"
              aria-label={`Step ${shown.number}: ${shown.title}`}
            >
              <div className="ml-ip__step">
                <span className="ml-ip__step-title">
                  {shown.number}. {shown.title}
                </span>
                {shown.number === currentStep && <span className="ml-tag">now</span>}
              </div>

              {state.locked && (
                <p className="ml-ip__locked">The scorecard is submitted: these ticks and notes are final.</p>
              )}

              {shown.number === currentStep && !state.locked && (
                <PacingHint roomState={roomState} step={shown} room={room} />
              )}

              {shown.prompts?.length > 0 && (
                <>
                  <h3 className="ml-section__title">Ask</h3>
                  <ul className="ml-ip-guide__prompts" data-testid="guide-prompts">
                    {shown.prompts.map((prompt) => (
                      <li key={prompt}>{prompt}</li>
                    ))}
                  </ul>
                </>
              )}

              {shown.facts?.length > 0 && (
                <>
                  <h3 className="ml-section__title">Facts to give when asked</h3>
                  <ul className="ml-ip-guide" data-testid="guide-facts">
                    {shown.facts.map((fact) => (
                      <GuideItem
                        key={fact.item}
                        entry={fact}
                        given
                        disabled={state.locked}
                        onSet={(kind, item, on) => panel.setMark(kind, item, on, room.serverNow())}
                      />
                    ))}
                  </ul>
                </>
              )}

              {shown.checklist?.map((group) => (
                <div key={group.title}>
                  <h3 className="ml-section__title">Expected: {group.title}</h3>
                  <ul className="ml-ip-guide" data-testid="guide-checklist">
                    {group.items.map((entry) => (
                      <GuideItem
                        key={`${entry.kind}:${entry.item}`}
                        entry={entry}
                        disabled={state.locked}
                        onSet={(kind, item, on) => panel.setMark(kind, item, on, room.serverNow())}
                      />
                    ))}
                  </ul>
                </div>
              ))}

              <h3 className="ml-section__title">Criteria</h3>
              <ul className="ml-ip-crits">
                {shown.criteria.map((criterion) => (
                  <CriterionRow
                    key={criterion.id}
                    criterion={criterion}
                    disabled={state.locked}
                    onSet={(id, met) => panel.setCheck(id, met)}
                  />
                ))}
              </ul>

              {state.pitfalls.length > 0 && (
                <details className="ml-ip-guide__pitfalls">
                  <summary>Pitfalls to probe</summary>
                  <ul>
                    {state.pitfalls.map((pitfall) => (
                      <li key={pitfall}>{pitfall}</li>
                    ))}
                  </ul>
                </details>
              )}

              {shown.follow_ups?.length > 0 && (
                <>
                  <h3 className="ml-section__title">Follow-up questions</h3>
                  <ul className="ml-ip-followups" data-testid="panel-follow-ups">
                    {shown.follow_ups.map((question) => (
                      <li key={question}>{question}</li>
                    ))}
                  </ul>
                </>
              )}

              {shown.hints?.length > 0 && (
                <details className="ml-ip-hints">
                  <summary>Hints to give if the candidate is stuck</summary>
                  <ul className="ml-ip-followups" data-testid="panel-hints">
                    {shown.hints.map((hint) => (
                      <li key={hint}>{hint}</li>
                    ))}
                  </ul>
                </details>
              )}

              <h3 className="ml-section__title">Notes on this step</h3>
              <ol className="ml-ip-notes" data-testid="panel-notes">
                {notes.length === 0 && <li className="ml-ip-notes__empty">No notes on this step yet.</li>}
                {notes.map((note) => (
                  <NoteItem key={note.id ?? note.client_id} note={note} panel={panel} />
                ))}
              </ol>
            </div>
          )}

          {shown && !state.locked && (
            <form
              className="ml-ip__form"
              onSubmit={(e) => {
                e.preventDefault();
                add();
              }}
            >
              <textarea
                className="ml-chat__input"
                rows={2}
                value={draft}
                maxLength={MAX_NOTE_LENGTH}
                placeholder={`Note on step ${shown.number} — Enter to add`}
                aria-label={`Private note on step ${shown.number}`}
                onChange={(e) => setDraft(e.target.value)}
                onKeyDown={onKeyDown}
              />
              <button type="submit" className="ml-btn ml-btn--primary" disabled={!draft.trim()}>
                Add
              </button>
            </form>
          )}
        </>
      )}
    </aside>
  );
}
