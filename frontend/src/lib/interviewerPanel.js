/**
 * The interviewer's side panel: criteria ticks, private notes and the guide (prompts, facts to
 * give, the expected items as a checklist, pitfalls) per step, kept on the server through the
 * panel API (GET panel, PUT check, POST note, PUT guide mark). Nothing goes over the room socket.
 *
 * Ticks are optimistic: the box changes at once, requests for one criterion go out in order,
 * and a refused change rolls back to what the server last confirmed. Notes carry a client_id,
 * so retrying one whose answer was lost never saves it twice.
 */
import { uuid } from "./ids.js";

export const MAX_NOTE_LENGTH = 2000;

function csrfHeaders(csrfToken) {
  return csrfToken ? { "X-CSRFToken": csrfToken } : {};
}

async function request(url, { method = "GET", body, csrfToken } = {}) {
  let response;
  try {
    response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...(method === "GET" ? {} : csrfHeaders(csrfToken)),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    const err = new Error("Not saved: the server cannot be reached. Check your connection and retry.");
    err.code = "offline";
    throw err;
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const err = new Error(data?.message || `The server answered ${response.status}.`);
    err.code = data?.code || `http_${response.status}`;
    err.status = response.status;
    throw err;
  }
  return { status: response.status, data };
}

export class PanelClient {
  constructor({ url, csrfToken, onError }) {
    this.url = url;
    this.csrfToken = csrfToken;
    this.onError = onError ?? (() => {});
    this.confirmed = new Map(); // criterion id -> met as the server last confirmed it
    this.chains = new Map(); // criterion id -> promise of the last request sent for it
    this.pending = new Map(); // client_id -> note not saved yet
    this._listeners = new Set();
    this.state = {
      loaded: false,
      loadError: null,
      locked: false,
      startedAt: null,
      notesUrl: null,
      guideUrl: null,
      pitfalls: [],
      steps: [],
      pending: [],
    };
  }

  subscribe = (fn) => {
    this._listeners.add(fn);
    return () => this._listeners.delete(fn);
  };

  getState = () => this.state;

  async load() {
    try {
      const { data } = await request(this.url);
      this.confirmed.clear();
      for (const step of data.steps) for (const c of step.criteria) this.confirmed.set(c.id, c.met);
      const saved = new Set(data.steps.flatMap((s) => s.notes.map((n) => n.client_id)).filter(Boolean));
      for (const id of [...this.pending.keys()]) if (saved.has(id)) this.pending.delete(id);
      this._set({
        loaded: true,
        loadError: null,
        locked: data.locked,
        startedAt: data.interview.started_at,
        notesUrl: data.notes_url,
        guideUrl: data.guide_url,
        pitfalls: data.pitfalls ?? [],
        steps: data.steps,
        pending: [...this.pending.values()],
      });
    } catch (err) {
      this._set({ loadError: err.message });
    }
  }

  /** met: true (met), false (not met) or null (not seen). */
  setCheck(criterionId, met) {
    const criterion = this._criterion(criterionId);
    if (!criterion || this.state.locked) return;
    this._patchCriterion(criterionId, { met });
    const previous = this.chains.get(criterionId) ?? Promise.resolve();
    const next = previous.then(async () => {
      try {
        const { data } = await request(criterion.check_url, { method: "PUT", body: { met }, csrfToken: this.csrfToken });
        this.confirmed.set(criterionId, data.met);
      } catch (err) {
        this._patchCriterion(criterionId, { met: this.confirmed.get(criterionId) ?? null });
        if (err.code === "locked") this._set({ locked: true });
        this.onError({ code: err.code, message: err.message });
      }
    });
    this.chains.set(criterionId, next);
  }

  /** Adds a note to a step; returns false when there is nothing to add. */
  addNote(step, rawText, now = Date.now()) {
    const text = (rawText ?? "").trim();
    if (!text || this.state.locked) return false;
    if (text.length > MAX_NOTE_LENGTH) {
      this.onError({ code: "invalid", message: `Notes are limited to ${MAX_NOTE_LENGTH} characters.` });
      return false;
    }
    const note = {
      client_id: uuid(),
      step,
      text,
      created_at: new Date(now).toISOString(),
      pending: true,
      failed: false,
    };
    this.pending.set(note.client_id, note);
    this._set({ pending: [...this.pending.values()] });
    this._sendNote(note);
    return true;
  }

