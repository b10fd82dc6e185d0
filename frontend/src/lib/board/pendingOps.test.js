import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { MAX_BATCH_BYTES } from "./limits.js";
import { ACK_TIMEOUT_MS, PendingOps, RETRY_MS, splitBatches } from "./pendingOps.js";

const el = (id, version = 1, extra = {}) => ({ id, type: "rectangle", version, versionNonce: 1, ...extra });

describe("splitBatches", () => {
  it("keeps a small change in one batch, with each element's version and a copy", () => {
    const a = el("a", 3);
    const [batch, ...rest] = splitBatches([a, el("b", 5)]);
    expect(rest).toEqual([]);
    expect([...batch.versions]).toEqual([
      ["a", 3],
      ["b", 5],
    ]);
    expect(batch.elements.get("a")).toEqual(a);
    expect(batch.elements.get("a")).not.toBe(a); // a copy: later local edits do not change it
  });

  it("starts a new batch at the element count limit", () => {
    const elements = Array.from({ length: 7 }, (_, i) => el(`e${i}`));
    const batches = splitBatches(elements, { maxElements: 3 });
    expect(batches.map((b) => [...b.versions.keys()])).toEqual([["e0", "e1", "e2"], ["e3", "e4", "e5"], ["e6"]]);
  });

  it("starts a new batch before the byte limit, and an oversized element goes alone", () => {
    const text = "x".repeat(400);
    const elements = [el("a", 1, { text }), el("b", 1, { text }), el("big", 1, { text: "y".repeat(2000) }), el("c")];
    const batches = splitBatches(elements, { maxBytes: 1000 });
    expect(batches.map((b) => [...b.versions.keys()])).toEqual([["a", "b"], ["big"], ["c"]]);
  });

  it("keeps every real frame under the protocol's limit", () => {
    const elements = Array.from({ length: 400 }, (_, i) => el(`e${i}`, 1, { text: "é".repeat(300) }));
    const batches = splitBatches(elements);
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) expect(new TextEncoder().encode(`[${b.json.join(",")}]`).length).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    expect(batches.flatMap((b) => [...b.versions.keys()])).toEqual(elements.map((e) => e.id));
  });
});

