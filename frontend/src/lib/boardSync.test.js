// The board client: its merge rule and stacking order against the server's on the
// shared cases in tests/fixtures/board_rules.json (also read by
// tests/whiteboard/test_shared_rules.py), and the whole client driven through a fake
// board socket and a fake Excalidraw.
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { FakeWebSocket, element, fakeExcalidrawApi, stubBrowser } from "../test/fakes.js";

// Excalidraw needs a browser: the fake follows its reconcile rule (see test/fakes.js).
vi.mock("@excalidraw/excalidraw", async () => (await import("../test/fakes.js")).excalidrawModule);

const { BoardSync } = await import("./boardSync.js");
const { ACK_TIMEOUT_MS } = await import("./board/pendingOps.js");
const { restoreRemote } = await import("./board/excalidrawBridge.js");
const { dedupeWinners, wins, zOrder } = await import("./board/reconcile.js");

const rules = JSON.parse(readFileSync(new URL("../../../tests/fixtures/board_rules.json", import.meta.url), "utf8"));
const mergeCases = rules.merge.map((c) => [c.name, c]);
const zOrderCases = rules.z_order.map((c) => [c.name, c]);

describe("wins (merge rule)", () => {
  it.each(mergeCases)("%s", (_name, c) => {
    expect(wins({ id: "el", ...c.incoming }, { id: "el", ...c.known })).toBe(c.incoming_wins);
  });

  it("anything beats no copy", () => {
    expect(wins({ id: "el", version: 1, versionNonce: 1 }, undefined)).toBe(true);
  });
});

describe("dedupeWinners", () => {
  it.each(mergeCases)("keeps the winner whichever comes first: %s", (_name, c) => {
    const known = { id: "el", ...c.known };
    const incoming = { id: "el", ...c.incoming };
    expect(dedupeWinners([known, incoming])).toEqual([c.incoming_wins ? incoming : known]);
    // the same copy twice keeps the first, so only a strict winner replaces it
    const [first] = dedupeWinners([incoming, known]);
    expect(first).toBe(wins(known, incoming) ? known : incoming);
  });

  it("keeps the array as it is when every id is unique", () => {
    const elements = [
      { id: "a", version: 1, versionNonce: 1 },
      { id: "b", version: 1, versionNonce: 1 },
    ];
    expect(dedupeWinners(elements)).toBe(elements);
  });
});

describe("zOrder", () => {
  it.each(zOrderCases)("%s", (_name, c) => {
    const input = c.elements.map((el) => ({ ...el }));
    expect(zOrder(input).map((el) => el.id)).toEqual(c.expected);
    expect(input.map((el) => el.id)).toEqual(c.elements.map((el) => el.id)); // not sorted in place
  });
});

describe("restoreRemote (what the scene gets)", () => {
  it.each(zOrderCases)("hands Excalidraw the server's stacking order: %s", (_name, c) => {
    const elements = c.elements.map((el) => ({ ...el, version: 1, versionNonce: 1 }));
    expect(restoreRemote(elements).map((el) => el.id)).toEqual(c.expected);
  });

  it("hands over one copy per id, the winner", () => {
    const restored = restoreRemote([element("a", { version: 2 }), element("a", { version: 5 }), element("b")]);
    expect(restored.map((el) => [el.id, el.version])).toEqual([
      ["a", 5],
      ["b", 1],
    ]);
  });
});

// ---------------------------------------------------------------- the client

const LANE = element("lane-offline", { type: "frame", index: "a0", locked: true, name: "Offline", width: 800 });

