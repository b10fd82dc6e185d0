/**
 * Client side of the board socket (docs/protocol.md, "Board socket").
 *
 * Responsibilities:
 *  - load the server `snapshot`, remember its `seq` and, per element, the
 *    version last sent or received (`known`) so nothing is echoed back;
 *  - turn local Excalidraw changes into `ops` batches (throttled), keep every
 *    batch pending until its `ack`, re-send pending batches (same op_id) after
 *    a reconnect;
 *  - merge remote elements with Excalidraw's rule (higher version wins, on a
 *    tie the lower versionNonce wins) via `reconcileElements`;
 *  - detect seq gaps and ask for `sync` (answered by `catchup` or `snapshot`);
 *  - never send the server-owned lane frames, and restore the server copy if
 *    the local one diverges;
 *  - presence: throttled pointer updates out, remote collaborators in.
 */
import {
  CaptureUpdateAction,
  reconcileElements,
  restoreElements,
} from "@excalidraw/excalidraw";

import { uuid } from "./ids.js";
import { ReconnectingSocket } from "./socket.js";

export const DEFAULT_LANE_IDS = ["lane-offline", "lane-online"];
const SEND_THROTTLE_MS = 50;
const PRESENCE_INTERVAL_MS = 34; // <= 30 frames per second
// BOARD_MAX_MESSAGE_BYTES is 64 KiB; keep a margin for the envelope.
const MAX_BATCH_BYTES = 56 * 1024;
const SYNC_TIMEOUT_MS = 5000;
// How long a seq gap may stay open before we ask the server for what we missed.
const GAP_GRACE_MS = 300;
const RATE_LIMIT_RETRY_MS = 1000;
// after this many failed reconnects (or when the browser is offline) the badge
// says "Offline" instead of "Reconnecting…"
const OFFLINE_AFTER_ATTEMPTS = 3;

// Fields that define a lane frame; any local difference is reverted.
const LANE_FIELDS = [
  "type",
  "x",
  "y",
  "width",
  "height",
  "angle",
  "isDeleted",
  "locked",
  "name",
  "strokeColor",
  "backgroundColor",
  "opacity",
  "frameId",
];

const encoder = new TextEncoder();

// Mirrors the server's element checks (a batch with one bad element is refused
// whole), so an unsupported element is dropped locally instead.
const MAX_BATCH_ELEMENTS = 500;
const ALLOWED_TYPES = new Set(["rectangle", "ellipse", "diamond", "arrow", "line", "freedraw", "text", "frame"]);
const TYPE_LABELS = { image: "Images", embeddable: "Web embeds", iframe: "Embeds", magicframe: "AI frames" };
const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_COORD = 1_000_000;
const MAX_SIZE = 100_000;
const MAX_TEXT = 10_000;
const MAX_POINTS = 5_000;
// BOARD_MAX_ELEMENT_BYTES: one element's JSON as the server stores it.
const MAX_ELEMENT_BYTES = 32 * 1024;
const NUMERIC_FIELDS = ["x", "y", "width", "height", "angle", "strokeWidth", "opacity", "roughness", "fontSize"];

/** Why the server would refuse this element, or null when it is fine. */
export function unsendableReason(el) {
  if (!ALLOWED_TYPES.has(el.type)) {
    return `${TYPE_LABELS[el.type] ?? `"${el.type}" elements`} are not supported on the shared board.`;
  }
  if (typeof el.id !== "string" || !ID_RE.test(el.id)) return "An element has an id the board does not accept.";
  for (const field of NUMERIC_FIELDS) {
    if (!(field in el)) continue;
    const v = el[field];
    const bound = field === "width" || field === "height" ? MAX_SIZE : MAX_COORD;
    if (typeof v !== "number" || !Number.isFinite(v) || Math.abs(v) > bound) {
      return "That element is too large or too far away to share.";
    }
  }
  for (const field of ["text", "originalText"]) {
    if (typeof el[field] === "string" && el[field].length > MAX_TEXT) {
      return `Text is limited to ${MAX_TEXT.toLocaleString("en")} characters per element.`;
    }
  }
  if (Array.isArray(el.points)) {
    if (el.points.length > MAX_POINTS) return "That drawing has too many points to share; split it into smaller strokes.";
    for (const p of el.points) {
      if (!Array.isArray(p) || p.length !== 2 || p.some((v) => !Number.isFinite(v) || Math.abs(v) > MAX_COORD)) {
        return "That element is too large or too far away to share.";
      }
    }
  }
  if (encoder.encode(JSON.stringify(el)).length > MAX_ELEMENT_BYTES) {
    return "That drawing is too large to share; split it into smaller pieces.";
  }
  return null;
}

