import { useEffect, useLayoutEffect, useRef, useState } from "react";

import { avatarColor, initials } from "../lib/avatar.js";
import { MAX_CHAT_LENGTH } from "../lib/roomClient.js";
import { formatClock } from "../lib/time.js";

function StepTag({ step, steps }) {
  if (step == null) return null;
  const info = steps.find((s) => s.number === step);
  return (
    <span className="ml-tag" title={info ? `Step ${step}: ${info.title}` : `Step ${step}`}>
      Step {step}
    </span>
  );
}

function authorName(ev, names) {
  const a = ev.author;
  if (!a) return "System";
  return a.name || names.get(a.id) || `User ${a.id}`;
}

function StepEvent({ ev, steps, names }) {
  const number = ev.step ?? ev.current_step ?? null;
  const info = steps.find((s) => s.number === number);
  const text = ev.text || (info ? `Moved to step ${number}: ${info.title}` : `Moved to step ${number ?? "?"}`);
  return (
    <li className="ml-chat__event" data-kind={ev.kind}>
      <span>{text}</span>
      <span className="ml-chat__event-meta">
        {ev.author ? `${authorName(ev, names)} · ` : ""}
        {formatClock(ev.created_at)}
      </span>
    </li>
  );
}

function Message({ ev, steps, names, me, room }) {
  const mine = me && ev.author && ev.author.id === me.id;
  const name = authorName(ev, names);
  const cls = ["ml-msg", mine && "ml-msg--mine", ev.pending && "ml-msg--pending", ev.failed && "ml-msg--failed"]
    .filter(Boolean)
    .join(" ");
  return (
    <li className={cls} data-client-msg-id={ev.client_msg_id || undefined}>
      <span
        className="ml-avatar ml-avatar--sm"
        style={{ background: avatarColor(ev.author?.id ?? name) }}
        aria-hidden="true"
      >
        {initials(name)}
      </span>
      <div className="ml-msg__body">
        <div className="ml-msg__head">
          <span className="ml-msg__author">{mine ? `${name} (you)` : name}</span>
          <time className="ml-msg__time" dateTime={ev.created_at}>
            {formatClock(ev.created_at)}
          </time>
          <StepTag step={ev.step} steps={steps} />
        </div>
        <div className="ml-msg__text">{ev.text}</div>
        {ev.failed && (
          <div className="ml-msg__failed">
            Not sent.{" "}
            <button type="button" className="ml-linkbtn" onClick={() => room.retryChat(ev.client_msg_id)}>
              Retry
            </button>{" "}
            ·{" "}
            <button type="button" className="ml-linkbtn" onClick={() => room.discardChat(ev.client_msg_id)}>
              Discard
            </button>
          </div>
        )}
        {ev.pending && !ev.failed && <div className="ml-msg__sending">Sending…</div>}
      </div>
    </li>
  );
}

export default function ChatPanel({ room, state, me }) {
  const [draft, setDraft] = useState("");
  const listRef = useRef(null);
  const stickToBottom = useRef(true);
  const messages = [...state.transcript, ...state.pending];

  const onScroll = () => {
    const el = listRef.current;
    if (!el) return;
    stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
  };

  useLayoutEffect(() => {
    const el = listRef.current;
    if (el && stickToBottom.current) el.scrollTop = el.scrollHeight;
  }, [messages.length]);

  // a fresh room_state (reconnect) jumps to the newest message
  useEffect(() => {
    stickToBottom.current = true;
  }, [state.loaded]);

  const send = () => {
    if (room.sendChat(draft)) {
      setDraft("");
      stickToBottom.current = true;
    }
  };

  const onKeyDown = (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  };

  return (
    <section className="ml-chat" aria-labelledby="ml-chat-title">
      <div className="ml-chat__head">
        <h2 id="ml-chat-title" className="ml-section__title">
          Chat
        </h2>
        {state.connection !== "connected" && <span className="ml-muted">{state.loaded ? "reconnecting…" : "connecting…"}</span>}
      </div>
      <ol className="ml-chat__list" ref={listRef} onScroll={onScroll} aria-live="polite">
        {messages.length === 0 && state.loaded && (
          <li className="ml-chat__empty">No messages yet. Say hello and agree on the scope.</li>
        )}
        {messages.map((ev, i) =>
          ev.kind && ev.kind !== "chat" ? (
            <StepEvent key={ev.id ?? `e${i}`} ev={ev} steps={state.steps} names={state.names} />
          ) : (
            <Message
              key={ev.id ?? ev.client_msg_id ?? `m${i}`}
              ev={ev}
              steps={state.steps}
              names={state.names}
              me={me}
              room={room}
            />
          ),
        )}
      </ol>
      <form
        className="ml-chat__form"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <textarea
          className="ml-chat__input"
          rows={2}
          value={draft}
          maxLength={MAX_CHAT_LENGTH}
          placeholder="Message — Enter to send, Shift+Enter for a new line"
          aria-label="Chat message"
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <button type="submit" className="ml-btn ml-btn--primary" disabled={!draft.trim()}>
          Send
        </button>
      </form>
    </section>
  );
}
