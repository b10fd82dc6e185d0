/**
 * The pending-op queue: local changes go out as `ops` batches, and each batch
 * stays here until the server answers it (docs/protocol.md, `ops` and `ack`).
 *
 * - `queue(elements)` splits the changes into frames under the size and count
 *   limits, gives each an `op_id` and sends it;
 * - `settle(opId)` forgets a batch once it is acked (or refused);
 * - `resendAll()` sends every unanswered batch again with its own `op_id`
 *   (after a reconnect: the server applies an `op_id` once and repeats the ack);
 * - `retryLater()` does the same a second later, for `rate_limited` / `retry`;
 * - an ack that does not come within `ackTimeoutMs` of sending calls
 *   `onAckTimeout` (the connection is taken as lost: the socket may look open
 *   while the network is gone).
 */
import { uuid } from "../ids.js";

import { MAX_BATCH_BYTES, MAX_BATCH_ELEMENTS, byteLength } from "./limits.js";

export const RETRY_MS = 1000;
// how long a sent batch may wait for its ack before the connection counts as lost (docs/protocol.md)
export const ACK_TIMEOUT_MS = 5000;

/**
 * Cut `elements` into batches of at most `maxElements` and about `maxBytes` of
 * element JSON (an element larger than that goes alone).
 * Returns [{json: [string], versions: Map(id -> version), elements: Map(id -> copy as sent)}].
 */
export function splitBatches(elements, { maxBytes = MAX_BATCH_BYTES, maxElements = MAX_BATCH_ELEMENTS } = {}) {
  const batches = [];
  let current = null;
  let bytes = 0;
  for (const el of elements) {
    const json = JSON.stringify(el);
    const size = byteLength(json) + 1; // and a comma
    if (current && (bytes + size > maxBytes || current.json.length >= maxElements)) current = null;
    if (!current) {
      current = { json: [], versions: new Map(), elements: new Map() };
      batches.push(current);
      bytes = 0;
    }
    current.json.push(json);
    current.versions.set(el.id, el.version);
    current.elements.set(el.id, JSON.parse(json));
    bytes += size;
  }
  return batches;
}

export class PendingOps {
  /**
   * @param {{send: (payload: string) => boolean, canResend: () => boolean, retryMs?: number,
   *   onAckTimeout?: () => void, ackTimeoutMs?: number}} opts
   *   `send` writes one frame to the socket; `canResend` says whether the socket is ready for the re-send.
   */
  constructor({ send, canResend, retryMs = RETRY_MS, onAckTimeout = () => {}, ackTimeoutMs = ACK_TIMEOUT_MS }) {
    this.send = send;
    this.canResend = canResend;
    this.retryMs = retryMs;
    this.onAckTimeout = onAckTimeout;
    this.ackTimeoutMs = ackTimeoutMs;
    this.batches = new Map(); // op_id -> {opId, payload, versions, elements, sentAt}, in the order sent
    this.retryTimer = null;
    this.ackTimer = null;
  }

  /** Send `elements` as one or more `ops` frames; returns the new batches. */
  queue(elements) {
    const sent = [];
    for (const part of splitBatches(elements)) {
      const opId = uuid();
      // the element JSON is already there: build the frame around it
      const payload = `{"type":"ops","op_id":"${opId}","elements":[${part.json.join(",")}]}`;
      const batch = { opId, payload, versions: part.versions, elements: part.elements, sentAt: null };
      this.batches.set(opId, batch);
      this._sendBatch(batch);
      sent.push(batch);
    }
    this._armAckTimer();
    return sent;
  }

  get(opId) {
    return this.batches.get(opId) ?? null;
  }

  /** Forget the batch `opId` (acked or refused); returns it, or null when it is not pending (a repeated ack). */
  settle(opId) {
    const batch = this.get(opId);
    this.batches.delete(opId);
    if (batch) this._armAckTimer();
    return batch;
  }

  /** Send every pending batch again, oldest first, with its own op_id. */
  resendAll() {
    for (const batch of this.batches.values()) this._sendBatch(batch);
    this._armAckTimer();
  }

  /** The socket dropped: nothing is on its way, so no ack is awaited until the batches go out again. */
  disconnected() {
    for (const batch of this.batches.values()) batch.sentAt = null;
    this._armAckTimer();
  }

  /** Re-send the pending batches in a moment (once, however many ask), if the socket is ready then. */
  retryLater() {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.canResend()) this.resendAll();
    }, this.retryMs);
  }

  /** The ids of the elements waiting for an ack. */
  elementIds() {
    const ids = new Set();
    for (const batch of this.batches.values()) for (const id of batch.versions.keys()) ids.add(id);
    return ids;
  }

  stop() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    clearTimeout(this.ackTimer);
    this.ackTimer = null;
  }

  _sendBatch(batch) {
    batch.sentAt = this.send(batch.payload) === false ? null : Date.now();
  }

  /** Time the ack of the oldest batch on its way; no timer when none is. */
  _armAckTimer() {
    clearTimeout(this.ackTimer);
    this.ackTimer = null;
    let oldest = null;
    for (const batch of this.batches.values()) {
      if (batch.sentAt != null && (oldest == null || batch.sentAt < oldest)) oldest = batch.sentAt;
    }
    if (oldest == null) return;
    const wait = Math.max(0, oldest + this.ackTimeoutMs - Date.now());
    this.ackTimer = setTimeout(() => {
      this.ackTimer = null;
      // called once per silence: the batches are sent again (and timed again) after the reconnect
      for (const batch of this.batches.values()) batch.sentAt = null;
      this.onAckTimeout();
    }, wait);
  }
}