/** Excalidraw's conflict rule: does element `a` beat element `b`? */
export function wins(a, b) {
  if (!b) return true;
  if (a.version !== b.version) return a.version > b.version;
  return a.versionNonce < b.versionNonce;
}

/**
 * The server's stacking order (`whiteboard.selectors.z_order`): by fractional
 * `index` in plain string order, unindexed elements last; equal indices keep
 * their order.
 */
export function sortByIndex(elements) {
  const withIndex = [];
  const without = [];
  for (const el of elements) {
    if (el.index == null) without.push(el);
    else withIndex.push(el);
  }
  withIndex.sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : 0));
  return withIndex.concat(without);
}

/** One copy per id: the winner under Excalidraw's rule (catch-up can carry several). */
export function dedupeWinners(elements) {
  const byId = new Map();
  for (const el of elements) {
    const prev = byId.get(el.id);
    if (!prev || wins(el, prev)) byId.set(el.id, el);
  }
  return byId.size === elements.length ? elements : [...byId.values()];
}

/**
 * restoreElements fills in missing fields and normalises; it renames duplicate
 * ids (so duplicates are removed first) and drops invisibly small elements
 * (kept here as-is: they are mostly tombstones).
 */
function restoreRemote(elements) {
  const sorted = sortByIndex(dedupeWinners(elements));
  const restored = restoreElements(sorted, null);
  if (restored.length !== sorted.length) {
    const have = new Set(restored.map((e) => e.id));
    for (const raw of sorted) if (!have.has(raw.id)) restored.push({ ...raw });
  }
  return restored;
}

function laneDiverged(local, server) {
  return LANE_FIELDS.some((f) => (local[f] ?? null) !== (server[f] ?? null));
}

export class BoardSync {
  /**
   * @param {{path: string, api: any, user: {id:number,name:string}, onError?: (err)=>void}} opts
   */
  constructor({ path, api, user, onError }) {
    this.api = api;
    this.user = user;
    this.onError = onError ?? (() => {});

    this.seq = null;
    this.ahead = new Set(); // seqs seen above a gap, waiting for it to fill
    this.gapTimer = null;
    this.known = new Map(); // element id -> version last sent or received
    this.serverCopies = new Map(); // element id -> latest server copy we know of
    this.pending = new Map(); // op_id -> {opId, payload, versions: Map(id -> version)}
    this.laneIds = new Set(DEFAULT_LANE_IDS);
    this.lanes = [];
    this.ready = false; // snapshot received on the current connection
    this.loadedOnce = false;
    this.syncing = null; // {since, timer} while a sync is unanswered
    this.canEdit = false;
    this.clientId = null;
    this.peers = new Map(); // client_id -> {user, pointer, button, selectedIds}
    this.unsynced = 0;
    this.connection = "connecting"; // connecting | connected | reconnecting | offline | closed
    this.closeCode = null;

    this._flushTimer = null;
    this._lastFlush = 0;
    this._presenceTimer = null;
    this._lastPresence = 0;
    this._presence = null;
    this._retryTimer = null;

    this._listeners = new Set();
    this._view = this._makeView();

    this.socket = new ReconnectingSocket(path, {
      onOpen: () => this._setConnection("connecting"),
      onMessage: (msg) => this._onMessage(msg),
      onClose: (info) => this._onClose(info),
    });
    this._onBrowserOffline = () => {
      if (!this.ready) this._setConnection("offline");
    };
  }

  // ------------------------------------------------------------------ public

  start() {
    window.addEventListener("offline", this._onBrowserOffline);
    this.socket.start();
  }

  stop() {
    window.removeEventListener("offline", this._onBrowserOffline);
    clearTimeout(this._flushTimer);
    clearTimeout(this._presenceTimer);
    clearTimeout(this._retryTimer);
    if (this.syncing) clearTimeout(this.syncing.timer);
    this.socket.stop();
    this.connection = "closed";
    this._emit();
  }

  subscribe = (fn) => {
    this._listeners.add(fn);
    return () => this._listeners.delete(fn);
  };

  getView = () => this._view;

  /** Status for tests / debugging: connecting | connected | reconnecting | offline | closed */
  status() {
    return this.connection;
  }