describe("BoardSync", () => {
  let api;
  let sync;
  let errors;

  beforeEach(() => {
    vi.useFakeTimers();
    stubBrowser();
    api = fakeExcalidrawApi({ onChange: () => sync?.handleChange() });
    errors = [];
    sync = new BoardSync({ path: "/ws/boards/1/", api, onError: (err) => errors.push(err) });
    sync.start();
  });

  afterEach(() => {
    sync.stop();
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  /** Open the socket and send the snapshot; returns the socket. */
  function connect({ elements = [LANE], seq = 10, ...rest } = {}) {
    const ws = FakeWebSocket.last;
    ws.accept();
    ws.receive({ type: "snapshot", seq, elements, can_edit: true, client_id: "c-me", lanes: [], ...rest });
    return ws;
  }

  /** Let the throttled diff run. */
  function settle() {
    vi.advanceTimersByTime(100);
  }

  function reconnect() {
    vi.advanceTimersByTime(10_000);
    return FakeWebSocket.last;
  }

  describe("snapshot", () => {
    it("loads the board in stacking order, with nothing to undo, fitted to the view, and sends nothing back", () => {
      const ws = connect({ elements: [element("top", { index: "a2" }), element("loose", { index: null }), LANE] });
      expect(api.getSceneElementsIncludingDeleted().map((el) => el.id)).toEqual(["lane-offline", "top", "loose"]);
      expect(api.updates[0].captureUpdate).toBe("NEVER");
      expect(api.history.clear).toHaveBeenCalled();
      expect(sync.status()).toBe("connected");
      expect(sync.seq).toBe(10);
      vi.advanceTimersByTime(100);
      const fits = api.updates.filter((u) => u.appState?.zoom);
      expect(fits).toHaveLength(1);
      expect(fits[0].appState.zoom.value).toBeGreaterThan(0);
      expect(ws.frames("ops")).toEqual([]);
    });

    it("applies a board in parts only once the last part is in", () => {
      const ws = FakeWebSocket.last;
      ws.accept();
      ws.receive({ type: "snapshot", seq: 3, more: true, can_edit: true, elements: [LANE] });
      expect(api.getSceneElementsIncludingDeleted()).toEqual([]);
      expect(sync.status()).toBe("connecting");
      ws.receive({ type: "snapshot_part", seq: 3, more: true, elements: [element("a", { index: "a1" })] });
      ws.receive({ type: "snapshot_part", seq: 3, more: false, elements: [element("b", { index: "a2" })] });
      expect(api.getSceneElementsIncludingDeleted().map((el) => el.id)).toEqual(["lane-offline", "a", "b"]);
      expect(sync.status()).toBe("connected");
      expect(sync.seq).toBe(3);
    });

    it("shows the peers it lists, not ourselves", () => {
      connect({
        peers: [
          { client_id: "c-me", user: { id: 1, name: "Me" } },
          { client_id: "c-2", user: { id: 2, name: "Grace" } },
        ],
      });
      expect([...api.collaborators.keys()]).toEqual(["c-2"]);
      expect(sync.getView().peers).toEqual([{ clientId: "c-2", user: { id: 2, name: "Grace" } }]);
    });
  });

  describe("local changes and acks", () => {
    it("sends only what changed, keeps it pending until the ack", () => {
      const ws = connect({ elements: [LANE, element("a"), element("b", { index: "a1" })] });
      api.edit("a", { x: 50 });
      api.edit("a", { x: 50 });
      settle();
      const [frame, ...more] = ws.frames("ops");
      expect(more).toEqual([]);
      expect(frame.elements.map((el) => [el.id, el.version, el.x])).toEqual([["a", 3, 50]]); // two edits, one frame
      expect(sync.getView().unsynced).toBe(1);

      ws.receive({ type: "ack", op_id: frame.op_id, seq: 11, accepted: ["a"], rejected: [] });
      expect(sync.getView().unsynced).toBe(0);
      expect(sync.seq).toBe(11);
      settle();
      expect(ws.frames("ops")).toHaveLength(1); // nothing sent twice
    });

    it("merges the server's winning copy from ack.rejected and does not echo it", () => {
      const ws = connect({ elements: [LANE, element("a")] });
      api.edit("a", { x: 50 });
      settle();
      const [frame] = ws.frames("ops");
      const winner = element("a", { version: 9, versionNonce: 3, x: -20 });
      ws.receive({ type: "ack", op_id: frame.op_id, seq: null, accepted: [], rejected: [winner] });
      expect(api.get("a")).toMatchObject({ version: 9, x: -20 });
      settle();
      expect(ws.frames("ops")).toHaveLength(1);
      expect(sync.getView().unsynced).toBe(0);
    });

    it("never sends the lane frames, and puts the server's copy back when one drifts", () => {
      const ws = connect({ elements: [LANE, element("a", { index: "a1" })] });
      api.edit("lane-offline", { x: 300, locked: false });
      api.edit("a", { x: 5 });
      settle();
      expect(api.get("lane-offline")).toMatchObject({ x: 0, locked: true, version: 1 });
      expect(ws.frames("ops").flatMap((f) => f.elements.map((el) => el.id))).toEqual(["a"]);
    });

    it("keeps back what the server would refuse, removes it here and says why", () => {
      const ws = connect();
      api.add(element("img", { type: "image", index: "a1" }));
      settle();
      expect(ws.frames("ops")).toEqual([]);
      expect(api.get("img")).toBeUndefined();
      expect(errors).toEqual([{ code: "unsupported", message: "Images are not supported on the shared board." }]);
    });

    it("sends nothing from a view-only board", () => {
      const ws = connect({ elements: [LANE, element("a")], can_edit: false });
      expect(sync.getView().canEdit).toBe(false);
      api.edit("a", { x: 50 });
      settle();
      expect(ws.frames("ops")).toEqual([]);
      expect(sync.getView().unsynced).toBe(0);
    });

    it("drops a refused batch, puts the server's copies back and shows the error", () => {
      const ws = connect({ elements: [LANE, element("a", { x: 1 })] });
      api.edit("a", { x: 50 });
      api.add(element("new", { index: "a5" }));
      settle();
      const [frame] = ws.frames("ops");
      ws.receive({ type: "error", code: "board_full", ref: frame.op_id, message: "The board is full." });
      expect(api.get("a")).toMatchObject({ x: 1, version: 1 });
      expect(api.get("new")).toBeUndefined(); // the server never had it
      expect(sync.getView().unsynced).toBe(0);
      expect(errors).toEqual([{ code: "board_full", message: "The board is full." }]);
      vi.advanceTimersByTime(5_000);
      expect(ws.frames("ops")).toHaveLength(1);
    });

    it("re-sends the pending batches a second after rate_limited, with the same op_id", () => {
      const ws = connect({ elements: [LANE, element("a")] });
      api.edit("a");
      settle();
      const [frame] = ws.frames("ops");
      ws.receive({ type: "error", code: "rate_limited", ref: frame.op_id, message: "Slow down." });
      expect(errors).toEqual([]);
      vi.advanceTimersByTime(1_000);
      expect(ws.frames("ops").map((f) => f.op_id)).toEqual([frame.op_id, frame.op_id]);
      ws.receive({ type: "ack", op_id: frame.op_id, seq: 11, accepted: ["a"], rejected: [] });
      ws.receive({ type: "ack", op_id: frame.op_id, seq: 11, accepted: ["a"], rejected: [] }); // the repeat
      expect(sync.getView().unsynced).toBe(0);
    });
  });

  describe("reconnecting", () => {
    it("counts an ack that does not come as a lost connection: reconnects and re-sends, unsaved until acked", () => {
      let ws = connect({ elements: [LANE, element("a")] });
      api.edit("a", { x: 50 });
      settle();
      const [frame] = ws.frames("ops");
      expect(sync.status()).toBe("connected");
      vi.advanceTimersByTime(ACK_TIMEOUT_MS); // the socket stays open, but nothing answers
      expect(sync.status()).toBe("reconnecting");
      expect(sync.getView()).toMatchObject({ connection: "reconnecting", unsynced: 1 });
      ws.receive({ type: "ack", op_id: frame.op_id, seq: 11, accepted: ["a"], rejected: [] }); // too late: ignored
      expect(sync.getView().unsynced).toBe(1);

      ws = reconnect();
      ws.accept();
      ws.receive({ type: "snapshot", seq: 10, can_edit: true, elements: [LANE, element("a")] });
      expect(ws.frames("ops").map((f) => f.op_id)).toEqual([frame.op_id]);
      expect(sync.getView()).toMatchObject({ connection: "connected", unsynced: 1 });
      ws.receive({ type: "ack", op_id: frame.op_id, seq: 11, accepted: ["a"], rejected: [] });
      expect(sync.getView().unsynced).toBe(0);
    });

    it("re-sends unacked batches with the same op_id after the next snapshot, then what changed meanwhile", () => {
      let ws = connect({ elements: [LANE, element("a"), element("b", { index: "a1" })] });
      api.edit("a", { x: 50 });
      settle();
      const [frame] = ws.frames("ops");
      ws.drop();
      expect(sync.status()).toBe("reconnecting");

      api.edit("b", { x: 70 }); // while away
      settle();
      expect(sync.getView().unsynced).toBe(2);

      ws = reconnect();
      ws.accept();
      // the server has not seen the batch: its copies are the old ones
      ws.receive({ type: "snapshot", seq: 10, can_edit: true, elements: [LANE, element("a"), element("b", { index: "a1" })] });
      expect(sync.status()).toBe("connected");
      const frames = ws.frames("ops");
      expect(frames[0]).toEqual({ type: "ops", op_id: frame.op_id, elements: frame.elements });
      expect(frames.slice(1).flatMap((f) => f.elements.map((el) => [el.id, el.x]))).toEqual([["b", 70]]);
      expect(frames[1].op_id).not.toBe(frame.op_id);
      expect(api.get("a")).toMatchObject({ x: 50, version: 2 }); // local work kept over the older server copy
    });

    it("takes the newer server copies from a reconnect snapshot without echoing them", () => {
      let ws = connect({ elements: [LANE, element("a")] });
      ws.drop();
      ws = reconnect();
      ws.accept();
      ws.receive({ type: "snapshot", seq: 14, can_edit: true, elements: [LANE, element("a", { version: 4, x: 9 })] });
      expect(api.get("a")).toMatchObject({ version: 4, x: 9 });
      expect(sync.seq).toBe(14);
      settle();
      expect(ws.frames("ops")).toEqual([]);
    });

    it("forgets the peers when the socket drops", () => {
      const ws = connect({ peers: [{ client_id: "c-2", user: { id: 2, name: "Grace" } }] });
      ws.drop();
      expect(api.collaborators.size).toBe(0);
      expect(sync.getView().peers).toEqual([]);
    });
  });

  describe("remote changes and catch-up", () => {
    it.each(mergeCases)("merges a remote copy with the rule, and never echoes it: %s", (_name, c) => {
      const ws = connect({ elements: [LANE, element("el", { index: "a1", ...c.known })] });
      ws.receive({ type: "ops", seq: 11, elements: [element("el", { index: "a1", ...c.incoming, x: 99 })] });
      const expected = c.incoming_wins ? c.incoming : c.known;
      expect(api.get("el")).toMatchObject({ version: expected.version, versionNonce: expected.versionNonce });
      expect(sync.seq).toBe(11);
      settle();
      expect(ws.frames("ops")).toEqual([]);
    });

    it("asks for the missing ops after a gap and applies the catch-up, a page at a time", () => {
      const ws = connect();
      ws.receive({ type: "ops", seq: 14, elements: [element("d", { index: "a4" })] });
      expect(sync.seq).toBe(10);
      vi.advanceTimersByTime(300);
      expect(ws.frames("sync")).toEqual([{ type: "sync", since_seq: 10 }]);

      ws.receive({
        type: "catchup",
        seq: 12,
        more: true,
        ops: [
          { seq: 12, elements: [element("b", { index: "a2", version: 3 })] },
          { seq: 11, elements: [element("a", { index: "a1" }), element("b", { index: "a2", version: 2 })] },
        ],
      });
      expect(sync.seq).toBe(12);
      expect(ws.frames("sync")).toEqual([
        { type: "sync", since_seq: 10 },
        { type: "sync", since_seq: 12 },
      ]);
      ws.receive({ type: "catchup", seq: 13, more: false, ops: [{ seq: 13, elements: [element("c", { index: "a3" })] }] });
      expect(sync.seq).toBe(14); // through the op that came early
      expect(api.getSceneElementsIncludingDeleted().map((el) => [el.id, el.version])).toEqual([
        ["lane-offline", 1],
        ["a", 1],
        ["b", 3],
        ["c", 1],
        ["d", 1],
      ]);
      settle();
      expect(ws.frames("ops")).toEqual([]);
      expect(ws.frames("sync")).toHaveLength(2);
    });

    it("asks again a second after its sync was rate limited, without a toast", () => {
      const ws = connect();
      ws.receive({ type: "ops", seq: 13, elements: [] });
      vi.advanceTimersByTime(300);
      ws.receive({ type: "error", code: "rate_limited", ref: null, message: "Too many requests." });
      vi.advanceTimersByTime(1_000);
      expect(ws.frames("sync")).toEqual([
        { type: "sync", since_seq: 10 },
        { type: "sync", since_seq: 10 },
      ]);
      expect(errors).toEqual([]);
    });
  });

  describe("presence", () => {
    it("shows other people's pointers and selection, and forgets whoever leaves", () => {
      const ws = connect();
      ws.receive({ type: "peer_joined", client_id: "c-2", user: { id: 2, name: "Grace" } });
      ws.receive({
        type: "presence",
        peers: [
          { client_id: "c-2", pointer: { x: 5, y: 6 }, button: "down", selected_ids: ["a"] },
          { client_id: "c-me", pointer: { x: 1, y: 1 } },
        ],
      });
      expect([...api.collaborators.values()]).toEqual([
        {
          id: "user-2",
          socketId: "c-2",
          username: "Grace",
          pointer: { x: 5, y: 6, tool: "pointer" },
          button: "down",
          selectedElementIds: { a: true },
        },
      ]);
      ws.receive({ type: "peer_left", client_id: "c-2" });
      expect(api.collaborators.size).toBe(0);
      expect(sync.getView().peers).toEqual([]);
    });

    it("sends our pointer at most about 30 times a second, with the selection", () => {
      const ws = connect();
      api.appState = { selectedElementIds: { a: true, b: false } };
      for (let i = 0; i < 10; i += 1) {
        sync.handlePointer({ pointer: { x: i + 0.123, y: 2 }, button: "up" });
        vi.advanceTimersByTime(10);
      }
      vi.advanceTimersByTime(100);
      const frames = ws.frames("presence");
      expect(frames.length).toBeGreaterThanOrEqual(2);
      expect(frames.length).toBeLessThanOrEqual(4); // 200 ms at one per 34 ms at most
      expect(frames[frames.length - 1]).toEqual({
        type: "presence",
        pointer: { x: 9.1, y: 2 },
        button: "up",
        selected_ids: ["a"],
      });
    });
  });

  it("stops for good when the board is gone, and says so", () => {
    const ws = connect();
    ws.drop(4404);
    expect(sync.status()).toBe("closed");
    expect(errors).toEqual([{ code: "not_found", message: "This board no longer exists." }]);
  });
});
