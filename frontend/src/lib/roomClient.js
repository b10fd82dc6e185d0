/**
 * Client side of the room socket (docs/protocol.md, "Room socket"):
 * room_state, chat (optimistic, reconciled by client_msg_id), step, online.
 */
import { uuid } from "./ids.js";
import { parseTime } from "./time.js";
import { ReconnectingSocket } from "./socket.js";

export const MAX_CHAT_LENGTH = 2000;

export class RoomClient {
  constructor({ path, me, role, onError, onEnded }) {
    this.onEnded = onEnded;
    this.me = me;
    this.onError = onError ?? (() => {});
    this.pendingChats = new Map(); // client_msg_id -> optimistic event
    this.names = new Map(); // user id -> display name
    this.roles = new Map(); // user id -> "interviewer" | "candidate" | …
    // Who is here: the protocol's `online` list of user ids, refined by
    // `participant` frames (client_id -> user) when the server sends them.
    this.baseOnline = [];
    this.participants = new Map();
    this.participantsSeen = false;
    if (me?.id != null) this.names.set(me.id, me.name);
    this._listeners = new Set();
    this.state = {
      connection: "connecting",
      loaded: false,
      status: null,
      you: me ? { ...me, role } : null,
      steps: [],
      currentStep: null,
      stepStartedAt: null,
      clockOffset: 0, // server clock - local clock, in ms
      transcript: [],
      recording: null, // {state: off|asked|on|deleted, interviewer_consented, candidate_consented, next_seq}
      pending: [],
      online: [],
      names: this.names,
      roles: this.roles,
    };
    if (me?.id != null && role) this.roles.set(me.id, role);
    this.socket = new ReconnectingSocket(path, {
      onMessage: (msg) => this._onMessage(msg),
      onClose: ({ final, code }) => {
        this.participants.clear();
        this.participantsSeen = false;
        this.baseOnline = [];
        this._set({ connection: final ? "closed" : "reconnecting", online: [] });
        if (final) {
          this.onError({
            code: "forbidden",
            message: code === 4404 ? "This interview no longer exists." : "You do not have access to this room.",
          });
        }
      },
    });
  }

  start() {
    this.socket.start();
  }

  stop() {
    this.socket.stop();
  }

  subscribe = (fn) => {
    this._listeners.add(fn);
    return () => this._listeners.delete(fn);
  };

  getState = () => this.state;

  /** Registers names learnt elsewhere (board peers, presence). */
  learnName(user) {
    if (!user || user.id == null || !user.name) return;
    if (this.names.get(user.id) === user.name) return;
    this.names.set(user.id, user.name);
    this._set({ names: new Map(this.names) });
  }

  nameOf(id) {
    return this.names.get(id) ?? `User ${id}`;
  }

  /** Serverside "now" estimate. */
  serverNow() {
    return Date.now() + this.state.clockOffset;
  }

  sendChat(rawText) {
    const text = (rawText ?? "").trim();
    if (!text) return false;
    if (text.length > MAX_CHAT_LENGTH) {
      this.onError({ code: "invalid", message: `Messages are limited to ${MAX_CHAT_LENGTH} characters.` });
      return false;
    }
    const clientMsgId = uuid();
    const optimistic = {
      id: null,
      kind: "chat",
      author: this.me ? { id: this.me.id, name: this.me.name } : null,
      text,
      step: this.state.currentStep,
      created_at: new Date(this.serverNow()).toISOString(),
      client_msg_id: clientMsgId,
      pending: true,
    };
    this.pendingChats.set(clientMsgId, optimistic);
    this._set({ pending: [...this.pendingChats.values()] });
    this.socket.send({ type: "chat", text, client_msg_id: clientMsgId });
    return true;
  }

  retryChat(clientMsgId) {
    const msg = this.pendingChats.get(clientMsgId);
    if (!msg) return;
    this.pendingChats.set(clientMsgId, { ...msg, failed: false });
    this._set({ pending: [...this.pendingChats.values()] });
    this.socket.send({ type: "chat", text: msg.text, client_msg_id: clientMsgId });
  }

  discardChat(clientMsgId) {
    if (this.pendingChats.delete(clientMsgId)) this._set({ pending: [...this.pendingChats.values()] });
  }

  moveStep(step) {
    if (!this.socket.send({ type: "step", step })) {
      this.onError({ code: "offline", message: "Not connected — the step was not changed. Try again in a moment." });
    }
  }

  /** Consent to recording, or stop it ("consent" | "stop"). */
  sendRecording(action) {
    return this.socket.send({ type: "recording", action });
  }

  // --------------------------------------------------------------- internals