  /** Excalidraw onChange: schedule a (throttled) diff of local element versions. */
  handleChange = () => {
    if (this._flushTimer) return;
    const wait = Math.max(0, SEND_THROTTLE_MS - (Date.now() - this._lastFlush));
    this._flushTimer = setTimeout(() => {
      this._flushTimer = null;
      this.flush();
    }, wait);
  };

  /** Excalidraw onPointerUpdate: throttled presence frames. */
  handlePointer = ({ pointer, button }) => {
    if (!pointer) return;
    this._presence = { x: pointer.x, y: pointer.y, button };
    if (this._presenceTimer) return;
    const wait = Math.max(0, PRESENCE_INTERVAL_MS - (Date.now() - this._lastPresence));
    this._presenceTimer = setTimeout(() => {
      this._presenceTimer = null;
      this._sendPresence();
    }, wait);
  };

  /** Diff local elements against `known`, send the changes (when connected). */
  flush() {
    this._lastFlush = Date.now();
    const api = this.api;
    if (!api || !this.loadedOnce) return;
    let elements = api.getSceneElementsIncludingDeleted();
    if (this._enforceLanes(elements)) elements = api.getSceneElementsIncludingDeleted();

    let dirty = [];
    for (const el of elements) {
      if (this.laneIds.has(el.id)) continue;
      if (this.known.get(el.id) !== el.version) dirty.push(el);
    }

    if (dirty.length && this.canEdit) {
      const refused = [];
      const reasons = new Set();
      dirty = dirty.filter((el) => {
        // a deleted element the server never had needs no round trip
        const reason = unsendableReason(el);
        if (!reason) return true;
        refused.push(el.id);
        if (!el.isDeleted) reasons.add(reason);
        return false;
      });
      if (refused.length) {
        this._revertToServer(refused);
        for (const message of reasons) this.onError({ code: "unsupported", message });
      }
    }

    if (dirty.length && this.ready && this.canEdit && this.socket.isOpen()) {
      this._sendBatches(dirty);
      this._updateUnsynced([]);
    } else {
      this._updateUnsynced(this.canEdit ? dirty : []);
    }
  }

  // --------------------------------------------------------------- messages

  _onMessage(msg) {
    switch (msg.type) {
      case "snapshot":
        // A large board comes in parts: `snapshot`, then `snapshot_part` frames until `more` is false.
        if (msg.more) {
          this._snapshotParts = { head: msg, elements: [...(msg.elements ?? [])] };
        } else {
          this._snapshotParts = null;
          this._onSnapshot(msg);
        }
        break;
      case "snapshot_part":
        if (this._snapshotParts) {
          this._snapshotParts.elements.push(...(msg.elements ?? []));
          if (!msg.more) {
            const { head, elements } = this._snapshotParts;
            this._snapshotParts = null;
            this._onSnapshot({ ...head, elements, more: false });
          }
        }
        break;
      case "ack":
        this._onAck(msg);
        break;
      case "ops":
        this._onRemoteOps(msg);
        break;
      case "catchup":
        this._onCatchup(msg);
        break;
      case "presence":
        this._onPresence(msg);
        break;
      case "peer_joined":
        if (msg.client_id && msg.client_id !== this.clientId) {
          const prev = this.peers.get(msg.client_id);
          this.peers.set(msg.client_id, { ...prev, user: msg.user ?? prev?.user ?? null });
          this._pushCollaborators();
        }
        break;
      case "peer_left":
        if (this.peers.delete(msg.client_id)) this._pushCollaborators();
        break;
      case "error":
        this._onServerError(msg);
        break;
      default:
        break;
    }
  }

