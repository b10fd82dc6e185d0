import { describe, expect, it } from "vitest";

import { statusLabel, statusTone } from "./status.js";

describe("statusLabel", () => {
  it.each([
    ["connected", 0, "Connected — all changes saved"],
    ["connected", 1, "Saving — 1 change not yet saved"],
    ["connected", 6, "Saving — 6 changes not yet saved"],
    ["connecting", 0, "Connecting…"],
    ["reconnecting", 0, "Reconnecting…"],
    ["reconnecting", 2, "Reconnecting… — 2 changes not yet saved"],
    ["offline", 0, "Offline"],
    ["offline", 6, "Offline — 6 changes not yet saved"],
    ["closed", 3, "Disconnected — 3 changes not yet saved"],
  ])("%s with %i unsaved: %s", (connection, unsynced, text) => {
    expect(statusLabel(connection, unsynced)).toBe(text);
  });

  it("never says saved while a change waits for its ack", () => {
    for (const state of ["connected", "connecting", "reconnecting", "offline", "closed"]) {
      expect(statusLabel(state, 4)).toContain("4 changes not yet saved");
      expect(statusLabel(state, 4)).not.toContain("all changes saved");
    }
  });
});

describe("statusTone", () => {
  it("is ok only when connected with nothing pending", () => {
    expect(statusTone("connected", 0)).toBe("ok");
    expect(statusTone("connected", 2)).toBe("busy");
    expect(statusTone("connecting", 0)).toBe("busy");
    expect(statusTone("reconnecting", 0)).toBe("bad");
    expect(statusTone("offline", 3)).toBe("bad");
  });
});
