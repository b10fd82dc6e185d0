/**
 * The board's op log, replayed in the browser.
 *
 * `ReplayLog` holds the ops the history API returns and rebuilds the board as it
 * was right after any seq, with the server's per-element rule and stacking order
 * (`board/reconcile.js`: higher `version` wins, on a tie the lower `versionNonce`;
 * by fractional `index`, unindexed last). Checkpoints every few hundred ops keep
 * a jump anywhere cheap; moving forward reuses the current state.
 *
 * `ReplayController` drives one replay: it loads the history a page at a time,
 * keeps the position (a seq and a moment), plays it back on a clock, and draws
 * each position into a read-only Excalidraw through `updateScene`.
 */
import { CaptureUpdateAction, restoreElements } from "@excalidraw/excalidraw";

import { wins, zOrder } from "./board/reconcile.js";

const CHECKPOINT_EVERY = 250;
const PAGE_SIZE = 1000;
export const FIT_PLAYBACK_MS = 20_000; // "fit": the whole interview in about 20 seconds
export const SPEEDS = [
  { key: "fit", label: "≈20 s" },
  { key: "4", label: "4×" },
  { key: "16", label: "16×" },
  { key: "64", label: "64×" },
];

/** 12:05, or 1:02:05 past the hour (the same labels the page prints). */
export function elapsedLabel(ms) {
  const total = Math.max(0, Math.floor((ms || 0) / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

function parseTime(iso) {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/** The index of the first item in the sorted `list` greater than `value`. */
function upperBound(list, value, key = (x) => x) {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(list[mid]) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class ReplayLog {
  constructor(initial = []) {
    this.initial = new Map(initial.map((el) => [el.id, el]));
    this.ops = []; // [{seq, at (ms), elements}], in seq order
    this.times = []; // running maximum of the ops' times: sorted even if commits overlapped
    this.checkpoints = new Map([[0, this.initial]]); // ops applied -> state after them
    this.cursor = { index: 0, state: new Map(this.initial) };
  }

  append(ops) {
    for (const op of ops) {
      if (this.ops.length && op.seq <= this.ops[this.ops.length - 1].seq) continue;
      const at = parseTime(op.at) ?? (this.times.length ? this.times[this.times.length - 1] : 0);
      this.ops.push({ seq: op.seq, at, elements: op.elements || [] });
      this.times.push(Math.max(at, this.times.length ? this.times[this.times.length - 1] : at));
    }
  }

  get lastSeq() {
    return this.ops.length ? this.ops[this.ops.length - 1].seq : 0;
  }

  /** How many ops are at or below `seq`. */
  countAt(seq) {
    return upperBound(this.ops, seq, (op) => op.seq);
  }

  /** The last seq committed at or before the moment `ms` (0 before the first op). */
  seqAtTime(ms) {
    const count = upperBound(this.times, ms);
    return count ? this.ops[count - 1].seq : 0;
  }

  /** When op `seq` was committed (null for seq 0). */
  timeOfSeq(seq) {
    const count = this.countAt(seq);
    return count ? this.times[count - 1] : null;
  }

  /** The board (id -> element, tombstones included) right after op `seq`. Do not mutate it. */
  stateAt(seq) {
    const target = this.countAt(seq);
    if (target < this.cursor.index) {
      let from = 0;
      for (const index of this.checkpoints.keys()) if (index <= target && index > from) from = index;
      this.cursor = { index: from, state: new Map(this.checkpoints.get(from)) };
    }
    const { state } = this.cursor;
    for (let i = this.cursor.index; i < target; i += 1) {
      for (const el of this.ops[i].elements) {
        const known = state.get(el.id);
        if (!known || wins(el, known)) state.set(el.id, el);
      }
      const applied = i + 1;
      if (applied % CHECKPOINT_EVERY === 0 && !this.checkpoints.has(applied)) {
        this.checkpoints.set(applied, new Map(state));
      }
    }
    this.cursor.index = target;
    return state;
  }

  /** What the board showed after op `seq`: live elements in stacking order. */
  visibleAt(seq) {
    const live = [];
    for (const el of this.stateAt(seq).values()) if (!el.isDeleted) live.push(el);
    return zOrder(live);
  }
}

/** Restores each stored element for Excalidraw once, and reuses it at every position. */
class SceneCache {
  constructor() {
    this.restored = new WeakMap();
  }

  get(raw) {
    let el = this.restored.get(raw);
    if (!el) {
      // restoreElements drops invisibly small elements; keep them as they were stored
      [el] = restoreElements([raw], null);
      el = el || { ...raw };
      this.restored.set(raw, el);
    }
    return el;
  }
}

/**
 * One replay. Listeners get an immutable snapshot:
 * {status: "loading"|"ready"|"error", error, seq, head, loadedSeq, at (ms), pinned,
 *  playing, speed, startedAt, endAt, steps: [{number, title, seq, at, eventId}]}
 */
export class ReplayController {
  constructor({ historyUrl, headSeq = 0, startedAt = null }) {
    this.historyUrl = historyUrl;
    this.log = new ReplayLog();
    this.scene = new SceneCache();
    this.api = null;
    this.listeners = new Set();
    this.pending = null; // a seek asked for before the history arrived
    this.raf = null;
    this.lastFrame = null;
    this.drawnSeq = null;
    this.aborter = null;
    this.meta = null; // the first history page: lanes, step starts, start and end
    this.snapshot = {
      status: "loading",
      error: null,
      seq: headSeq,
      head: headSeq,
      loadedSeq: 0,
      at: null,
      playing: false,
      pinned: false, // the moment was picked exactly (a timeline line), not derived from a seq
      speed: "fit",
      startedAt: parseTime(startedAt),
      endAt: null,
      steps: [],
    };
  }

  subscribe = (listener) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = () => this.snapshot;

  set(patch) {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const listener of this.listeners) listener(this.snapshot);
  }

  attach(api) {
    this.api = api;
    this.drawnSeq = null;
    if (this.snapshot.status === "ready") this.draw();
  }

  destroy() {
    this.stopClock();
    this.aborter?.abort();
    this.listeners.clear();
    this.api = null;
  }

  async load() {
    this.aborter?.abort();
    const aborter = new AbortController();
    this.aborter = aborter;
    this.set({ status: "loading", error: null });
    let after = 0;
    let first = true;
    this.log = new ReplayLog();
    try {
      for (;;) {
        const url = `${this.historyUrl}?after=${after}&limit=${PAGE_SIZE}`;
        const response = await fetch(url, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
          signal: aborter.signal,
        });
        if (!response.ok) {
          let message = `The board history could not be loaded (HTTP ${response.status}).`;
          try {
            const body = await response.json();
            if (body?.message) message = body.message;
          } catch {
            /* keep the generic message */
          }
          throw new Error(message);
        }
        const page = await response.json();
        if (first) {
          this.log = new ReplayLog(page.initial || []);
          this.meta = page;
          first = false;
        }
        this.log.append(page.ops || []);
        this.set({ loadedSeq: this.log.lastSeq, head: Math.max(page.seq ?? 0, this.log.lastSeq) });
        if (page.next_after == null || page.next_after <= after) break;
        after = page.next_after;
      }
    } catch (err) {
      if (aborter.signal.aborted) return;
      this.set({ status: "error", error: err.message || String(err) });
      return;
    }
    const meta = this.meta || {};
    const head = this.log.lastSeq;
    const startedAt = parseTime(meta.started_at) ?? this.log.times[0] ?? Date.now();
    const lastOp = this.log.times.length ? this.log.times[this.log.times.length - 1] : startedAt;
    const ended = parseTime(meta.ended_at);
    const steps = (meta.steps || []).map((step) => ({
      number: step.number,
      title: step.title,
      seq: Math.min(step.seq, head),
      at: parseTime(step.at),
      eventId: step.event_id,
    }));
    this.set({ head, startedAt, endAt: Math.max(lastOp, ended ?? lastOp), steps });
    const pending = this.pending;
    this.pending = null;
    this.set({ status: "ready" });
    if (pending?.time != null) this.seekTime(pending.time);
    else if (pending) this.seek(pending.seq, { at: pending.at });
    else this.seekEnd();
  }

  /** Move to just after op `seq`; `at` (ms) pins the moment when it is known (a timeline entry). */
  seek(seq, { at = null } = {}) {
    const target = Number(seq);
    if (!Number.isFinite(target)) return;
    if (this.snapshot.status !== "ready") {
      this.pending = { seq: target, at };
      return;
    }
    const clamped = Math.max(0, Math.min(Math.round(target), this.snapshot.head));
    const moment = at ?? this.log.timeOfSeq(clamped) ?? this.snapshot.startedAt;
    this.set({ seq: clamped, at: moment, pinned: at != null });
    this.draw();
  }

  /** Move to a moment (ms since the epoch): the board as it was then, pinned at that time. */
  seekTime(ms) {
    const target = Number(ms);
    if (!Number.isFinite(target)) return;
    if (this.snapshot.status !== "ready") {
      this.pending = { time: target };
      return;
    }
    const { startedAt, endAt } = this.snapshot;
    const at = Math.max(startedAt, Math.min(target, endAt ?? target));
    this.set({ at, seq: this.log.seqAtTime(at), pinned: true });
    this.draw();
  }

  /** The end of the interview: the final board, every line of the timeline behind us. */
  seekEnd() {
    if (this.snapshot.status !== "ready") return;
    this.set({ seq: this.snapshot.head, at: this.snapshot.endAt, pinned: false });
    this.draw();
  }

  draw() {
    const { seq } = this.snapshot;
    if (!this.api || this.drawnSeq === seq) return;
    const elements = this.log.visibleAt(seq).map((raw) => this.scene.get(raw));
    this.api.updateScene({ elements, captureUpdate: CaptureUpdateAction.NEVER });
    this.drawnSeq = seq;
  }

  /** Playback rate: how many interview milliseconds pass per real millisecond. */
  rate() {
    const { speed, startedAt, endAt } = this.snapshot;
    if (speed === "fit") return Math.max(1, (endAt - startedAt) / FIT_PLAYBACK_MS);
    return Number(speed) || 1;
  }

  setSpeed(speed) {
    if (SPEEDS.some((s) => s.key === speed)) this.set({ speed });
  }

  play() {
    if (this.snapshot.status !== "ready" || this.snapshot.playing) return;
    const { seq, head, startedAt } = this.snapshot;
    if (seq >= head) this.seek(0, { at: startedAt }); // at the end: play it again from the start
    this.set({ playing: true });
    this.lastFrame = null;
    this.raf = requestAnimationFrame(this.tick);
  }

  pause() {
    this.stopClock();
    if (this.snapshot.playing) this.set({ playing: false });
  }

  toggle() {
    if (this.snapshot.playing) this.pause();
    else this.play();
  }

  stopClock() {
    if (this.raf != null) cancelAnimationFrame(this.raf);
    this.raf = null;
  }

  tick = (now) => {
    this.raf = null;
    if (!this.snapshot.playing) return;
    const elapsed = this.lastFrame == null ? 0 : Math.min(now - this.lastFrame, 250);
    this.lastFrame = now;
    const { endAt, startedAt } = this.snapshot;
    const at = Math.min((this.snapshot.at ?? startedAt) + elapsed * this.rate(), endAt);
    this.set({ at, seq: this.log.seqAtTime(at), pinned: false });
    this.draw();
    if (at >= endAt) {
      this.set({ playing: false, seq: this.snapshot.head });
      this.draw();
      return;
    }
    this.raf = requestAnimationFrame(this.tick);
  };
}
