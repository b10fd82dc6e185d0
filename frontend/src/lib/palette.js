/**
 * The board's component palette, without React or Excalidraw: how the
 * catalogue the server sends (`config.palette`, from whiteboard/components.py)
 * is grouped and searched, which lane a point is in, where a component lands
 * when it is added without dragging, and the shape it becomes: a rectangle
 * with its label bound to it, `customData.component` set to its type key and
 * `frameId` set to the lane's frame (Excalidraw's element skeleton, turned
 * into elements by `convertToExcalidrawElements`).
 */

export const DRAG_TYPE = "application/x-mocklane-component";
export const SHAPE_WIDTH = 180;
export const SHAPE_HEIGHT = 80;
const SLOT_GAP = 40; // between shapes placed by click, and from the lane's edges
const LANE_TITLES = { offline: "Offline lane", online: "Online lane" };

/**
 * The palette's groups in order: the types the problem expects first (only
 * when the server sent any: the interviewer's page), then one group per lane
 * with the rest of the catalogue, in the catalogue's order.
 */
export function paletteGroups(components, suggested = []) {
  const byKey = new Map(components.map((c) => [c.key, c]));
  const first = suggested.map((key) => byKey.get(key)).filter(Boolean);
  const offered = new Set(first.map((c) => c.key));
  const groups = [];
  if (first.length) groups.push({ key: "suggested", title: "For this problem", items: first });
  const lanes = [];
  for (const c of components) if (!lanes.includes(c.lane)) lanes.push(c.lane);
  for (const lane of lanes) {
    const items = components.filter((c) => c.lane === lane && !offered.has(c.key));
    if (items.length) groups.push({ key: lane, title: LANE_TITLES[lane] ?? lane, items });
  }
  return groups;
}

function normalise(text) {
  return String(text ?? "")
    .toLowerCase()
    .replace(/[^a-z0-9/]+/g, " ")
    .trim();
}

/** Whether a component matches what was typed in the palette's search: its label, key or an alias. */
export function matchesQuery(component, query) {
  const wanted = normalise(query);
  if (!wanted) return true;
  const names = [component.label, component.key.replace(/_/g, " "), ...(component.aliases ?? [])];
  return names.some((name) => normalise(name).includes(wanted));
}

/** The groups with only the components matching `query`; empty groups left out. */
export function filterGroups(groups, query) {
  return groups
    .map((group) => ({ ...group, items: group.items.filter((c) => matchesQuery(c, query)) }))
    .filter((group) => group.items.length);
}

/**
 * The lane frames in the scene as `{key, id, x, y, width, height}`: the live
 * frames whose id is a lane's frame (`lanes`: the snapshot's `{key, element_id}`).
 */
export function laneFrames(elements, lanes) {
  const keyOf = new Map(lanes.map((lane) => [lane.element_id, lane.key]));
  return elements
    .filter((el) => el.type === "frame" && !el.isDeleted && keyOf.has(el.id))
    .map((el) => ({ key: keyOf.get(el.id), id: el.id, x: el.x, y: el.y, width: el.width, height: el.height }));
}

/** The lane frame holding a scene point, or null (the gap between the lanes, or outside both). */
export function laneAt(point, frames) {
  return (
    frames.find(
      (f) => f.x <= point.x && point.x <= f.x + f.width && f.y <= point.y && point.y <= f.y + f.height,
    ) ?? null
  );
}

function overlaps(a, b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * Where a shape added without dragging goes in `frame`: the centre of the first
 * cell of a grid (rows from the top, left to right) whose box touches none of
 * `boxes` (the shapes already there). When every cell is taken, the frame's centre.
 */
export function freeSlot(frame, boxes, { width = SHAPE_WIDTH, height = SHAPE_HEIGHT } = {}) {
  const top = frame.y + SLOT_GAP * 2; // below the frame's name
  for (let y = top; y + height <= frame.y + frame.height - SLOT_GAP / 2; y += height + SLOT_GAP) {
    for (let x = frame.x + SLOT_GAP; x + width <= frame.x + frame.width - SLOT_GAP / 2; x += width + SLOT_GAP) {
      const cell = { x, y, width, height };
      if (!boxes.some((box) => overlaps(cell, box))) return { x: x + width / 2, y: y + height / 2 };
    }
  }
  return { x: frame.x + frame.width / 2, y: frame.y + frame.height / 2 };
}

function clamp(value, low, high) {
  return Math.min(Math.max(value, low), Math.max(low, high));
}

/**
 * The skeleton of the labelled shape a component becomes, centred on `point`
 * (inside `frame`, when given, so it stays whole in its lane).
 */
export function componentSkeleton(component, point, { id, frame = null } = {}) {
  let x = point.x - SHAPE_WIDTH / 2;
  let y = point.y - SHAPE_HEIGHT / 2;
  if (frame) {
    x = clamp(x, frame.x, frame.x + frame.width - SHAPE_WIDTH);
    y = clamp(y, frame.y, frame.y + frame.height - SHAPE_HEIGHT);
  }
  const frameId = frame ? frame.id : null;
  return {
    type: "rectangle",
    id,
    x,
    y,
    width: SHAPE_WIDTH,
    height: SHAPE_HEIGHT,
    frameId,
    strokeColor: "#1e1e1e",
    backgroundColor: component.lane === "online" ? "#e7f5ff" : "#fff4e6",
    fillStyle: "solid",
    roundness: { type: 3 },
    customData: { component: component.key },
    label: { text: component.label, id: `${id}-label`, frameId, fontSize: 20 },
  };
}
