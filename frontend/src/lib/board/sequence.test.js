import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { GAP_GRACE_MS, SYNC_RETRY_MS, SYNC_TIMEOUT_MS, SeqTracker, catchupElements } from "./sequence.js";

describe("catchupElements", () => {
  it("puts the ops' elements in seq order", () => {
    const ops = [
      { seq: 12, elements: [{ id: "c" }] },
      { seq: 10, elements: [{ id: "a" }, { id: "b" }] },
      { seq: 11 },
    ];
    expect(catchupElements(ops).map((e) => e.id)).toEqual(["a", "b", "c"]);
  });

  it("is empty without ops", () => {
    expect(catchupElements(undefined)).toEqual([]);
    expect(catchupElements([])).toEqual([]);
  });
});

describe("SeqTracker", () => {
  let syncs;
  let open;
  let ready;
  let seqs;

  beforeEach(() => {
    vi.useFakeTimers();
    syncs = [];
    open = true;
    ready = true;
    seqs = new SeqTracker({
      sendSync: (since) => open && syncs.push(since) > 0,
      canSync: () => ready,
    });
    seqs.snapshot(40);
  });

  afterEach(() => {
    seqs.stop();
    vi.useRealTimers();
  });

  it("follows consecutive seqs and ignores old ones", () => {
    seqs.note(41);
    seqs.note(42);
    seqs.note(39);
    seqs.note(null); // an ack that made no new seq
    expect(seqs.seq).toBe(42);
    vi.advanceTimersByTime(GAP_GRACE_MS * 10);
    expect(syncs).toEqual([]);
  });

  it("waits a moment on a gap, and asks for nothing when the missing op turns up", () => {
    seqs.note(42);
    expect(seqs.seq).toBe(40);
    vi.advanceTimersByTime(GAP_GRACE_MS - 1);
    seqs.note(41);
    expect(seqs.seq).toBe(42);
    vi.advanceTimersByTime(GAP_GRACE_MS * 10);
    expect(syncs).toEqual([]);
  });

  it("asks for what it missed once the grace is over", () => {
    seqs.note(43);
    seqs.note(44);
    vi.advanceTimersByTime(GAP_GRACE_MS);
    expect(syncs).toEqual([40]);
    expect(seqs.syncing).not.toBeNull();
  });

  it("applies a catch-up and moves through the ops that arrived early", () => {
    seqs.note(43);
    vi.advanceTimersByTime(GAP_GRACE_MS);
    seqs.note(44); // arrives while the sync is on its way
    seqs.catchup({ type: "catchup", seq: 42, more: false, ops: [{ seq: 41 }, { seq: 42 }] });
    expect(seqs.seq).toBe(44);
    expect(seqs.syncing).toBeNull();
    expect(seqs.ahead.size).toBe(0);
  });

  it("asks again when a gap is left after the catch-up", () => {
    seqs.note(45);
    vi.advanceTimersByTime(GAP_GRACE_MS);
    seqs.catchup({ type: "catchup", seq: 42, more: false, ops: [{ seq: 41 }, { seq: 42 }] });
    expect(seqs.seq).toBe(42); // 43 and 44 are still missing: not past them
    vi.advanceTimersByTime(GAP_GRACE_MS);
    expect(syncs).toEqual([40, 42]);
  });

  it("pages through a long catch-up: `more` asks for the next page from where it ended", () => {
    seqs.note(50);
    vi.advanceTimersByTime(GAP_GRACE_MS);
    seqs.catchup({ type: "catchup", seq: 44, more: true, ops: [{ seq: 41 }, { seq: 44 }] });
    expect(syncs).toEqual([40, 44]);
    seqs.catchup({ type: "catchup", seq: 50, more: false, ops: [{ seq: 45 }, { seq: 50 }] });
    expect(seqs.seq).toBe(50);
    vi.advanceTimersByTime(GAP_GRACE_MS * 10);
    expect(syncs).toEqual([40, 44]);
  });

  it("asks again a second after a refused sync", () => {
    seqs.note(43);
    vi.advanceTimersByTime(GAP_GRACE_MS);
    seqs.syncRefused();
    expect(seqs.syncing).toBeNull();
    vi.advanceTimersByTime(SYNC_RETRY_MS - 1);
    expect(syncs).toEqual([40]);
    vi.advanceTimersByTime(1);
    expect(syncs).toEqual([40, 40]);
  });

  it("asks again for the next page when that request was refused", () => {
    seqs.note(50);
    vi.advanceTimersByTime(GAP_GRACE_MS);
    seqs.catchup({ type: "catchup", seq: 50, more: true, ops: [{ seq: 41 }, { seq: 50 }] });
    expect(seqs.ahead.size).toBe(0); // nothing seen above: only `more` says there is more
    seqs.syncRefused();
    vi.advanceTimersByTime(SYNC_RETRY_MS);
    expect(syncs).toEqual([40, 50, 50]);
  });

  it("ignores a refusal when no sync is out (presence overflow)", () => {
    seqs.syncRefused();
    vi.advanceTimersByTime(SYNC_RETRY_MS * 3);
    expect(syncs).toEqual([]);
  });

  it("gives up waiting for an answer after a while; the next gap asks again", () => {
    seqs.note(43);
    vi.advanceTimersByTime(GAP_GRACE_MS);
    vi.advanceTimersByTime(SYNC_TIMEOUT_MS);
    expect(seqs.syncing).toBeNull();
    seqs.note(45);
    vi.advanceTimersByTime(GAP_GRACE_MS);
    expect(syncs).toEqual([40, 40]);
  });

  it("does not count a sync the closed socket could not send", () => {
    open = false;
    seqs.note(43);
    vi.advanceTimersByTime(GAP_GRACE_MS);
    expect(seqs.syncing).toBeNull();
  });

  it("takes the seq of a snapshot answering a sync", () => {
    seqs.note(43);
    vi.advanceTimersByTime(GAP_GRACE_MS);
    seqs.snapshot(900);
    expect(seqs.seq).toBe(900);
    expect(seqs.syncing).toBeNull();
    expect(seqs.ahead.size).toBe(0);
  });

  it("forgets an unanswered sync when the socket drops", () => {
    seqs.note(43);
    vi.advanceTimersByTime(GAP_GRACE_MS);
    seqs.disconnected();
    expect(seqs.syncing).toBeNull();
  });
});
