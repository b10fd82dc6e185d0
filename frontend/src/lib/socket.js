/**
 * A JSON WebSocket that reconnects with exponential backoff and jitter.
 *
 * Close codes 4403 (forbidden) and 4404 (not found) are final: the server
 * refused the handshake, retrying would not help.
 */
export const FINAL_CLOSE_CODES = new Set([4403, 4404]);

export function wsUrl(path) {
  if (/^wss?:\/\//.test(path)) return path;
  const proto = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${proto}//${window.location.host}${path.startsWith("/") ? "" : "/"}${path}`;
}

export function backoffDelay(attempt, { base = 500, cap = 10000 } = {}) {
  const exp = Math.min(cap, base * 2 ** attempt);
  // "equal jitter": half fixed, half random, so retries never bunch up at 0
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

export class ReconnectingSocket {
  /**
   * @param {string} path  relative ws path, e.g. "/ws/boards/5/"
   * @param {{onOpen?:Function,onMessage?:Function,onClose?:Function}} handlers
   */
  constructor(path, handlers = {}) {
    this.url = wsUrl(path);
    this.handlers = handlers;
    this.ws = null;
    this.attempt = 0;
    this.timer = null;
    this.stopped = true;
    this.finalCode = null;
    this._onOnline = () => {
      if (!this.stopped && !this.isOpen() && this.timer) this.retryNow();
    };
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener("online", this._onOnline);
    this._connect();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener("online", this._onOnline);
    clearTimeout(this.timer);
    this.timer = null;
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close(1000);
      } catch {
        /* already closed */
      }
    }
  }

  isOpen() {
    return !!this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends a JSON frame; returns false when the socket is not open. */
  send(obj) {
    if (!this.isOpen()) return false;
    this.ws.send(typeof obj === "string" ? obj : JSON.stringify(obj));
    return true;
  }

  retryNow() {
    clearTimeout(this.timer);
    this.timer = null;
    this._connect();
  }

  /** Drops the current connection (it will reconnect); used by tests/debugging. */
  drop() {
    if (this.ws) this.ws.close(4000);
  }

  /**
   * Gives the current connection up as lost at once and reconnects with backoff. Unlike `close()`,
   * whose `onclose` waits for the closing handshake (which never comes while the network is gone),
   * the close is reported now, as code 4000.
   */
  abandon() {
    const ws = this.ws;
    if (!ws || this.stopped) return;
    this.ws = null;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try {
      ws.close(4000);
    } catch {
      /* already closed */
    }
    this.handlers.onClose?.({ code: 4000, final: false, attempt: this.attempt });
    this._scheduleReconnect();
  }

  _connect() {
    if (this.stopped) return;
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this._scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.handlers.onOpen?.();
    };
    ws.onmessage = (event) => {
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        return;
      }
      if (msg && typeof msg === "object") this.handlers.onMessage?.(msg);
    };
    ws.onerror = () => {
      /* onclose follows */
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      const final = FINAL_CLOSE_CODES.has(event.code);
      if (final) this.finalCode = event.code;
      this.handlers.onClose?.({ code: event.code, final, attempt: this.attempt });
      if (!final) this._scheduleReconnect();
    };
  }

  _scheduleReconnect() {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt);
    this.attempt += 1;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this._connect();
    }, delay);
  }
}
