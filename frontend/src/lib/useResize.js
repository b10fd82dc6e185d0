import { useEffect } from "react";

/** Calls `onResize` (at most once a frame) when the element in `ref` changes size, not on the first layout. */
export function useResize(ref, onResize) {
  useEffect(() => {
    const node = ref.current;
    if (!node || typeof ResizeObserver === "undefined") return undefined;
    let last = null;
    let raf = null;
    const observer = new ResizeObserver(([entry]) => {
      const { width, height } = entry.contentRect;
      const size = `${Math.round(width)}x${Math.round(height)}`;
      if (last !== null && size !== last) {
        cancelAnimationFrame(raf);
        raf = requestAnimationFrame(onResize);
      }
      last = size;
    });
    observer.observe(node);
    return () => {
      observer.disconnect();
      cancelAnimationFrame(raf);
    };
  }, [ref, onResize]);
}
