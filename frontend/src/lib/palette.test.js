// The palette's pure parts. The drops are shared with the server's tests
// (tests/fixtures/palette_drops.json, also read by tests/whiteboard/test_components.py).
import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import {
  SHAPE_HEIGHT,
  SHAPE_WIDTH,
  componentSkeleton,
  filterGroups,
  freeSlot,
  laneAt,
  laneFrames,
  matchesQuery,
  paletteGroups,
} from "./palette.js";

const fixture = JSON.parse(readFileSync(new URL("../../../tests/fixtures/palette_drops.json", import.meta.url), "utf8"));
const frameElements = fixture.lanes.map((lane) => ({
  id: lane.element_id,
  type: "frame",
  isDeleted: false,
  x: lane.x,
  y: lane.y,
  width: lane.width,
  height: lane.height,
}));
const snapshotLanes = fixture.lanes.map(({ key, element_id }) => ({ key, element_id }));
const FRAMES = laneFrames(frameElements, snapshotLanes);

const CATALOGUE = [
  { key: "feature_store", label: "Feature store", lane: "offline", aliases: ["features db", "feast"] },
  { key: "training", label: "Training pipeline", lane: "offline", aliases: ["trainer"] },
  { key: "labeling", label: "Labeling", lane: "offline", aliases: ["annotation"] },
  { key: "serving", label: "Serving / inference", lane: "online", aliases: ["model server"] },
  { key: "cache", label: "Cache", lane: "online", aliases: ["redis"] },
  { key: "logging", label: "Logging", lane: "online", aliases: ["clickstream"] },
];
const byKey = new Map(CATALOGUE.map((c) => [c.key, c]));

describe("paletteGroups", () => {
  it("groups the catalogue by lane, in its order", () => {
    const groups = paletteGroups(CATALOGUE);
    expect(groups.map((g) => [g.key, g.title])).toEqual([
      ["offline", "Offline lane"],
      ["online", "Online lane"],
    ]);
    expect(groups[0].items.map((c) => c.key)).toEqual(["feature_store", "training", "labeling"]);
    expect(groups[1].items.map((c) => c.key)).toEqual(["serving", "cache", "logging"]);
  });

  it("offers the problem's expected types first, each once, in the order given", () => {
    const groups = paletteGroups(CATALOGUE, ["logging", "feature_store", "no_such_type"]);
    expect(groups[0]).toMatchObject({ key: "suggested", title: "For this problem" });
    expect(groups[0].items.map((c) => c.key)).toEqual(["logging", "feature_store"]);
    const rest = groups.slice(1).flatMap((g) => g.items.map((c) => c.key));
    expect(rest).toEqual(["training", "labeling", "serving", "cache"]);
  });

  it("has no suggested group when nothing is suggested", () => {
    expect(paletteGroups(CATALOGUE, []).some((g) => g.key === "suggested")).toBe(false);
  });
});

describe("search", () => {
  it("matches the label, the key and the aliases, ignoring case and punctuation", () => {
    expect(matchesQuery(byKey.get("feature_store"), "FEAST")).toBe(true);
    expect(matchesQuery(byKey.get("feature_store"), "feature_store")).toBe(true);
    expect(matchesQuery(byKey.get("serving"), "inference")).toBe(true);
    expect(matchesQuery(byKey.get("serving"), "redis")).toBe(false);
    expect(matchesQuery(byKey.get("cache"), "  ")).toBe(true);
  });

  it("leaves out the groups with nothing that matches", () => {
    const shown = filterGroups(paletteGroups(CATALOGUE), "redis");
    expect(shown.map((g) => g.key)).toEqual(["online"]);
    expect(shown[0].items.map((c) => c.key)).toEqual(["cache"]);
  });
});

describe("lanes", () => {
  it("reads the lane frames from the scene, leaving out other and deleted frames", () => {
    const other = { id: "mine", type: "frame", isDeleted: false, x: 0, y: 0, width: 10, height: 10 };
    const gone = { ...frameElements[1], isDeleted: true };
    expect(laneFrames([frameElements[0], other, gone], snapshotLanes).map((f) => f.key)).toEqual(["offline"]);
  });

  for (const drop of fixture.drops) {
    it(`drop: ${drop.name}`, () => {
      const frame = laneAt(drop.point, FRAMES);
      expect(frame?.key ?? null).toBe(drop.lane);
      const component = byKey.get(drop.component);
      const skeleton = componentSkeleton(component, drop.point, { id: "s1", frame });
      expect(skeleton).toMatchObject({
        type: "rectangle",
        id: "s1",
        x: drop.shape.x,
        y: drop.shape.y,
        width: SHAPE_WIDTH,
        height: SHAPE_HEIGHT,
        frameId: frame ? `lane-${drop.lane}` : null,
        customData: { component: drop.component },
        label: { text: component.label, id: "s1-label", frameId: frame ? `lane-${drop.lane}` : null },
      });
      // the shape's centre is in the lane it was dropped in
      const centre = { x: skeleton.x + SHAPE_WIDTH / 2, y: skeleton.y + SHAPE_HEIGHT / 2 };
      expect(laneAt(centre, FRAMES)?.key ?? null).toBe(drop.lane);
    });
  }
});

describe("freeSlot", () => {
  const online = FRAMES.find((f) => f.key === "online");

  it("takes the first free cell of the lane, top left first", () => {
    const first = freeSlot(online, []);
    expect(laneAt(first, [online])).toBe(online);
    const taken = { x: first.x - SHAPE_WIDTH / 2, y: first.y - SHAPE_HEIGHT / 2, width: SHAPE_WIDTH, height: SHAPE_HEIGHT };
    const second = freeSlot(online, [taken]);
    expect(second.y).toBe(first.y);
    expect(second.x).toBeGreaterThan(first.x + SHAPE_WIDTH);
  });

  it("falls back to the lane's centre when the lane is full", () => {
    const everything = { x: online.x, y: online.y, width: online.width, height: online.height };
    expect(freeSlot(online, [everything])).toEqual({ x: 1520, y: 380 });
  });
});
