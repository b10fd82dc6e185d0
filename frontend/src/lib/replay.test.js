// The replay: its merge rule and stacking order against the server's on the shared
// cases in tests/fixtures/board_rules.json (also read by
// tests/whiteboard/test_shared_rules.py), and seeking, stepping and playing it.
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// Excalidraw needs a browser: the fake follows its reconcile rule (see test/fakes.js).
vi.mock("@excalidraw/excalidraw", async () => (await import("../test/fakes.js")).excalidrawModule);

const { FIT_PLAYBACK_MS, ReplayController, ReplayLog, elapsedLabel } = await import("./replay.js");
const { fakeExcalidrawApi } = await import("../test/fakes.js");

const rules = JSON.parse(readFileSync(new URL("../../../tests/fixtures/board_rules.json", import.meta.url), "utf8"));

const T0 = Date.parse("2026-01-01T10:00:00Z");
const at = (seconds) => new Date(T0 + seconds * 1000).toISOString();
const el = (id, version = 1, extra = {}) => ({ id, version, versionNonce: 1, index: "a0", isDeleted: false, ...extra });

describe("ReplayLog", () => {
  it.each(rules.merge.map((c) => [c.name, c]))("merges an op with the server's rule: %s", (_name, c) => {
    const known = { id: "el", ...c.known, isDeleted: false, tag: "known" };
    const incoming = { id: "el", ...c.incoming, isDeleted: false, tag: "incoming" };
    const log = new ReplayLog([known]);
    log.append([{ seq: 1, at: at(0), elements: [incoming] }]);
    expect(log.stateAt(0).get("el").tag).toBe("known");
    expect(log.stateAt(1).get("el").tag).toBe(c.incoming_wins ? "incoming" : "known");
  });

  it.each(rules.z_order.map((c) => [c.name, c]))("shows the board in the server's z-order: %s", (_name, c) => {
    const log = new ReplayLog();
    const elements = c.elements.map((e) => ({ ...e, version: 1, versionNonce: 1, isDeleted: false }));
    log.append([{ seq: 1, at: at(0), elements }]);
    expect(log.visibleAt(1).map((e) => e.id)).toEqual(c.expected);
  });

  it("leaves deleted elements out of what the board shows, but keeps them in the state", () => {
    const log = new ReplayLog([el("a")]);
    log.append([{ seq: 1, at: at(0), elements: [el("a", 2, { isDeleted: true })] }]);
    expect(log.visibleAt(0).map((e) => e.id)).toEqual(["a"]);
    expect(log.visibleAt(1)).toEqual([]);
    expect(log.stateAt(1).get("a").isDeleted).toBe(true);
  });

  it("ignores ops it already has (a page that overlaps the last)", () => {
    const log = new ReplayLog();
    log.append([{ seq: 1, at: at(0), elements: [el("a")] }, { seq: 2, at: at(1), elements: [el("a", 2)] }]);
    log.append([{ seq: 2, at: at(1), elements: [el("a", 9)] }, { seq: 3, at: at(2), elements: [el("b")] }]);
    expect(log.ops.map((op) => op.seq)).toEqual([1, 2, 3]);
    expect(log.stateAt(3).get("a").version).toBe(2);
  });

  it("rebuilds the same board going back and forth, across checkpoints", () => {
    const ops = [];
    for (let seq = 1; seq <= 800; seq += 1) {
      ops.push({ seq, at: at(seq), elements: [el(`e${seq % 7}`, seq, { x: seq })] });
    }
    const log = new ReplayLog();
    log.append(ops);
    const fresh = (seq) => {
      const other = new ReplayLog();
      other.append(ops);
      return [...other.stateAt(seq).values()].map((e) => [e.id, e.version]);
    };
    for (const seq of [800, 3, 600, 251, 250, 0, 799, 499]) {
      expect([...log.stateAt(seq).values()].map((e) => [e.id, e.version])).toEqual(fresh(seq));
    }
    expect([...log.checkpoints.keys()]).toEqual([0, 250, 500, 750]);
  });

  it("finds the seq at a moment and the moment of a seq", () => {
    const log = new ReplayLog();
    log.append([
      { seq: 4, at: at(10), elements: [] },
      { seq: 5, at: at(5), elements: [] }, // committed in parallel: the clock never goes back
      { seq: 9, at: at(30), elements: [] },
    ]);
    expect(log.seqAtTime(T0)).toBe(0);
    expect(log.seqAtTime(T0 + 10_000)).toBe(5);
    expect(log.seqAtTime(T0 + 29_999)).toBe(5);
    expect(log.seqAtTime(T0 + 30_000)).toBe(9);
    expect(log.timeOfSeq(0)).toBeNull();
    expect(log.timeOfSeq(5)).toBe(T0 + 10_000);
    expect(log.timeOfSeq(8)).toBe(T0 + 10_000); // no op 8: the moment of the last op before it
  });
});

