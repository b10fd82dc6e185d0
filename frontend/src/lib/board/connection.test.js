import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { FakeWebSocket, stubBrowser } from "../../test/fakes.js";
import { BoardConnection, OFFLINE_AFTER_ATTEMPTS, SnapshotAssembler } from "./connection.js";

describe("SnapshotAssembler", () => {
  it("passes a snapshot in one frame through", () => {
    const parts = new SnapshotAssembler();
    const msg = { type: "snapshot", seq: 4, more: false, elements: [{ id: "a" }] };
    expect(parts.add(msg)).toBe(msg);
  });

  it("puts a snapshot in parts together once `more` is false", () => {
    const parts = new SnapshotAssembler();
    const head = { type: "snapshot", seq: 9, more: true, can_edit: true, client_id: "c-1", elements: [{ id: "a" }] };
    expect(parts.add(head)).toBeNull();
    expect(parts.add({ type: "snapshot_part", seq: 9, more: true, elements: [{ id: "b" }] })).toBeNull();
    const whole = parts.add({ type: "snapshot_part", seq: 9, more: false, elements: [{ id: "c" }] });
    expect(whole).toEqual({ ...head, more: false, elements: [{ id: "a" }, { id: "b" }, { id: "c" }] });
    expect(head.elements).toEqual([{ id: "a" }]); // the head frame is not changed
  });

  it("drops parts without their head (after a reset: the socket dropped in between)", () => {
    const parts = new SnapshotAssembler();
    parts.add({ type: "snapshot", seq: 9, more: true, elements: [{ id: "a" }] });
    parts.reset();
    expect(parts.add({ type: "snapshot_part", seq: 9, more: false, elements: [{ id: "b" }] })).toBeNull();
  });

  it("starts over when a new snapshot begins", () => {
    const parts = new SnapshotAssembler();
    parts.add({ type: "snapshot", seq: 9, more: true, elements: [{ id: "old" }] });
    parts.add({ type: "snapshot", seq: 12, more: true, elements: [{ id: "new" }] });
    const whole = parts.add({ type: "snapshot_part", seq: 12, more: false, elements: [] });
    expect(whole.seq).toBe(12);
    expect(whole.elements).toEqual([{ id: "new" }]);
  });
});

