/**
 * Everything the board client does to the Excalidraw scene, through its
 * imperative API: load and merge server elements (outside the undo history),
 * put server copies back, show the other people as collaborators, fit the view.
 * The sync logic above it never calls Excalidraw itself.
 */
import { CaptureUpdateAction, reconcileElements, restoreElements } from "@excalidraw/excalidraw";

import { VIEWER_INSETS, editorInsets, fitView, sceneBounds } from "./fit.js";
import { dedupeWinners, zOrder } from "./reconcile.js";

/**
 * Server elements ready for the scene: one copy per id (the winner), in the
 * server's stacking order, through `restoreElements` (which fills in missing
 * fields). It renames duplicate ids, hence the dedupe, and drops invisibly
 * small elements, which are kept here as they are (they are mostly tombstones).
 */
export function restoreRemote(elements) {
  const sorted = zOrder(dedupeWinners(elements));
  const restored = restoreElements(sorted, null);
  if (restored.length !== sorted.length) {
    const have = new Set(restored.map((e) => e.id));
    for (const raw of sorted) if (!have.has(raw.id)) restored.push({ ...raw });
  }
  return restored;
}

/** Excalidraw's collaborator entries for the peers (see `Peers`). */
export function collaboratorsOf(peers) {
  const collaborators = new Map();
  for (const [clientId, peer] of peers) {
    const selectedElementIds = {};
    for (const id of peer.selectedIds ?? []) selectedElementIds[id] = true;
    collaborators.set(clientId, {
      id: peer.user?.id != null ? `user-${peer.user.id}` : clientId,
      socketId: clientId,
      username: peer.user?.name ?? "Guest",
      pointer: peer.pointer ? { x: peer.pointer.x, y: peer.pointer.y, tool: "pointer" } : undefined,
      button: peer.button ?? "up",
      selectedElementIds,
    });
  }
  return collaborators;
}

/** Fit the board to the canvas of `api` (see lib/board/fit.js); false when there is nothing to fit. */
export function applyFit(api, { editing = false } = {}) {
  const bounds = sceneBounds(api.getSceneElements());
  const { width, height } = api.getAppState();
  if (!bounds || !width || !height) return false;
  const view = fitView(bounds, { width, height }, { insets: editing ? editorInsets(width) : VIEWER_INSETS });
  api.updateScene({
    appState: { zoom: { value: view.zoom }, scrollX: view.scrollX, scrollY: view.scrollY },
    captureUpdate: CaptureUpdateAction.NEVER,
  });
  return true;
}

export class ExcalidrawBridge {
  constructor(api) {
    this.api = api;
  }

  /** Every element in the scene, deleted ones included. */
  elements() {
    return this.api.getSceneElementsIncludingDeleted();
  }

  /** The ids of the elements selected here. */
  selectedIds() {
    const selected = this.api.getAppState().selectedElementIds ?? {};
    return Object.keys(selected).filter((id) => selected[id]);
  }

  /** The first snapshot: the scene becomes the server's board, with nothing to undo, fitted to the view. */
  load(elements, { editing = true } = {}) {
    this._replace(restoreRemote(elements));
    this.api.history?.clear?.();
    requestAnimationFrame(() => this.fitToContent({ editing }));
  }

  /**
   * Merge server elements into the scene with Excalidraw's `reconcileElements`
   * (the rule of `reconcile.js`; local work that is newer stays). Returns the ids
   * where the server's copy won, which are now in sync.
   */
  merge(remote) {
    const restored = restoreRemote(remote);
    const restoredById = new Map(restored.map((el) => [el.id, el]));
    const reconciled = reconcileElements(this.elements(), restored, this.api.getAppState());
    this._replace(reconciled);
    return reconciled.filter((el) => restoredById.get(el.id) === el).map((el) => el.id);
  }

  /**
   * Replace the local copies of `ids` by the server's copy (`copyOf(id)`), and drop those the
   * server never had. Returns the ids found in the scene.
   */
  revert(ids, copyOf) {
    const idSet = new Set(ids);
    const next = [];
    const found = [];
    for (const el of this.elements()) {
      if (!idSet.has(el.id)) {
        next.push(el);
        continue;
      }
      found.push(el.id);
      const server = copyOf(el.id);
      if (server) next.push(restoreRemote([server])[0]);
    }
    this._replace(next);
    return found;
  }

  /**
   * Put the server's copy of each of `copies` (id -> element) in the scene where the local one
   * differs by `differs(local, server)` or is missing. Returns whether anything changed.
   */
  restoreWhere(copies, differs) {
    const elements = this.elements();
    const localById = new Map();
    for (const el of elements) if (copies.has(el.id)) localById.set(el.id, el);
    const fixes = new Map();
    for (const [id, server] of copies) {
      const local = localById.get(id);
      if (!local || differs(local, server)) fixes.set(id, restoreRemote([server])[0]);
    }
    if (!fixes.size) return false;
    const next = elements.map((el) => fixes.get(el.id) ?? el);
    for (const [id, el] of fixes) if (!localById.has(id)) next.unshift(el);
    this._replace(next);
    return true;
  }

  showCollaborators(peers) {
    this.api.updateScene({ collaborators: collaboratorsOf(peers) });
  }

  /** Zoom and scroll so the whole board (both lanes) shows in the canvas space Excalidraw's panels leave free. */
  fitToContent({ editing = true } = {}) {
    applyFit(this.api, { editing });
  }

  _replace(elements) {
    this.api.updateScene({ elements, captureUpdate: CaptureUpdateAction.NEVER });
  }
}