  _onSnapshot(msg) {
    const api = this.api;
    const elements = Array.isArray(msg.elements) ? msg.elements : [];
    if (Array.isArray(msg.lanes) && msg.lanes.length) {
      this.lanes = msg.lanes;
      this.laneIds = new Set([...DEFAULT_LANE_IDS, ...msg.lanes.map((l) => l.element_id)]);
    }
    this.canEdit = msg.can_edit !== false;
    this.clientId = msg.client_id ?? this.clientId;
    if (this.syncing) {
      clearTimeout(this.syncing.timer);
      this.syncing = null;
    }

    for (const el of elements) {
      if (el && typeof el.id === "string") this.serverCopies.set(el.id, el);
    }

    if (!this.loadedOnce) {
      const restored = restoreRemote(elements);
      api.updateScene({ elements: restored, captureUpdate: CaptureUpdateAction.NEVER });
      api.history?.clear?.();
      this.known = new Map(elements.map((el) => [el.id, el.version]));
      this.loadedOnce = true;
      requestAnimationFrame(() => this.fitToContent());
    } else {
      // reconnect (or a snapshot answering `sync`): merge, keep newer local work
      this._applyRemote(elements);
    }
    this.seq = typeof msg.seq === "number" ? msg.seq : this.seq;
    this._advanceThroughEarlySeqs();

    // peers on this board right now (when listed; otherwise they introduce
    // themselves with peer_joined frames)
    if (Array.isArray(msg.peers)) {
      this.peers = new Map();
      for (const p of msg.peers) {
        if (p.client_id && p.client_id !== this.clientId) this.peers.set(p.client_id, { user: p.user ?? null });
      }
      this._pushCollaborators();
    }

    this.ready = true;
    this._setConnection("connected");

    // re-send batches that were never acked (same op_id: the server dedupes),
    // then anything changed while we were away
    for (const batch of this.pending.values()) {
      for (const [id, version] of batch.versions) {
        const known = this.known.get(id);
        if (known === undefined || known < version) this.known.set(id, version);
      }
      this.socket.send(batch.payload);
    }
    this.flush();
  }

  _onAck(msg) {
    const batch = this.pending.get(msg.op_id);
    this.pending.delete(msg.op_id);
    if (batch) {
      // accepted elements: the server now holds our copy
      const accepted = new Set(msg.accepted ?? []);
      for (const id of accepted) {
        const copy = batch.elements.get(id);
        if (copy) this.serverCopies.set(id, copy);
      }
    }
    if (Array.isArray(msg.rejected) && msg.rejected.length) {
      this._applyRemote(msg.rejected, { force: true });
    }
    this._noteSeq(msg.seq);
    this._updateUnsynced();
  }

  _onRemoteOps(msg) {
    const elements = Array.isArray(msg.elements) ? msg.elements : [];
    if (elements.length) this._applyRemote(elements);
    this._noteSeq(msg.seq);
  }

  _onCatchup(msg) {
    const ops = Array.isArray(msg.ops) ? [...msg.ops] : [];
    ops.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
    const all = [];
    for (const op of ops) if (Array.isArray(op.elements)) all.push(...op.elements);
    if (all.length) this._applyRemote(all);
    // Advance to what the catch-up covers, then through anything that arrived meanwhile, but
    // never past a seq that has not been seen: a gap left over is asked for again.
    const candidates = [this.seq, msg.seq, ...ops.map((o) => o.seq)].filter((s) => typeof s === "number");
    if (candidates.length) this.seq = Math.max(...candidates);
    if (this.syncing) {
      clearTimeout(this.syncing.timer);
      this.syncing = null;
    }
    this._advanceThroughEarlySeqs();
    // A long catch-up comes in pages: ask for the next one from where this one ended.
    if (msg.more && typeof msg.seq === "number") this._requestSync(msg.seq);
    this._emit();
  }

  _onPresence(msg) {
    // Cursors come coalesced per tick: one frame carries each peer's latest.
    if (Array.isArray(msg.peers)) {
      for (const peer of msg.peers) if (peer && typeof peer === "object") this._onPresence(peer);
      return;
    }
    if (!msg.client_id || msg.client_id === this.clientId) return;
    const prev = this.peers.get(msg.client_id) ?? {};
    this.peers.set(msg.client_id, {
      user: msg.user ?? prev.user ?? null,
      pointer: msg.pointer ?? prev.pointer,
      button: msg.button ?? prev.button ?? "up",
      selectedIds: Array.isArray(msg.selected_ids) ? msg.selected_ids : prev.selectedIds ?? [],
    });
    // pointer moves only touch the canvas; re-render the side panel only for new peers
    this._pushCollaborators({ emit: !prev.user });
  }

  _onServerError(msg) {
    const batch = msg.ref ? this.pending.get(msg.ref) : null;
    if (batch) {
      if (msg.code === "rate_limited" || msg.code === "retry") {
        // nothing was applied (and `retry` may succeed later): send the pending batches again
        // shortly (same op_ids, so any the server did apply are only acknowledged again)
        if (!this._retryTimer) {
          this._retryTimer = setTimeout(() => {
            this._retryTimer = null;
            if (!this.ready) return;
            for (const pending of this.pending.values()) this.socket.send(pending.payload);
          }, RATE_LIMIT_RETRY_MS);
        }
        return;
      }
      // the whole batch was refused: drop it and put the server's copies back
      this.pending.delete(batch.opId);
      this._revertToServer([...batch.versions.keys()]);
      this._updateUnsynced();
    }
    if (msg.code === "rate_limited" && !batch) {
      // presence overflow is harmless; a refused sync is asked again in a moment
      if (this.syncing) {
        clearTimeout(this.syncing.timer);
        this.syncing = null;
        setTimeout(() => {
          if (this.ready && this.ahead.size > 0 && !this.syncing) this._requestSync(Math.max(...this.ahead));
        }, RATE_LIMIT_RETRY_MS);
      }
      return;
    }
    this.onError({ code: msg.code, message: msg.message || "The board rejected a change." });
  }

