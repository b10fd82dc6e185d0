import "../styles/palette.css";

import { CaptureUpdateAction, convertToExcalidrawElements, viewportCoordsToSceneCoords } from "@excalidraw/excalidraw";
import { useEffect, useMemo, useRef, useState } from "react";

import { uuid } from "../lib/ids.js";
import {
  DRAG_TYPE,
  componentSkeleton,
  filterGroups,
  freeSlot,
  laneAt,
  laneFrames,
  paletteGroups,
} from "../lib/palette.js";

/**
 * The ML component palette, a column at the board's left edge (the catalogue
 * the server sends in `config.palette`; the types the problem expects first
 * on the interviewer's page). Drag a component onto the board, or press it (click,
 * Enter or Space) to put it in a free spot of its usual lane: it becomes a
 * labelled rectangle with `customData.component` set to its type, in the lane
 * it lands in. The board client sends it like any other change.
 */
export default function Palette({ palette, sync, canEdit, defaultOpen = true }) {
  const rootRef = useRef(null);
  const [open, setOpen] = useState(() => {
    const remembered = readFolded();
    return remembered ? remembered === "open" : defaultOpen;
  });
  const [query, setQuery] = useState("");
  const groups = useMemo(
    () => paletteGroups(palette?.components ?? [], palette?.suggested ?? []),
    [palette],
  );
  const shown = useMemo(() => filterGroups(groups, query), [groups, query]);
  const byKey = useMemo(() => new Map((palette?.components ?? []).map((c) => [c.key, c])), [palette]);
  const api = sync?.scene?.api ?? null;

  // Drops land on the board (this palette's parent), ahead of Excalidraw's own drop handling.
  useEffect(() => {
    const board = rootRef.current?.parentElement;
    if (!board || !api || !canEdit) return undefined;
    // a component dragged onto the board, not back onto the palette
    const carries = (event) =>
      Array.from(event.dataTransfer?.types ?? []).includes(DRAG_TYPE) && !rootRef.current?.contains(event.target);
    const onDragOver = (event) => {
      if (!carries(event)) return;
      event.preventDefault();
      event.stopPropagation();
      event.dataTransfer.dropEffect = "copy";
    };
    const onDrop = (event) => {
      if (!carries(event)) return;
      event.preventDefault();
      event.stopPropagation();
      const component = byKey.get(event.dataTransfer.getData(DRAG_TYPE));
      if (!component) return;
      const point = viewportCoordsToSceneCoords({ clientX: event.clientX, clientY: event.clientY }, api.getAppState());
      const frame = laneAt(point, laneFrames(api.getSceneElements(), sync.lanes));
      addComponent(api, component, point, frame);
    };
    board.addEventListener("dragover", onDragOver, true);
    board.addEventListener("drop", onDrop, true);
    return () => {
      board.removeEventListener("dragover", onDragOver, true);
      board.removeEventListener("drop", onDrop, true);
    };
  }, [api, sync, canEdit, byKey]);

  if (!groups.length) return null;
  const toggle = () => {
    setOpen(!open);
    saveFolded(open ? "folded" : "open");
  };
  const ready = Boolean(api && canEdit);

  const place = (component) => {
    if (!ready) return;
    const elements = api.getSceneElements();
    const frames = laneFrames(elements, sync.lanes);
    const frame = frames.find((f) => f.key === component.lane) ?? frames[0] ?? null;
    if (!frame) return;
    const boxes = elements.filter((el) => el.type !== "frame" && laneAt(centre(el), [frame]));
    addComponent(api, component, freeSlot(frame, boxes), frame);
  };

  // Always in the layout (open or folded), so the board keeps its size when editing turns on.
  return (
    <section ref={rootRef} className="ml-palette" aria-label="Component palette" data-open={open}>
      <button type="button" className="ml-palette__toggle" aria-expanded={open} onClick={() => toggle()}>
        Components
      </button>
      {open && (
        <div className="ml-palette__body">
          <input
            type="search"
            className="ml-palette__search"
            placeholder="Search components"
            aria-label="Search components"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
          />
          <p className="ml-palette__hint">
            {ready ? "Drag onto a lane, or press to add to its usual lane." : "Editing is off: the board is view only."}
          </p>
          {shown.map((group) => (
            <div key={group.key} className="ml-palette__group" role="group" aria-label={group.title}>
              <h3 className="ml-palette__title">{group.title}</h3>
              <ul className="ml-palette__items">
                {group.items.map((component) => (
                  <li key={component.key}>
                    <button
                      type="button"
                      className={`ml-palette__item ml-palette__item--${component.lane}`}
                      draggable={ready}
                      disabled={!ready}
                      data-component={component.key}
                      title={component.aliases?.length ? `Also: ${component.aliases.join(", ")}` : undefined}
                      onDragStart={(event) => {
                        event.dataTransfer.setData(DRAG_TYPE, component.key);
                        event.dataTransfer.effectAllowed = "copy";
                      }}
                      onClick={() => place(component)}
                    >
                      {component.label}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          ))}
          {!shown.length && <p className="ml-palette__hint">No component matches “{query}”.</p>}
        </div>
      )}
    </section>
  );
}

// Whether the palette is folded is remembered in this browser (without storage: the role's default).
const FOLD_KEY = "mocklane.palette";
function readFolded() {
  try {
    return window.localStorage.getItem(FOLD_KEY);
  } catch {
    return null;
  }
}
function saveFolded(value) {
  try {
    window.localStorage.setItem(FOLD_KEY, value);
  } catch {
    /* not remembered */
  }
}

function centre(el) {
  return { x: el.x + (el.width ?? 0) / 2, y: el.y + (el.height ?? 0) / 2 };
}

/** Add the component's shape and its label at `point`, selected, as one step of the undo history. */
function addComponent(api, component, point, frame) {
  const id = uuid();
  const created = convertToExcalidrawElements([componentSkeleton(component, point, { id, frame })], {
    regenerateIds: false,
  });
  api.updateScene({
    elements: [...api.getSceneElementsIncludingDeleted(), ...created],
    appState: { selectedElementIds: { [id]: true } },
    captureUpdate: CaptureUpdateAction.IMMEDIATELY,
  });
}
