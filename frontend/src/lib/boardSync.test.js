// The board client's merge rule and stacking order against the server's, on the
// shared cases in tests/fixtures/board_rules.json (also read by
// tests/whiteboard/test_shared_rules.py).
import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";

// Only the pure helpers are under test; Excalidraw needs a browser.
vi.mock("@excalidraw/excalidraw", () => ({
  CaptureUpdateAction: { IMMEDIATELY: "IMMEDIATELY", NEVER: "NEVER", EVENTUALLY: "EVENTUALLY" },
  reconcileElements: (local) => local,
  restoreElements: (elements) => elements,
}));

const { dedupeWinners, sortByIndex, wins } = await import("./boardSync.js");

const rules = JSON.parse(
  readFileSync(new URL("../../../tests/fixtures/board_rules.json", import.meta.url), "utf8"),
);

describe("wins (merge rule)", () => {
  it.each(rules.merge.map((c) => [c.name, c]))("%s", (_name, c) => {
    const incoming = { id: "el", ...c.incoming };
    const known = { id: "el", ...c.known };
    expect(wins(incoming, known)).toBe(c.incoming_wins);
  });

  it("anything beats no copy", () => {
    expect(wins({ id: "el", version: 1, versionNonce: 1 }, undefined)).toBe(true);
  });
});

describe("dedupeWinners", () => {
  it.each(rules.merge.map((c) => [c.name, c]))("%s", (_name, c) => {
    const known = { id: "el", ...c.known };
    const incoming = { id: "el", ...c.incoming };
    const [kept, ...rest] = dedupeWinners([known, incoming]);
    expect(rest).toEqual([]);
    expect(kept).toBe(c.incoming_wins ? incoming : known);
  });

  it("keeps the array as it is when every id is unique", () => {
    const elements = [
      { id: "a", version: 1, versionNonce: 1 },
      { id: "b", version: 1, versionNonce: 1 },
    ];
    expect(dedupeWinners(elements)).toBe(elements);
  });
});

describe("sortByIndex (z-order)", () => {
  it.each(rules.z_order.map((c) => [c.name, c]))("%s", (_name, c) => {
    const input = c.elements.map((el) => ({ ...el }));
    expect(sortByIndex(input).map((el) => el.id)).toEqual(c.expected);
    expect(input.map((el) => el.id)).toEqual(c.elements.map((el) => el.id)); // not sorted in place
  });
});