  /** Mark a guide item (kind "fact", "component", "connection" or "metric") given/covered or not. */
  async setMark(kind, item, on, now = Date.now()) {
    if (this.state.locked || !this.state.guideUrl) return;
    const before = this._markOf(kind, item);
    if (before === undefined) return;
    this._patchMark(kind, item, on ? new Date(now).toISOString() : null);
    try {
      const { data } = await request(this.state.guideUrl, {
        method: "PUT",
        body: { kind, item, on },
        csrfToken: this.csrfToken,
      });
      this._patchMark(kind, item, data.marked_at);
    } catch (err) {
      this._patchMark(kind, item, before);
      if (err.code === "locked") this._set({ locked: true });
      this.onError({ code: err.code, message: err.message });
    }
  }

  retryNote(clientId) {
    const note = this.pending.get(clientId);
    if (!note) return;
    const again = { ...note, failed: false };
    this.pending.set(clientId, again);
    this._set({ pending: [...this.pending.values()] });
    this._sendNote(again);
  }

  discardNote(clientId) {
    if (this.pending.delete(clientId)) this._set({ pending: [...this.pending.values()] });
  }

  // --------------------------------------------------------------- internals

  async _sendNote(note) {
    try {
      const { data } = await request(this.state.notesUrl, {
        method: "POST",
        body: { step: note.step, text: note.text, client_id: note.client_id },
        csrfToken: this.csrfToken,
      });
      this.pending.delete(note.client_id);
      const steps = this.state.steps.map((s) =>
        s.number === data.step && !s.notes.some((n) => n.id === data.id) ? { ...s, notes: [...s.notes, data] } : s,
      );
      this._set({ steps, pending: [...this.pending.values()] });
    } catch (err) {
      if (!this.pending.has(note.client_id)) return;
      this.pending.set(note.client_id, { ...note, failed: true, error: err.message });
      this._set({ pending: [...this.pending.values()] });
      if (err.code === "locked") this._set({ locked: true });
      this.onError({ code: err.code, message: err.message });
    }
  }

  _criterion(id) {
    for (const step of this.state.steps) {
      const found = step.criteria.find((c) => c.id === id);
      if (found) return found;
    }
    return null;
  }

  _guideItems(step) {
    return [...(step.facts ?? []), ...(step.checklist ?? []).flatMap((group) => group.items)];
  }

  _markOf(kind, item) {
    for (const step of this.state.steps) {
      const found = this._guideItems(step).find((i) => i.kind === kind && i.item === item);
      if (found) return found.marked_at;
    }
    return undefined;
  }

  _patchMark(kind, item, markedAt) {
    const patch = (i) => (i.kind === kind && i.item === item ? { ...i, marked_at: markedAt } : i);
    const steps = this.state.steps.map((step) => ({
      ...step,
      facts: (step.facts ?? []).map(patch),
      checklist: (step.checklist ?? []).map((group) => ({ ...group, items: group.items.map(patch) })),
    }));
    this._set({ steps });
  }

  _patchCriterion(id, patch) {
    const steps = this.state.steps.map((step) =>
      step.criteria.some((c) => c.id === id)
        ? { ...step, criteria: step.criteria.map((c) => (c.id === id ? { ...c, ...patch } : c)) }
        : step,
    );
    this._set({ steps });
  }

  _set(patch) {
    this.state = { ...this.state, ...patch };
    for (const fn of this._listeners) fn();
  }
}

/**
 * The pacing hint for the current step: null while within its budget, else how far over it is.
 * `stepStartedAt` is an ISO time (or null before the clock starts); `now` is the server's time.
 */
export function pacing({ stepStartedAt, budgetMinutes, now }) {
  const started = stepStartedAt ? Date.parse(stepStartedAt) : NaN;
  if (Number.isNaN(started) || !budgetMinutes) return null;
  const overMs = now - started - budgetMinutes * 60000;
  return overMs > 0 ? { overMinutes: Math.ceil(overMs / 60000), budgetMinutes } : null;
}
