/**
 * The board socket's lifecycle: connect and reconnect (`ReconnectingSocket`),
 * the snapshot that opens every connection (in parts when the board is large),
 * and the connection state the status badge shows:
 *
 *   connecting   socket open (or opening), snapshot not in yet
 *   connected    the snapshot is applied: changes flow
 *   reconnecting the socket dropped; retrying
 *   offline      after a few failed attempts, or while the browser is offline
 *                (the browser's `offline` event drops the socket at once: frames
 *                sent now would wait unanswered)
 *   closed       stopped, or refused for good (4403 / 4404)
 */
import { ReconnectingSocket } from "../socket.js";

// after this many failed reconnects (or when the browser is offline) the badge says "Offline"
export const OFFLINE_AFTER_ATTEMPTS = 3;

const FINAL_CLOSE_ERRORS = {
  4403: { code: "forbidden", message: "You do not have access to this board any more." },
  4404: { code: "not_found", message: "This board no longer exists." },
};

/**
 * Puts a large snapshot back together: the `snapshot` frame with `more: true`, then
 * `snapshot_part` frames until one has `more: false` (docs/protocol.md).
 */
export class SnapshotAssembler {
  constructor() {
    this.parts = null;
  }

  /** Feed a `snapshot` or `snapshot_part` frame; returns the whole snapshot once it is complete, else null. */
  add(msg) {
    if (msg.type === "snapshot") {
      if (!msg.more) {
        this.parts = null;
        return msg;
      }
      this.parts = { head: msg, elements: [...(msg.elements ?? [])] };
      return null;
    }
    // a part without its head (the socket dropped in between) is of no use
    if (!this.parts) return null;
    this.parts.elements.push(...(msg.elements ?? []));
    if (msg.more) return null;
    const { head, elements } = this.parts;
    this.parts = null;
    return { ...head, elements, more: false };
  }

  reset() {
    this.parts = null;
  }
}

export class BoardConnection {
  /**
   * @param {string} path  the board socket's path
   * @param {{
   *   onSnapshot: (msg) => void,   a complete snapshot (call `connected()` once it is applied)
   *   onMessage: (msg) => void,    every other frame
   *   onDrop: (info: {final: boolean}) => void,  the socket closed (the state is already updated)
   *   onState: (state: string) => void,
   *   onError: (err: {code: string, message: string}) => void,
   * }} handlers
   */
  constructor(path, handlers) {
    this.handlers = handlers;
    this.state = "connecting";
    this.ready = false; // the snapshot of the current connection is applied
    this.snapshot = new SnapshotAssembler();
    this.socket = new ReconnectingSocket(path, {
      onOpen: () => this._setState("connecting"),
      onMessage: (msg) => this._onMessage(msg),
      onClose: (info) => this._onClose(info),
    });
    this._onBrowserOffline = () => {
      if (this.state === "closed") return;
      this.socket.abandon();
      this._setState("offline");
    };
  }

  start() {
    window.addEventListener("offline", this._onBrowserOffline);
    this.socket.start();
  }

  stop() {
    window.removeEventListener("offline", this._onBrowserOffline);
    this.socket.stop();
    this.ready = false;
    this._setState("closed");
  }

  /** Send a frame (an object, or JSON text); false when the socket is not open. */
  send(frame) {
    return this.socket.send(frame);
  }

  isOpen() {
    return this.socket.isOpen();
  }

  /** The connection is lost though the socket looks open (an ack that never came): drop it and reconnect. */
  lost() {
    this.socket.abandon();
  }

  /** The snapshot is applied: the board is live. */
  connected() {
    this.ready = true;
    this._setState("connected");
  }

  _onMessage(msg) {
    if (msg.type === "snapshot" || msg.type === "snapshot_part") {
      const whole = this.snapshot.add(msg);
      if (whole) this.handlers.onSnapshot(whole);
    } else {
      this.handlers.onMessage(msg);
    }
  }

  _onClose({ final, code, attempt }) {
    this.ready = false;
    this.snapshot.reset();
    if (final) {
      this._setState("closed");
      this.handlers.onDrop({ final });
      this.handlers.onError(FINAL_CLOSE_ERRORS[code] ?? FINAL_CLOSE_ERRORS[4404]);
      return;
    }
    const offline =
      attempt + 1 >= OFFLINE_AFTER_ATTEMPTS || (typeof navigator !== "undefined" && navigator.onLine === false);
    this._setState(offline ? "offline" : "reconnecting");
    this.handlers.onDrop({ final });
  }

  _setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.handlers.onState(state);
  }
}