  _onMessage(msg) {
    switch (msg.type) {
      case "room_state":
        this._onRoomState(msg);
        this.onReconnect?.();
        break;
      case "chat":
      case "speech": // a transcribed segment of someone's recorded speech
        if (msg.event) this._addEvent(msg.event);
        break;
      case "recording":
        this._set({ recording: { ...this.state.recording, ...msg } });
        break;
      case "step": {
        const patch = {};
        if (typeof msg.current_step === "number") patch.currentStep = msg.current_step;
        if (msg.step_started_at) patch.stepStartedAt = msg.step_started_at;
        // budgets for this interview's length and the time each step took, the one just left included
        if (Array.isArray(msg.steps)) patch.steps = [...msg.steps].sort((a, b) => a.number - b.number);
        this._set(patch);
        if (msg.event) this._addEvent(msg.event);
        break;
      }
      case "online":
        if (Array.isArray(msg.online)) {
          this.baseOnline = msg.online;
          this.participants.clear();
          this.participantsSeen = false;
          this._set({ online: this._online() });
        }
        break;
      case "participant":
        this._onParticipant(msg);
        break;
      case "error":
        this._onServerError(msg);
        break;
      case "call":
      case "signal":
        this.onCall?.(msg);
        break;
      case "ended":
        // The interviewer ended the interview: the room is closed; the review is where to go.
        this.onCallEnded?.();
        this._set({ ended: true });
        if (this.onEnded) this.onEnded(msg);
        break;
      default:
        break;
    }
  }

  _onRoomState(msg) {
    const serverNow = parseTime(msg.now);
    const transcript = Array.isArray(msg.transcript) ? msg.transcript : [];
    for (const ev of transcript) this._learnAuthor(ev);
    if (msg.you) {
      this.me = { id: msg.you.id, name: msg.you.name };
      this.names.set(msg.you.id, msg.you.name);
      if (msg.you.role) this.roles.set(msg.you.id, msg.you.role);
    }
    this.baseOnline = Array.isArray(msg.online) ? msg.online : [];
    this.participants.clear();
    this.participantsSeen = false;
    // optimistic messages the server already stored are done; re-send the rest
    const stored = new Set(transcript.map((ev) => ev.client_msg_id).filter(Boolean));
    for (const id of [...this.pendingChats.keys()]) if (stored.has(id)) this.pendingChats.delete(id);

    this._set({
      connection: "connected",
      loaded: true,
      status: msg.interview?.status ?? null,
      you: msg.you ?? this.state.you,
      steps: Array.isArray(msg.steps) ? [...msg.steps].sort((a, b) => a.number - b.number) : [],
      currentStep: msg.current_step ?? null,
      stepStartedAt: msg.step_started_at ?? null,
      clockOffset: serverNow === null ? 0 : serverNow - Date.now(),
      transcript: dedupe(transcript),
      recording: msg.recording ?? null,
      pending: [...this.pendingChats.values()],
      online: this._online(),
      names: new Map(this.names),
      roles: new Map(this.roles),
    });
    for (const p of this.pendingChats.values()) {
      if (!p.failed) this.socket.send({ type: "chat", text: p.text, client_msg_id: p.client_msg_id });
    }
  }

  _onParticipant(msg) {
    if (!msg.client_id) return;
    this.participantsSeen = true;
    if (msg.status === "left") {
      this.participants.delete(msg.client_id);
    } else if (msg.user && msg.user.id != null) {
      this.participants.set(msg.client_id, msg.user);
      if (msg.user.name) this.names.set(msg.user.id, msg.user.name);
      if (msg.user.role) this.roles.set(msg.user.id, msg.user.role);
    }
    this._set({ online: this._online(), names: new Map(this.names), roles: new Map(this.roles) });
  }

  _online() {
    const ids = [];
    const add = (id) => {
      if (id != null && !ids.includes(id)) ids.push(id);
    };
    if (this.me?.id != null && this.state?.connection !== "reconnecting") add(this.me.id);
    if (!this.participantsSeen) this.baseOnline.forEach(add);
    for (const user of this.participants.values()) add(user.id);
    return ids;
  }

  _addEvent(ev) {
    this._learnAuthor(ev);
    const patch = {};
    if (ev.client_msg_id && this.pendingChats.delete(ev.client_msg_id)) {
      patch.pending = [...this.pendingChats.values()];
    }
    const transcript = this.state.transcript;
    if (ev.id == null || !transcript.some((t) => t.id === ev.id)) {
      patch.transcript = [...transcript, ev];
    }
    patch.names = new Map(this.names);
    this._set(patch);
  }

  _learnAuthor(ev) {
    const a = ev?.author;
    if (a && a.id != null && a.name) this.names.set(a.id, a.name);
  }

  _onServerError(msg) {
    if (msg.ref && this.pendingChats.has(msg.ref)) {
      const p = this.pendingChats.get(msg.ref);
      this.pendingChats.set(msg.ref, { ...p, failed: true });
      this._set({ pending: [...this.pendingChats.values()] });
    }
    this.onError({ code: msg.code, message: msg.message || "The room rejected that action." });
  }

  _set(patch) {
    this.state = { ...this.state, ...patch };
    for (const fn of this._listeners) fn();
  }
}

function dedupe(events) {
  const seen = new Set();
  const out = [];
  for (const ev of events) {
    if (ev.id != null) {
      if (seen.has(ev.id)) continue;
      seen.add(ev.id);
    }
    out.push(ev);
  }
  return out;
}
