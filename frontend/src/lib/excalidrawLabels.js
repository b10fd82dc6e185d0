import { useEffect } from "react";

/**
 * Names for the Excalidraw controls that ship without one, so screen readers and voice control can
 * use them: the main menu's button has only an icon, and the zoom button shows "45%" under the
 * name "Reset zoom". Excalidraw re-renders these nodes, so a MutationObserver keeps them named.
 */
export function labelControls(root) {
  for (const button of root.querySelectorAll(".main-menu-trigger")) {
    if (button.getAttribute("aria-label") !== "Board menu") button.setAttribute("aria-label", "Board menu");
  }
  for (const button of root.querySelectorAll(".reset-zoom-button")) {
    const shown = button.textContent.trim();
    const name = shown ? `${shown}, reset zoom` : "Reset zoom";
    if (button.getAttribute("aria-label") !== name) button.setAttribute("aria-label", name);
  }
}

/** Keep the controls under the element in `ref` named (see labelControls). */
export function useExcalidrawLabels(ref) {
  useEffect(() => {
    const root = ref.current;
    if (!root || typeof MutationObserver === "undefined") return undefined;
    labelControls(root);
    const observer = new MutationObserver(() => labelControls(root));
    observer.observe(root, { subtree: true, childList: true, characterData: true });
    return () => observer.disconnect();
  }, [ref]);
}
