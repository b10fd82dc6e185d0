import { useSyncExternalStore } from "react";

/** The page follows the system's light or dark setting (`prefers-color-scheme`). */
const QUERY = "(prefers-color-scheme: dark)";

function media() {
  return typeof window !== "undefined" && window.matchMedia ? window.matchMedia(QUERY) : null;
}

function subscribe(onChange) {
  const mq = media();
  if (!mq) return () => {};
  mq.addEventListener("change", onChange);
  return () => mq.removeEventListener("change", onChange);
}

/** "dark" or "light", for Excalidraw's `theme` prop; re-renders when the setting changes. */
export function useColorScheme() {
  return useSyncExternalStore(
    subscribe,
    () => (media()?.matches ? "dark" : "light"),
    () => "light",
  );
}
