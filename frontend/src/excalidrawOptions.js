/** Excalidraw options shared by the live room and the read-only review. */
export const UI_OPTIONS = {
  canvasActions: {
    // the board lives on the server: no opening/saving local files, no wiping it
    loadScene: false,
    saveToActiveFile: false,
    export: false,
    clearCanvas: false,
    toggleTheme: false,
    changeViewBackgroundColor: false,
    saveAsImage: true,
  },
  // binary files are not part of the board protocol
  tools: { image: false },
};

export const INITIAL_APP_STATE = {
  viewBackgroundColor: "#ffffff",
  currentItemRoughness: 0,
  // Lanes are frames, and a frame clips what is in it: an arrow from one lane to the other would
  // show as a stub. The lanes are only a backdrop, so nothing is clipped.
  frameRendering: { enabled: true, clip: false, name: true, outline: true },
};
