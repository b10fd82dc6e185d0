import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { canvasSizeWatcher } from "./useResize.js";

describe("canvasSizeWatcher", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal("requestAnimationFrame", (fn) => setTimeout(fn, 16));
    vi.stubGlobal("cancelAnimationFrame", (id) => clearTimeout(id));
  });

  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("calls back once per new canvas size, not for the first size nor for other changes", () => {
    const onResize = vi.fn();
    const watch = canvasSizeWatcher(onResize);
    watch({ width: 1026, height: 712 });
    watch({ width: 1026, height: 712, zoom: { value: 0.4 } });
    vi.advanceTimersByTime(50);
    expect(onResize).not.toHaveBeenCalled();
    watch({ width: 1300, height: 712 });
    watch({ width: 1314, height: 712 }); // a drag: one refit for the last size
    vi.advanceTimersByTime(50);
    expect(onResize).toHaveBeenCalledTimes(1);
    watch({ width: 1314, height: 712 });
    vi.advanceTimersByTime(50);
    expect(onResize).toHaveBeenCalledTimes(1);
  });

  it("ignores a canvas without a size yet", () => {
    const onResize = vi.fn();
    const watch = canvasSizeWatcher(onResize);
    watch({});
    watch({ width: 800, height: 600 });
    vi.advanceTimersByTime(50);
    expect(onResize).not.toHaveBeenCalled();
  });
});
