/**
 * The pending-op queue: local changes go out as `ops` batches, and each batch
 * stays here until the server answers it (docs/protocol.md, `ops` and `ack`).
 *
 * - `queue(elements)` splits the changes into frames under the size and count
 *   limits, gives each an `op_id` and sends it;
 * - `settle(opId)` forgets a batch once it is acked (or refused);
 * - `resendAll()` sends every unanswered batch again with its own `op_id`
 *   (after a reconnect: the server applies an `op_id` once and repeats the ack);
 * - `retryLater()` does the same a second later, for `rate_limited` / `retry`.
 */
import { uuid } from "../ids.js";

import { MAX_BATCH_BYTES, MAX_BATCH_ELEMENTS, byteLength } from "./limits.js";

export const RETRY_MS = 1000;

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
   * @param {{send: (payload: string) => boolean, canResend: () => boolean, retryMs?: number}} opts
   *   `send` writes one frame to the socket; `canResend` says whether the socket is ready for the re-send.
   */
  constructor({ send, canResend, retryMs = RETRY_MS }) {
    this.send = send;
    this.canResend = canResend;
    this.retryMs = retryMs;
    this.batches = new Map(); // op_id -> {opId, payload, versions, elements}, in the order sent
    this.retryTimer = null;
  }

  /** Send `elements` as one or more `ops` frames; returns the new batches. */
  queue(elements) {
    const sent = [];
    for (const part of splitBatches(elements)) {
      const opId = uuid();
      // the element JSON is already there: build the frame around it
      const payload = `{"type":"ops","op_id":"${opId}","elements":[${part.json.join(",")}]}`;
      const batch = { opId, payload, versions: part.versions, elements: part.elements };
      this.batches.set(opId, batch);
      this.send(payload);
      sent.push(batch);
    }
    return sent;
  }

  get(opId) {
    return this.batches.get(opId) ?? null;
  }

  /** Forget the batch `opId` (acked or refused); returns it, or null when it is not pending (a repeated ack). */
  settle(opId) {
    const batch = this.get(opId);
    this.batches.delete(opId);
    return batch;
  }

  /** Send every pending batch again, oldest first, with its own op_id. */
  resendAll() {
    for (const batch of this.batches.values()) this.send(batch.payload);
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
  }
}
