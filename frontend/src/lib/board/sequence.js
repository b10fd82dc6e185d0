/**
 * The board's sequence number on the client: gaps and catch-up
 * (docs/protocol.md, `ops` and `sync`).
 *
 * Every accepted batch has a `seq`, one above the last. A seq that arrives more
 * than one above the last seen opens a gap; the missing op is often just behind
 * (on its way through another server process), so after a short grace the
 * tracker sends `{"type": "sync", "since_seq": seq}`, answered by `catchup`
 * (a page at a time: `more` asks for the next) or a fresh `snapshot`.
 * Elements are applied as they come (the merge does not depend on order); this
 * only decides what seq the client is at and when to ask for what it missed.
 */

export const GAP_GRACE_MS = 300;
export const SYNC_TIMEOUT_MS = 5000;
export const SYNC_RETRY_MS = 1000;

/** The elements of a catch-up's ops, oldest op first. */
export function catchupElements(ops) {
  const sorted = Array.isArray(ops) ? [...ops].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0)) : [];
  const elements = [];
  for (const op of sorted) if (Array.isArray(op.elements)) elements.push(...op.elements);
  return elements;
}

export class SeqTracker {
  /**
   * @param {{sendSync: (sinceSeq: number|null) => boolean, canSync: () => boolean}} opts
   *   `sendSync` writes the `sync` frame (false when the socket is closed); `canSync` says whether
   *   the socket is ready (its snapshot in) for a retried request.
   */
  constructor({ sendSync, canSync }) {
    this.sendSync = sendSync;
    this.canSync = canSync;
    this.seq = null; // the last seq applied without a gap below it
    this.ahead = new Set(); // seqs seen above a gap, waiting for it to fill
    this.paging = false; // a catch-up said `more`: the next page is still to come
    this.syncing = null; // {since, timer} while a sync is unanswered
    this.gapTimer = null;
    this.retryTimer = null;
  }

  /** A (full) snapshot arrived: it answers any sync and sets the seq. */
  snapshot(seq) {
    this._syncAnswered();
    this.paging = false;
    if (typeof seq === "number") this.seq = seq;
    this._advance();
  }

  /** The seq of an `ops` frame or an `ack` (null for an ack that made no new seq). */
  note(seq) {
    if (typeof seq !== "number") return;
    if (this.seq === null) {
      this.seq = seq;
    } else if (seq <= this.seq) {
      return;
    } else if (seq === this.seq + 1 && !this.syncing) {
      this.seq = seq;
      this._advance();
    } else {
      // a gap, or an op that overtook the answer to a sync still on its way
      this.ahead.add(seq);
      if (!this.syncing) this._armGapTimer();
    }
  }

  /**
   * A `catchup` arrived (its elements are applied by the caller). Moves to what it covers and
   * through anything that arrived meanwhile, never past a seq not seen: a gap left over is asked
   * for again. A page with `more` asks for the next page from where it ended.
   */
  catchup(msg) {
    const seqs = Array.isArray(msg.ops) ? msg.ops.map((op) => op.seq) : [];
    const candidates = [this.seq, msg.seq, ...seqs].filter((s) => typeof s === "number");
    if (candidates.length) this.seq = Math.max(...candidates);
    this._syncAnswered();
    this._advance();
    this.paging = Boolean(msg.more) && typeof msg.seq === "number";
    if (this.paging) this.request();
  }

  /** The server refused a `sync` (rate_limited): ask again in a moment if something is still missing. */
  syncRefused() {
    if (!this.syncing) return;
    this._syncAnswered();
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.canSync() && (this.ahead.size > 0 || this.paging) && !this.syncing) this.request();
    }, SYNC_RETRY_MS);
  }

  /** The socket dropped: an unanswered sync will never be answered (the next snapshot brings everything). */
  disconnected() {
    this._syncAnswered();
  }

  /** Ask for everything after the current seq. */
  request() {
    const since = this.seq;
    if (!this.sendSync(since)) return;
    const timer = setTimeout(() => {
      // no answer: accept what we have and let the next gap ask again
      if (this.syncing && this.syncing.timer === timer) this.syncing = null;
    }, SYNC_TIMEOUT_MS);
    this.syncing = { since, timer };
  }

  stop() {
    this._syncAnswered();
    clearTimeout(this.gapTimer);
    clearTimeout(this.retryTimer);
    this.gapTimer = null;
    this.retryTimer = null;
  }

  _syncAnswered() {
    if (!this.syncing) return;
    clearTimeout(this.syncing.timer);
    this.syncing = null;
  }

  /** Move through the seqs that arrived early and now follow on; keep waiting for a gap still open. */
  _advance() {
    while (this.ahead.has(this.seq + 1)) this.ahead.delete(++this.seq);
    for (const early of this.ahead) if (early <= this.seq) this.ahead.delete(early);
    if (this.ahead.size > 0) {
      this._armGapTimer();
    } else if (this.gapTimer) {
      clearTimeout(this.gapTimer);
      this.gapTimer = null;
    }
  }

  _armGapTimer() {
    if (this.gapTimer) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = null;
      if (this.ahead.size > 0 && !this.syncing) this.request();
    }, GAP_GRACE_MS);
  }
}