  _onClose({ final, code, attempt }) {
    this.ready = false;
    this._snapshotParts = null;
    if (this.syncing) {
      clearTimeout(this.syncing.timer);
      this.syncing = null;
    }
    if (this.peers.size) {
      this.peers.clear();
      this._pushCollaborators();
    }
    this.closeCode = code;
    if (final) {
      this._setConnection("closed");
      this.onError({
        code: code === 4403 ? "forbidden" : "not_found",
        message:
          code === 4403
            ? "You do not have access to this board any more."
            : "This board no longer exists.",
      });
      return;
    }
    const offline =
      attempt + 1 >= OFFLINE_AFTER_ATTEMPTS || (typeof navigator !== "undefined" && navigator.onLine === false);
    this._setConnection(offline ? "offline" : "reconnecting");
    this.flush();
  }

  // ---------------------------------------------------------------- helpers

  _sendBatches(dirty) {
    let parts = [];
    let versions = new Map();
    let copies = new Map();
    let bytes = 0;
    const send = () => {
      if (!parts.length) return;
      const opId = uuid();
      const payload = `{"type":"ops","op_id":"${opId}","elements":[${parts.join(",")}]}`;
      this.pending.set(opId, { opId, payload, versions, elements: copies });
      for (const [id, version] of versions) this.known.set(id, version);
      this.socket.send(payload);
      parts = [];
      versions = new Map();
      copies = new Map();
      bytes = 0;
    };
    for (const el of dirty) {
      const json = JSON.stringify(el);
      const size = encoder.encode(json).length + 1;
      if ((bytes + size > MAX_BATCH_BYTES || parts.length >= MAX_BATCH_ELEMENTS) && parts.length) send();
      parts.push(json);
      versions.set(el.id, el.version);
      copies.set(el.id, JSON.parse(json));
      bytes += size;
    }
    send();
  }

  /**
   * Merge remote elements into the scene. `force` is used for `ack.rejected`
   * (server copies that won); the same rule applies, so a newer local edit
   * made in the meantime still wins and is sent again.
   */
  _applyRemote(remote, { force = false } = {}) {
    const api = this.api;
    const incoming = dedupeWinners(remote.filter((el) => el && typeof el.id === "string"));
    if (!incoming.length || !api) return;
    for (const el of incoming) {
      const prev = this.serverCopies.get(el.id);
      if (force || wins(el, prev) || prev === undefined) this.serverCopies.set(el.id, el);
    }
    const restored = restoreRemote(incoming);
    const restoredById = new Map(restored.map((el) => [el.id, el]));
    const local = api.getSceneElementsIncludingDeleted();
    const reconciled = reconcileElements(local, restored, api.getAppState());
    api.updateScene({ elements: reconciled, captureUpdate: CaptureUpdateAction.NEVER });

    // the remote copy won where the reconciled element *is* the restored one
    const sourceVersion = new Map(incoming.map((el) => [el.id, el.version]));
    for (const el of reconciled) {
      const r = restoredById.get(el.id);
      if (r && r === el) this.known.set(el.id, sourceVersion.get(el.id));
    }
    if (this.loadedOnce) this.handleChange();
  }

  /** Replace local copies of `ids` by the server's (used when a batch is refused). */
  _revertToServer(ids) {
    const api = this.api;
    const idSet = new Set(ids);
    const local = api.getSceneElementsIncludingDeleted();
    const next = [];
    for (const el of local) {
      if (!idSet.has(el.id)) {
        next.push(el);
        continue;
      }
      const server = this.serverCopies.get(el.id);
      if (server) {
        const [restored] = restoreRemote([server]);
        next.push(restored);
        this.known.set(el.id, server.version);
      } else {
        // never reached the server: drop it locally
        this.known.delete(el.id);
      }
    }
    api.updateScene({ elements: next, captureUpdate: CaptureUpdateAction.NEVER });
  }

