import { describe, expect, it } from "vitest";

import {
  COMPACT_BELOW,
  COMPACT_EDITOR_INSETS,
  EDITOR_INSETS,
  VIEWER_INSETS,
  editorInsets,
  fitView,
  sceneBounds,
} from "./fit.js";

// the interview board's two lanes (whiteboard/lanes.py, tests/elements.py TWO_LANES)
const LANES = [
  { id: "lane-offline", type: "frame", x: 0, y: 0, width: 960, height: 760 },
  { id: "lane-online", type: "frame", x: 1040, y: 0, width: 960, height: 760 },
];

/** Where scene point (x, y) lands in the canvas. */
const toCanvas = (view, x, y) => [(x + view.scrollX) * view.zoom, (y + view.scrollY) * view.zoom];

describe("sceneBounds", () => {
  it("spans the lanes, with room for their names above", () => {
    expect(sceneBounds(LANES)).toEqual([0, -28, 2000, 760]);
  });

  it("follows an arrow's points and leaves deleted elements out", () => {
    const arrow = { id: "a", type: "arrow", x: 100, y: 100, width: 5, height: 5, points: [[0, 0], [-300, 900]] };
    const gone = { id: "g", type: "rectangle", x: 5000, y: 5000, width: 10, height: 10, isDeleted: true };
    expect(sceneBounds([arrow, gone])).toEqual([-200, 100, 100, 1000]);
  });

  it("is null for an empty board", () => {
    expect(sceneBounds([])).toBeNull();
    expect(sceneBounds([{ id: "x", type: "rectangle", x: 0, y: 0, isDeleted: true }])).toBeNull();
  });
});

describe("fitView", () => {
  it("shows both lanes whole at 1366x768 beside the room panel, clear of the properties panel", () => {
    const canvas = { width: 1366 - 340, height: 768 - 56 }; // the room's board area
    const view = fitView(sceneBounds(LANES), canvas, { insets: EDITOR_INSETS });
    const [left, top] = toCanvas(view, 0, -28);
    const [right, bottom] = toCanvas(view, 2000, 760);
    expect(left).toBeGreaterThanOrEqual(EDITOR_INSETS.left - 0.5);
    expect(right).toBeLessThanOrEqual(canvas.width - EDITOR_INSETS.right + 0.5);
    expect(top).toBeGreaterThanOrEqual(EDITOR_INSETS.top - 0.5);
    expect(bottom).toBeLessThanOrEqual(canvas.height - EDITOR_INSETS.bottom + 0.5);
    expect(view.zoom).toBeCloseTo((canvas.width - EDITOR_INSETS.left - EDITOR_INSETS.right) / 2000, 5);
  });

  it("zooms in as the space grows (a panel collapsed)", () => {
    const narrow = fitView(sceneBounds(LANES), { width: 726, height: 712 });
    const wide = fitView(sceneBounds(LANES), { width: 1326, height: 712 });
    expect(wide.zoom).toBeGreaterThan(narrow.zoom * 1.8);
  });

  it("centres the board in the free space", () => {
    const view = fitView([0, 0, 100, 100], { width: 1000, height: 500 }, { insets: VIEWER_INSETS });
    const [cx, cy] = toCanvas(view, 50, 50);
    expect(cx).toBeCloseTo(16 + (1000 - 32) / 2, 5);
    expect(cy).toBeCloseTo(56 + (500 - 116) / 2, 5);
  });

  it("does not blow a small drawing up past 100%, nor shrink below the minimum", () => {
    expect(fitView([0, 0, 50, 50], { width: 1000, height: 800 }).zoom).toBe(1);
    expect(fitView([0, 0, 1e6, 1e6], { width: 1000, height: 800 }).zoom).toBe(0.1);
  });

  it("uses the whole canvas when the insets would leave too little", () => {
    const view = fitView(sceneBounds(LANES), { width: 300, height: 400 }, { insets: EDITOR_INSETS });
    const [left] = toCanvas(view, 0, 0);
    const [right] = toCanvas(view, 2000, 0);
    expect(left).toBeGreaterThanOrEqual(0);
    expect(right).toBeLessThanOrEqual(300.5);
  });
});

describe("editorInsets", () => {
  it("leaves room for the side properties panel only where Excalidraw shows one", () => {
    expect(editorInsets(1026)).toBe(EDITOR_INSETS);
    expect(editorInsets(COMPACT_BELOW)).toBe(EDITOR_INSETS);
    expect(editorInsets(726)).toBe(COMPACT_EDITOR_INSETS); // the interviewer's board beside both panels
  });

  it("gives the interviewer's narrow board a larger zoom than the side-panel insets would", () => {
    const canvas = { width: 726, height: 712 };
    const compact = fitView(sceneBounds(LANES), canvas, { insets: editorInsets(726) });
    const wide = fitView(sceneBounds(LANES), canvas, { insets: EDITOR_INSETS });
    expect(compact.zoom).toBeGreaterThan(wide.zoom * 1.3);
  });
});