describe("PendingOps", () => {
  let sent;
  let ready;
  let ops;

  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    ready = true;
    ops = new PendingOps({ send: (payload) => sent.push(JSON.parse(payload)) > 0, canResend: () => ready });
  });

  afterEach(() => {
    ops.stop();
    vi.useRealTimers();
  });

  it("sends an ops frame with a fresh op_id and keeps it pending", () => {
    const [batch] = ops.queue([el("a", 2)]);
    expect(sent).toEqual([{ type: "ops", op_id: batch.opId, elements: [el("a", 2)] }]);
    expect(batch.opId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ops.get(batch.opId)).toBe(batch);
    expect([...ops.elementIds()]).toEqual(["a"]);
  });

  it("gives every batch its own op_id", () => {
    const first = ops.queue([el("a")]);
    const second = ops.queue([el("b")]);
    expect(first[0].opId).not.toBe(second[0].opId);
    expect(sent.map((f) => f.op_id)).toEqual([first[0].opId, second[0].opId]);
  });

  it("forgets a batch on its ack; a repeated ack finds nothing", () => {
    const [a] = ops.queue([el("a")]);
    const [b] = ops.queue([el("b")]);
    expect(ops.settle(a.opId)).toBe(a);
    expect([...ops.elementIds()]).toEqual(["b"]);
    expect(ops.settle(a.opId)).toBeNull();
    expect(ops.get(b.opId)).toBe(b);
  });

  it("re-sends the unanswered batches, oldest first, with the same op_ids (after a reconnect)", () => {
    const [a] = ops.queue([el("a")]);
    const [b] = ops.queue([el("b")]);
    const [c] = ops.queue([el("c")]);
    ops.settle(b.opId);
    sent.length = 0;
    ops.resendAll();
    expect(sent.map((f) => f.op_id)).toEqual([a.opId, c.opId]);
    expect(sent[0].elements).toEqual([el("a")]);
  });

  it("retries a second later, once however many errors ask", () => {
    const [a] = ops.queue([el("a")]);
    sent.length = 0;
    ops.retryLater();
    ops.retryLater();
    vi.advanceTimersByTime(RETRY_MS - 1);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent.map((f) => f.op_id)).toEqual([a.opId]);
    vi.advanceTimersByTime(RETRY_MS * 5);
    expect(sent).toHaveLength(1);
  });

  it("does not retry on a socket that is not ready (the snapshot re-sends instead)", () => {
    ops.queue([el("a")]);
    sent.length = 0;
    ready = false;
    ops.retryLater();
    vi.advanceTimersByTime(RETRY_MS);
    expect(sent).toEqual([]);
  });

  it("retries nothing once stopped", () => {
    ops.queue([el("a")]);
    sent.length = 0;
    ops.retryLater();
    ops.stop();
    vi.advanceTimersByTime(RETRY_MS * 2);
    expect(sent).toEqual([]);
  });

  describe("ack timeout", () => {
    let timeouts;

    beforeEach(() => {
      timeouts = 0;
      ops.stop();
      ops = new PendingOps({
        send: (payload) => sent.push(JSON.parse(payload)) > 0,
        canResend: () => ready,
        onAckTimeout: () => {
          timeouts += 1;
        },
      });
    });

    it("waits a few seconds", () => {
      expect(ACK_TIMEOUT_MS).toBeGreaterThanOrEqual(2000);
      expect(ACK_TIMEOUT_MS).toBeLessThanOrEqual(10_000);
    });

    it("calls the connection lost when an ack does not come in time", () => {
      ops.queue([el("a")]);
      vi.advanceTimersByTime(ACK_TIMEOUT_MS - 1);
      expect(timeouts).toBe(0);
      vi.advanceTimersByTime(1);
      expect(timeouts).toBe(1);
      // once per silence: nothing more until the batches are sent again
      vi.advanceTimersByTime(ACK_TIMEOUT_MS * 3);
      expect(timeouts).toBe(1);
      ops.resendAll();
      vi.advanceTimersByTime(ACK_TIMEOUT_MS);
      expect(timeouts).toBe(2);
    });

    it("does not fire once every batch is acked", () => {
      const [a] = ops.queue([el("a")]);
      vi.advanceTimersByTime(ACK_TIMEOUT_MS - 100);
      ops.settle(a.opId);
      vi.advanceTimersByTime(ACK_TIMEOUT_MS * 2);
      expect(timeouts).toBe(0);
    });

    it("times the oldest batch still waiting", () => {
      const [a] = ops.queue([el("a")]);
      vi.advanceTimersByTime(3000);
      ops.queue([el("b")]);
      ops.settle(a.opId); // b was sent 3 s later: its own full wait counts
      vi.advanceTimersByTime(ACK_TIMEOUT_MS - 1);
      expect(timeouts).toBe(0);
      vi.advanceTimersByTime(1);
      expect(timeouts).toBe(1);
    });

    it("awaits no ack for a batch the socket did not take, nor after a drop", () => {
      ops.stop();
      ops = new PendingOps({ send: () => false, canResend: () => true, onAckTimeout: () => (timeouts += 1) });
      ops.queue([el("a")]);
      vi.advanceTimersByTime(ACK_TIMEOUT_MS * 2);
      expect(timeouts).toBe(0);
    });

    it("stops timing when the socket drops", () => {
      ops.queue([el("a")]);
      vi.advanceTimersByTime(1000);
      ops.disconnected();
      vi.advanceTimersByTime(ACK_TIMEOUT_MS * 2);
      expect(timeouts).toBe(0);
      expect([...ops.elementIds()]).toEqual(["a"]); // still pending: re-sent after the reconnect
    });
  });
});
