/**
 * Fitting the board to the space it has: the zoom and scroll that show every element (the two
 * lanes at least) inside the part of the canvas that Excalidraw's own toolbars and the shape
 * properties panel do not cover. Excalidraw draws a scene point at
 * `((x + scrollX) * zoom, (y + scrollY) * zoom)` in the canvas.
 */

export const MIN_ZOOM = 0.1;
export const MAX_ZOOM = 1;

// The canvas edges Excalidraw covers: the tool bar on top, zoom and undo at the bottom, the shape
// properties panel on the left while a tool or a selection is active (only where one can edit).
export const EDITOR_INSETS = { top: 72, right: 16, bottom: 60, left: 232 };
export const VIEWER_INSETS = { top: 56, right: 16, bottom: 60, left: 16 };
// Below this canvas width Excalidraw switches to its compact layout: the properties open over the
// tool bar instead of in a side panel, and a strip of tools sits on the right.
export const COMPACT_BELOW = 760;
export const COMPACT_EDITOR_INSETS = { top: 72, right: 56, bottom: 64, left: 16 };

/** The canvas edges Excalidraw's own controls cover, for a canvas `width` px wide. */
export function editorInsets(width) {
  return width < COMPACT_BELOW ? COMPACT_EDITOR_INSETS : EDITOR_INSETS;
}
// room for the lane names drawn above each frame
const LABEL_ROOM = 28;

function pathBounds(el) {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [px, py] of el.points) {
    minX = Math.min(minX, el.x + px);
    minY = Math.min(minY, el.y + py);
    maxX = Math.max(maxX, el.x + px);
    maxY = Math.max(maxY, el.y + py);
  }
  return [minX, minY, maxX, maxY];
}

/** The box around the live elements ([minX, minY, maxX, maxY]), or null when there are none. */
export function sceneBounds(elements) {
  let box = null;
  for (const el of elements) {
    if (!el || el.isDeleted) continue;
    const x = Number(el.x) || 0;
    const y = Number(el.y) || 0;
    const b =
      Array.isArray(el.points) && el.points.length
        ? pathBounds({ ...el, x, y })
        : [x, y, x + (Number(el.width) || 0), y + (Number(el.height) || 0)];
    if (el.type === "frame") b[1] -= LABEL_ROOM;
    box = box ? [Math.min(box[0], b[0]), Math.min(box[1], b[1]), Math.max(box[2], b[2]), Math.max(box[3], b[3])] : b;
  }
  return box;
}

/**
 * The view that fits `bounds` in a canvas of `width` x `height` less `insets`, centred there.
 * Returns {zoom, scrollX, scrollY}; zoom stays within [minZoom, maxZoom].
 */
export function fitView(bounds, { width, height }, { insets = VIEWER_INSETS, minZoom = MIN_ZOOM, maxZoom = MAX_ZOOM } = {}) {
  const [minX, minY, maxX, maxY] = bounds;
  const boxW = Math.max(1, maxX - minX);
  const boxH = Math.max(1, maxY - minY);
  // a canvas too small for the insets still shows the board, over all of it
  let inner = { left: insets.left, top: insets.top, width: width - insets.left - insets.right, height: height - insets.top - insets.bottom };
  if (inner.width < width / 3 || inner.height < height / 3) inner = { left: 0, top: 0, width, height };
  const zoom = Math.min(maxZoom, Math.max(minZoom, Math.min(inner.width / boxW, inner.height / boxH)));
  const centreX = inner.left + inner.width / 2;
  const centreY = inner.top + inner.height / 2;
  return {
    zoom,
    scrollX: centreX / zoom - (minX + boxW / 2),
    scrollY: centreY / zoom - (minY + boxH / 2),
  };
}
