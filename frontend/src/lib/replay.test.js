// The replay's merge rule and stacking order against the server's, on the shared
// cases in tests/fixtures/board_rules.json (also read by
// tests/whiteboard/test_shared_rules.py).
import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";

// Only the pure parts are under test; Excalidraw needs a browser.
vi.mock("@excalidraw/excalidraw", () => ({
  CaptureUpdateAction: { IMMEDIATELY: "IMMEDIATELY", NEVER: "NEVER", EVENTUALLY: "EVENTUALLY" },
  restoreElements: (elements) => elements,
}));

const { ReplayLog, wins, zOrder } = await import("./replay.js");

const rules = JSON.parse(
  readFileSync(new URL("../../../tests/fixtures/board_rules.json", import.meta.url), "utf8"),
);

describe("wins (merge rule)", () => {
  it.each(rules.merge.map((c) => [c.name, c]))("%s", (_name, c) => {
    expect(wins({ id: "el", ...c.incoming }, { id: "el", ...c.known })).toBe(c.incoming_wins);
  });
});

describe("zOrder", () => {
  it.each(rules.z_order.map((c) => [c.name, c]))("%s", (_name, c) => {
    expect(zOrder(c.elements).map((el) => el.id)).toEqual(c.expected);
  });
});

describe("ReplayLog", () => {
  it.each(rules.merge.map((c) => [c.name, c]))("merges an op with the rule: %s", (_name, c) => {
    const known = { id: "el", ...c.known, isDeleted: false, tag: "known" };
    const incoming = { id: "el", ...c.incoming, isDeleted: false, tag: "incoming" };
    const log = new ReplayLog([known]);
    log.append([{ seq: 1, at: "2026-01-01T10:00:00Z", elements: [incoming] }]);
    expect(log.stateAt(0).get("el").tag).toBe("known");
    expect(log.stateAt(1).get("el").tag).toBe(c.incoming_wins ? "incoming" : "known");
  });

  it.each(rules.z_order.map((c) => [c.name, c]))("shows the board in z-order: %s", (_name, c) => {
    const log = new ReplayLog();
    const elements = c.elements.map((el) => ({ ...el, version: 1, versionNonce: 1, isDeleted: false }));
    log.append([{ seq: 1, at: "2026-01-01T10:00:00Z", elements }]);
    expect(log.visibleAt(1).map((el) => el.id)).toEqual(c.expected);
  });

  it("leaves deleted elements out of what the board shows", () => {
    const log = new ReplayLog([{ id: "a", index: "a0", version: 1, versionNonce: 1, isDeleted: false }]);
    const deleted = { id: "a", index: "a0", version: 2, versionNonce: 1, isDeleted: true };
    log.append([{ seq: 1, at: "2026-01-01T10:00:00Z", elements: [deleted] }]);
    expect(log.visibleAt(0).map((el) => el.id)).toEqual(["a"]);
    expect(log.visibleAt(1)).toEqual([]);
  });
});
