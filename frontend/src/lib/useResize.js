/**
 * Refit on resize: Excalidraw reports its canvas size in `appState.width`/`height` with every
 * onChange. Watching those (rather than the box around it) fits to the size Excalidraw itself
 * uses, never to one it has not taken up yet.
 *
 * Returns `(appState) => void` to call from onChange; `onResize()` runs (on the next frame) when
 * the size differs from the one seen before, not on the first.
 */
export function canvasSizeWatcher(onResize) {
  let last = null;
  let raf = null;
  return (appState) => {
    if (!appState?.width || !appState?.height) return;
    const size = `${Math.round(appState.width)}x${Math.round(appState.height)}`;
    if (last !== null && size !== last) {
      if (raf !== null) cancelAnimationFrame(raf);
      raf = requestAnimationFrame(() => {
        raf = null;
        onResize();
      });
    }
    last = size;
  };
}