  /** Lane frames belong to the server: put its copy back if ours drifted. */
  _enforceLanes(elements) {
    const localById = new Map();
    for (const el of elements) if (this.laneIds.has(el.id)) localById.set(el.id, el);
    const fixes = new Map();
    for (const id of this.laneIds) {
      const server = this.serverCopies.get(id);
      if (!server) continue;
      const local = localById.get(id);
      if (!local || laneDiverged(local, server)) {
        fixes.set(id, restoreRemote([server])[0]);
      }
    }
    if (!fixes.size) return false;
    const next = elements.map((el) => fixes.get(el.id) ?? el);
    for (const [id, el] of fixes) if (!localById.has(id)) next.unshift(el);
    this.api.updateScene({ elements: next, captureUpdate: CaptureUpdateAction.NEVER });
    return true;
  }

  _noteSeq(seq) {
    if (typeof seq !== "number") return;
    if (this.seq === null) {
      this.seq = seq;
    } else if (seq <= this.seq) {
      return;
    } else if (seq === this.seq + 1 && !this.syncing) {
      this.seq = seq;
      this._advanceThroughEarlySeqs();
    } else {
      // A gap (or an answer to a sync still on its way). Elements are already applied (the merge
      // does not depend on order); the missing op is often just behind, on its way through
      // another server process, so wait a moment before asking.
      this.ahead.add(seq);
      if (!this.syncing) this._armGapTimer();
      return;
    }
    this._emit();
  }

  _advanceThroughEarlySeqs() {
    while (this.ahead.has(this.seq + 1)) this.ahead.delete(++this.seq);
    this._forgetSeqsUpTo(this.seq);
    if (this.ahead.size === 0 && this.gapTimer) {
      clearTimeout(this.gapTimer);
      this.gapTimer = null;
    } else if (this.ahead.size > 0) {
      this._armGapTimer();
    }
  }

  _armGapTimer() {
    if (this.gapTimer) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = null;
      if (this.ahead.size > 0 && !this.syncing) this._requestSync(Math.max(...this.ahead));
    }, GAP_GRACE_MS);
  }

  _forgetSeqsUpTo(seq) {
    for (const early of this.ahead) if (early <= seq) this.ahead.delete(early);
  }

  _requestSync(seenSeq) {
    const since = this.seq;
    if (!this.socket.send({ type: "sync", since_seq: since })) return;
    const timer = setTimeout(() => {
      // no answer: accept what we have and let the next gap ask again
      if (this.syncing && this.syncing.timer === timer) this.syncing = null;
    }, SYNC_TIMEOUT_MS);
    this.syncing = { since, timer };
  }

  _sendPresence() {
    this._lastPresence = Date.now();
    const p = this._presence;
    if (!p || !this.ready) return;
    const selected = this.api?.getAppState?.().selectedElementIds ?? {};
    this.socket.send({
      type: "presence",
      pointer: { x: Math.round(p.x * 10) / 10, y: Math.round(p.y * 10) / 10 },
      button: p.button === "down" ? "down" : "up",
      selected_ids: Object.keys(selected).filter((id) => selected[id]),
    });
  }

  _pushCollaborators({ emit = true } = {}) {
    const collaborators = new Map();
    for (const [clientId, peer] of this.peers) {
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
    this.api?.updateScene({ collaborators });
    if (emit) this._emit();
  }

  _updateUnsynced(dirty) {
    const ids = new Set();
    for (const batch of this.pending.values()) for (const id of batch.versions.keys()) ids.add(id);
    if (dirty) {
      this._dirtyIds = new Set(dirty.map((el) => el.id));
    }
    for (const id of this._dirtyIds ?? []) ids.add(id);
    if (ids.size !== this.unsynced) {
      this.unsynced = ids.size;
      this._emit();
    }
  }

  _setConnection(state) {
    if (this.connection === state) return;
    this.connection = state;
    this._emit();
  }

  fitToContent() {
    const api = this.api;
    if (!api) return;
    const elements = api.getSceneElements();
    if (!elements.length) return;
    api.scrollToContent(elements, { fitToContent: true, animate: false });
  }

  _makeView() {
    return {
      connection: this.connection,
      seq: this.seq,
      canEdit: this.canEdit,
      unsynced: this.unsynced,
      clientId: this.clientId,
      lanes: this.lanes,
      peers: [...this.peers.entries()].map(([clientId, p]) => ({ clientId, user: p.user })),
    };
  }

  _emit() {
    this._view = this._makeView();
    for (const fn of this._listeners) fn();
  }
}
