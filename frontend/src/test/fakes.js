/**
 * Stand-ins for the browser in the unit tests (Node, no DOM): a WebSocket the
 * test drives from the server's side, `window`, `navigator`, and the Excalidraw
 * imperative API. Excalidraw itself needs a browser, so `excalidrawModule` is
 * what the tests put in its place with `vi.mock`.
 */
import { vi } from "vitest";

import { zOrder } from "../lib/board/reconcile.js";

export class FakeWebSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  static all = [];

  /** The socket opened last. */
  static get last() {
    return FakeWebSocket.all[FakeWebSocket.all.length - 1];
  }

  constructor(url) {
    this.url = url;
    this.readyState = FakeWebSocket.CONNECTING;
    this.sent = [];
    FakeWebSocket.all.push(this);
  }

  send(data) {
    if (this.readyState !== FakeWebSocket.OPEN) throw new Error("send on a socket that is not open");
    this.sent.push(data);
  }

  close(code = 1000) {
    if (this.readyState === FakeWebSocket.CLOSED) return;
    this.readyState = FakeWebSocket.CLOSED;
    this.onclose?.({ code });
  }

  // ---- the server's side

  accept() {
    this.readyState = FakeWebSocket.OPEN;
    this.onopen?.();
  }

  receive(msg) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }

  /** The connection drops (1006) or the server closes it with `code`. */
  drop(code = 1006) {
    this.readyState = FakeWebSocket.CLOSED;
    this.onclose?.({ code });
  }

  /** The frames the client sent, parsed; `type` keeps only those of that type. */
  frames(type) {
    const frames = this.sent.map((data) => JSON.parse(data));
    return type ? frames.filter((f) => f.type === type) : frames;
  }
}

/** Puts the fake WebSocket, `window`, `navigator` and `requestAnimationFrame` in place (undone by vi.unstubAllGlobals). */
export function stubBrowser() {
  FakeWebSocket.all = [];
  const win = new EventTarget();
  win.location = { protocol: "http:", host: "mocklane.test" };
  vi.stubGlobal("window", win);
  vi.stubGlobal("navigator", { onLine: true });
  vi.stubGlobal("WebSocket", FakeWebSocket);
  vi.stubGlobal("requestAnimationFrame", (fn) => setTimeout(() => fn(Date.now()), 16));
  vi.stubGlobal("cancelAnimationFrame", (id) => clearTimeout(id));
  return win;
}

/**
 * The parts of @excalidraw/excalidraw the board code calls. `reconcileElements` follows
 * Excalidraw 0.18's own (data/reconcile.ts): the remote copy replaces the local one unless the
 * local one has a higher version, or the same version and a lower versionNonce; then the scene
 * is ordered by fractional index. `restoreElements` copies (the real one normalises).
 */
export const excalidrawModule = {
  CaptureUpdateAction: { IMMEDIATELY: "IMMEDIATELY", NEVER: "NEVER", EVENTUALLY: "EVENTUALLY" },
  restoreElements: (elements) => elements.map((el) => ({ ...el })),
  reconcileElements(local, remote) {
    const localById = new Map(local.map((el) => [el.id, el]));
    const out = [];
    const added = new Set();
    for (const r of remote) {
      if (added.has(r.id)) continue;
      const l = localById.get(r.id);
      const keepLocal = l && (l.version > r.version || (l.version === r.version && l.versionNonce < r.versionNonce));
      out.push(keepLocal ? l : r);
      added.add(r.id);
    }
    for (const l of local) if (!added.has(l.id)) out.push(l);
    return zOrder(out);
  },
};

/** An element as Excalidraw keeps it (only the fields the board code reads). */
export function element(id, { version = 1, versionNonce = 1, index = "a0", ...rest } = {}) {
  return { id, type: "rectangle", x: 0, y: 0, width: 10, height: 10, version, versionNonce, index, isDeleted: false, ...rest };
}

/**
 * The Excalidraw imperative API over a plain list of elements; `edit` and `add` are local changes.
 * Like Excalidraw, every change of the scene calls `onChange` (RoomBoard wires it to `handleChange`).
 */
export function fakeExcalidrawApi({ onChange = () => {} } = {}) {
  let elements = [];
  const api = {
    onChange,
    appState: { selectedElementIds: {}, width: 1026, height: 712 },
    collaborators: new Map(),
    updates: [],
    history: { clear: vi.fn() },
    scrollToContent: vi.fn(),
    getSceneElementsIncludingDeleted: () => elements,
    getSceneElements: () => elements.filter((el) => !el.isDeleted),
    getAppState: () => api.appState,
    updateScene(update) {
      api.updates.push(update);
      if (update.elements) elements = update.elements;
      if (update.collaborators) api.collaborators = update.collaborators;
      if (update.appState) api.appState = { ...api.appState, ...update.appState };
      api.onChange();
    },
    /** The element `id` in the scene. */
    get(id) {
      return elements.find((el) => el.id === id);
    },
    /** A local edit: a new version of `id`, as Excalidraw makes it. */
    edit(id, patch = {}) {
      elements = elements.map((el) =>
        el.id === id ? { ...el, ...patch, version: el.version + 1, versionNonce: el.versionNonce + 7 } : el,
      );
      api.onChange();
    },
    add(el) {
      elements = [...elements, el];
      api.onChange();
    },
  };
  return api;
}