describe("elapsedLabel", () => {
  it("prints minutes and seconds, and hours past the hour", () => {
    expect(elapsedLabel(0)).toBe("0:00");
    expect(elapsedLabel(725_000)).toBe("12:05");
    expect(elapsedLabel(3_725_000)).toBe("1:02:05");
  });
});

describe("ReplayController", () => {
  const HISTORY = "/api/interviews/7/board/history/";
  let frames;
  let requests;

  /** The history API, `pageSize` ops a page. */
  function serveHistory(ops, { pageSize = 2, steps = [], status = 200 } = {}) {
    requests = [];
    vi.stubGlobal("fetch", async (url) => {
      requests.push(url);
      if (status !== 200) return { ok: false, status, json: async () => ({ message: "Not allowed." }) };
      const after = Number(new URL(url, "http://x").searchParams.get("after"));
      const rest = ops.filter((op) => op.seq > after);
      const page = rest.slice(0, pageSize);
      return {
        ok: true,
        status: 200,
        json: async () => ({
          seq: ops.length ? ops[ops.length - 1].seq : 0,
          started_at: at(0),
          ended_at: at(100),
          lanes: [],
          initial: [el("lane-offline", 1, { index: "a0" })],
          steps,
          ops: page,
          next_after: rest.length > pageSize ? page[page.length - 1].seq : null,
        }),
      };
    });
  }

  const OPS = [
    { seq: 1, at: at(10), elements: [el("a", 1, { index: "a1" })] },
    { seq: 2, at: at(20), elements: [el("b", 1, { index: "a2" })] },
    { seq: 3, at: at(30), elements: [el("a", 2, { index: "a1", isDeleted: true })] },
    { seq: 4, at: at(40), elements: [el("c", 1, { index: "a3" })] },
    { seq: 5, at: at(50), elements: [el("b", 2, { index: "a2", x: 5 })] },
  ];
  const STEPS = [
    { number: 1, title: "Clarify", at: at(0), seq: 0, event_id: 11 },
    { number: 2, title: "Data", at: at(25), seq: 2, event_id: 12 },
    { number: 3, title: "Model", at: at(45), seq: 9, event_id: 13 },
  ];

  async function loaded(options) {
    serveHistory(OPS, { steps: STEPS, ...options });
    const replay = new ReplayController({ historyUrl: HISTORY, headSeq: 5, startedAt: at(0) });
    const api = fakeExcalidrawApi();
    replay.attach(api);
    await replay.load();
    return { replay, api, shown: () => api.getSceneElements().map((e) => e.id) };
  }

  beforeEach(() => {
    frames = new Map(); // id -> callback, in the order asked for
    let nextId = 1;
    vi.stubGlobal("requestAnimationFrame", (fn) => {
      frames.set(nextId, fn);
      return nextId++;
    });
    vi.stubGlobal("cancelAnimationFrame", (id) => frames.delete(id));
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  /** Run the next animation frame at `now` ms. */
  function frame(now) {
    const [[id, fn]] = frames;
    frames.delete(id);
    fn(now);
  }

  it("loads the history a page at a time and shows the final board", async () => {
    const { replay, shown } = await loaded();
    expect(requests).toEqual([`${HISTORY}?after=0&limit=1000`, `${HISTORY}?after=2&limit=1000`, `${HISTORY}?after=4&limit=1000`]);
    const snap = replay.getSnapshot();
    expect(snap.status).toBe("ready");
    expect(snap).toMatchObject({ seq: 5, head: 5, loadedSeq: 5, startedAt: T0, endAt: T0 + 100_000 });
    expect(shown()).toEqual(["lane-offline", "b", "c"]);
  });

  it("gives the step starts, none past the last op", async () => {
    const { replay } = await loaded();
    expect(replay.getSnapshot().steps).toEqual([
      { number: 1, title: "Clarify", seq: 0, at: T0, eventId: 11 },
      { number: 2, title: "Data", seq: 2, at: T0 + 25_000, eventId: 12 },
      { number: 3, title: "Model", seq: 5, at: T0 + 45_000, eventId: 13 },
    ]);
  });

  it("seeks to any seq, backwards and forwards, and shows the board as it was then", async () => {
    const { replay, shown } = await loaded();
    replay.seek(2);
    expect(shown()).toEqual(["lane-offline", "a", "b"]);
    expect(replay.getSnapshot()).toMatchObject({ seq: 2, at: T0 + 20_000, pinned: false });
    replay.seek(3);
    expect(shown()).toEqual(["lane-offline", "b"]);
    replay.seek(0);
    expect(shown()).toEqual(["lane-offline"]);
    expect(replay.getSnapshot().at).toBe(T0); // before the first op: the start
    replay.seek(4);
    expect(shown()).toEqual(["lane-offline", "b", "c"]);
  });

  it("clamps a seek to the board's seqs and ignores one that is not a number", async () => {
    const { replay } = await loaded();
    replay.seek(99);
    expect(replay.getSnapshot().seq).toBe(5);
    replay.seek(-3);
    expect(replay.getSnapshot().seq).toBe(0);
    replay.seek("2.6");
    expect(replay.getSnapshot().seq).toBe(3);
    replay.seek("soon");
    expect(replay.getSnapshot().seq).toBe(3);
  });

  it("jumps to a step's start with its exact moment pinned", async () => {
    const { replay, shown } = await loaded();
    const [, data] = replay.getSnapshot().steps;
    replay.seek(data.seq, { at: data.at });
    expect(replay.getSnapshot()).toMatchObject({ seq: 2, at: T0 + 25_000, pinned: true });
    expect(shown()).toEqual(["lane-offline", "a", "b"]);
  });

  it("remembers a seek asked for before the history arrived", async () => {
    serveHistory(OPS, { steps: STEPS });
    const replay = new ReplayController({ historyUrl: HISTORY, headSeq: 5, startedAt: at(0) });
    const api = fakeExcalidrawApi();
    replay.attach(api);
    const loading = replay.load();
    replay.seek(2, { at: T0 + 21_000 });
    expect(replay.getSnapshot().status).toBe("loading");
    await loading;
    expect(replay.getSnapshot()).toMatchObject({ seq: 2, at: T0 + 21_000, pinned: true });
    expect(api.getSceneElements().map((e) => e.id)).toEqual(["lane-offline", "a", "b"]);
  });

  it("says why when the history cannot be loaded", async () => {
    serveHistory(OPS, { status: 403 });
    const replay = new ReplayController({ historyUrl: HISTORY });
    await replay.load();
    expect(replay.getSnapshot()).toMatchObject({ status: "error", error: "Not allowed." });
  });

  it("plays on a clock, steps through the ops and stops at the end", async () => {
    const { replay, shown } = await loaded();
    replay.setSpeed("4");
    replay.play(); // at the end: from the start again
    expect(replay.getSnapshot()).toMatchObject({ playing: true, seq: 0 });
    frame(1000); // the first frame sets the clock
    expect(replay.getSnapshot().at).toBe(T0);
    frame(1200); // 200 ms at 4x: 0.8 s of the interview
    expect(replay.getSnapshot().at).toBe(T0 + 800);
    for (let now = 1400; replay.getSnapshot().at < T0 + 20_000; now += 200) frame(now);
    expect(replay.getSnapshot().seq).toBe(2);
    expect(shown()).toEqual(["lane-offline", "a", "b"]);
    replay.pause();
    expect(replay.getSnapshot().playing).toBe(false);
    const paused = replay.getSnapshot().at;
    replay.play();
    frame(50_000);
    frame(50_250); // a long frame counts 250 ms at most
    expect(replay.getSnapshot().at).toBe(paused + 1000);
    replay.setSpeed("64");
    for (let now = 50_500; replay.getSnapshot().playing; now += 250) frame(now);
    expect(replay.getSnapshot()).toMatchObject({ seq: 5, at: T0 + 100_000, playing: false });
    expect(frames.size).toBe(0); // no clock left running
  });

  it("fits the whole interview into about 20 seconds at `fit` speed", async () => {
    const { replay } = await loaded();
    expect(replay.rate()).toBe(100_000 / FIT_PLAYBACK_MS);
    replay.setSpeed("fast"); // not a speed it has
    expect(replay.getSnapshot().speed).toBe("fit");
  });
});