describe("BoardConnection", () => {
  let win;
  let events;
  let conn;

  beforeEach(() => {
    vi.useFakeTimers();
    win = stubBrowser();
    events = { snapshots: [], messages: [], drops: [], states: [], errors: [] };
    conn = new BoardConnection("/ws/boards/5/", {
      onSnapshot: (msg) => events.snapshots.push(msg),
      onMessage: (msg) => events.messages.push(msg),
      onDrop: (info) => events.drops.push({ ...info, state: conn.state }),
      onState: (state) => events.states.push(state),
      onError: (err) => events.errors.push(err),
    });
    conn.start();
  });

  afterEach(() => {
    conn.stop();
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("connects to the board socket and is connected once the snapshot is applied", () => {
    expect(FakeWebSocket.last.url).toBe("ws://mocklane.test/ws/boards/5/");
    FakeWebSocket.last.accept();
    expect(conn.state).toBe("connecting");
    FakeWebSocket.last.receive({ type: "snapshot", seq: 1, elements: [] });
    expect(events.snapshots).toHaveLength(1);
    expect(conn.ready).toBe(false);
    conn.connected();
    expect(conn.ready).toBe(true);
    expect(events.states).toEqual(["connected"]);
  });

  it("hands a snapshot in parts over whole, and every other frame as it comes", () => {
    const ws = FakeWebSocket.last;
    ws.accept();
    ws.receive({ type: "snapshot", seq: 3, more: true, elements: [{ id: "a" }] });
    expect(events.snapshots).toEqual([]);
    ws.receive({ type: "snapshot_part", seq: 3, more: false, elements: [{ id: "b" }] });
    expect(events.snapshots.map((s) => s.elements.map((e) => e.id))).toEqual([["a", "b"]]);
    ws.receive({ type: "ops", seq: 4, elements: [] });
    expect(events.messages.map((m) => m.type)).toEqual(["ops"]);
  });

  it("forgets half a snapshot when the socket drops", () => {
    const ws = FakeWebSocket.last;
    ws.accept();
    ws.receive({ type: "snapshot", seq: 3, more: true, elements: [{ id: "a" }] });
    ws.drop();
    vi.advanceTimersByTime(10_000);
    const next = FakeWebSocket.last;
    expect(next).not.toBe(ws);
    next.accept();
    next.receive({ type: "snapshot_part", seq: 3, more: false, elements: [{ id: "b" }] });
    expect(events.snapshots).toEqual([]);
  });

  it("says reconnecting after a drop, then offline after a few failed attempts, and reconnects", () => {
    FakeWebSocket.last.accept();
    conn.connected();
    FakeWebSocket.last.drop();
    expect(conn.state).toBe("reconnecting");
    expect(conn.ready).toBe(false);
    expect(events.drops).toEqual([{ final: false, state: "reconnecting" }]);
    for (let i = 1; i < OFFLINE_AFTER_ATTEMPTS; i += 1) {
      vi.advanceTimersByTime(10_000);
      FakeWebSocket.last.drop(); // the attempt fails
    }
    expect(conn.state).toBe("offline");
    vi.advanceTimersByTime(10_000);
    FakeWebSocket.last.accept();
    expect(conn.state).toBe("connecting");
    FakeWebSocket.last.receive({ type: "snapshot", seq: 1, elements: [] });
    conn.connected();
    expect(conn.state).toBe("connected");
  });

  it("says offline at once when the browser goes offline before the board is live", () => {
    win.dispatchEvent(new Event("offline"));
    expect(conn.state).toBe("offline");
  });

  it("drops the socket and says offline at once when the browser goes offline while live, then reconnects", () => {
    const ws = FakeWebSocket.last;
    ws.accept();
    conn.connected();
    navigator.onLine = false;
    win.dispatchEvent(new Event("offline"));
    expect(conn.state).toBe("offline");
    expect(conn.ready).toBe(false);
    expect(ws.readyState).toBe(FakeWebSocket.CLOSED);
    expect(events.drops).toEqual([{ final: false, state: "offline" }]);
    navigator.onLine = true;
    win.dispatchEvent(new Event("online"));
    expect(FakeWebSocket.last).not.toBe(ws);
    FakeWebSocket.last.accept();
    FakeWebSocket.last.receive({ type: "snapshot", seq: 1, elements: [] });
    conn.connected();
    expect(conn.state).toBe("connected");
  });

  it("gives a silent connection up when told it is lost, without waiting for the close handshake", () => {
    const ws = FakeWebSocket.last;
    ws.accept();
    conn.connected();
    ws.close = () => {}; // the handshake never completes
    conn.lost();
    expect(conn.state).toBe("reconnecting");
    expect(conn.ready).toBe(false);
    expect(ws.onmessage).toBeNull(); // late frames of the old socket are ignored
    vi.advanceTimersByTime(10_000);
    expect(FakeWebSocket.last).not.toBe(ws);
  });

  it.each([
    [4403, "forbidden"],
    [4404, "not_found"],
  ])("stops for good on %i and says why", (code, errorCode) => {
    FakeWebSocket.last.accept();
    FakeWebSocket.last.drop(code);
    expect(conn.state).toBe("closed");
    expect(events.errors.map((e) => e.code)).toEqual([errorCode]);
    expect(events.drops).toEqual([{ final: true, state: "closed" }]);
    const sockets = FakeWebSocket.all.length;
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.all.length).toBe(sockets);
  });

  it("sends only on an open socket", () => {
    expect(conn.send({ type: "sync", since_seq: 1 })).toBe(false);
    FakeWebSocket.last.accept();
    expect(conn.send({ type: "sync", since_seq: 1 })).toBe(true);
    expect(FakeWebSocket.last.frames()).toEqual([{ type: "sync", since_seq: 1 }]);
  });

  it("closes on stop and does not reconnect", () => {
    FakeWebSocket.last.accept();
    conn.stop();
    expect(conn.state).toBe("closed");
    expect(FakeWebSocket.last.readyState).toBe(FakeWebSocket.CLOSED);
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.all).toHaveLength(1);
  });
});
