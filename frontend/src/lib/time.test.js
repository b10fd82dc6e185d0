import { describe, expect, it } from "vitest";

import { formatClock, formatDuration } from "./time.js";

describe("formatClock", () => {
  it.each([
    ["2026-12-02T00:05:00Z", "00:05"],
    ["2026-12-02T09:30:59Z", "09:30"],
    ["2026-12-02T12:00:00Z", "12:00"],
    ["2026-12-02T13:45:00Z", "13:45"],
    ["2026-12-02T23:59:00Z", "23:59"],
  ])("%s is %s on the 24-hour clock", (iso, text) => {
    expect(formatClock(iso, { timeZone: "UTC" })).toBe(text);
  });

  it("follows the zone it is given", () => {
    expect(formatClock("2026-12-02T13:45:00Z", { timeZone: "Asia/Kolkata" })).toBe("19:15");
  });

  it("never says AM or PM", () => {
    for (let h = 0; h < 24; h += 1) {
      const text = formatClock(`2026-12-02T${String(h).padStart(2, "0")}:10:00Z`, { timeZone: "UTC" });
      expect(text).toMatch(/^\d\d:\d\d$/);
    }
  });

  it("is empty for a bad date", () => {
    expect(formatClock("soon")).toBe("");
  });
});

describe("formatDuration", () => {
  it("counts minutes past the hour and clamps negatives", () => {
    expect(formatDuration(65 * 60 * 1000 + 5000)).toBe("65:05");
    expect(formatDuration(-10)).toBe("00:00");
  });
});
