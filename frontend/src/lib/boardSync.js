/**
 * Client side of the board socket (docs/protocol.md, "Board socket"): keeps the
 * Excalidraw scene and the server's board in step. It ties the pieces in
 * `board/` together and keeps the sync state:
 *
 *  - `known`: per element, the version last sent or received, so nothing is
 *    echoed back and only changed elements are sent;
 *  - `serverCopies`: per element, the latest copy the server holds, put back
 *    when a change is refused or a lane frame drifts.
 *
 * The pieces: `board/connection.js` (socket lifecycle, snapshot parts, status),
 * `board/pendingOps.js` (batches until their ack), `board/sequence.js` (seq gaps
 * and catch-up), `board/reconcile.js` (the merge rule and z-order, the server's),
 * `board/excalidrawBridge.js` (the scene), `board/presence.js` (peers) and
 * `board/limits.js` (what the server accepts).
 */
import { BoardConnection } from "./board/connection.js";
import { ExcalidrawBridge } from "./board/excalidrawBridge.js";
import { unsendableReason } from "./board/limits.js";
import { PendingOps } from "./board/pendingOps.js";
import { Peers, presenceFrame } from "./board/presence.js";
import { dedupeWinners, wins } from "./board/reconcile.js";
import { SeqTracker, catchupElements } from "./board/sequence.js";
import { Throttle } from "./throttle.js";

export const DEFAULT_LANE_IDS = ["lane-offline", "lane-online"];
const SEND_THROTTLE_MS = 50;
const PRESENCE_INTERVAL_MS = 34; // <= 30 frames per second

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

function laneDiverged(local, server) {
  return LANE_FIELDS.some((f) => (local[f] ?? null) !== (server[f] ?? null));
}

function isElement(el) {
  return Boolean(el) && typeof el.id === "string";
}

export class BoardSync {
  /**
   * @param {{path: string, api: object, onError?: (err: {code: string, message: string}) => void}} opts
   *   `api`: the Excalidraw imperative API; `onError` shows a message (a toast).
   */
  constructor({ path, api, onError }) {
    this.onError = onError ?? (() => {});
    this.scene = new ExcalidrawBridge(api);

    this.known = new Map(); // element id -> version last sent or received
    this.serverCopies = new Map(); // element id -> latest server copy we know of
    this.laneIds = new Set(DEFAULT_LANE_IDS);
    this.lanes = DEFAULT_LANE_IDS.map((id) => ({ key: id.replace(/^lane-/, ""), element_id: id })); // the snapshot's
    this.loadedOnce = false; // the first snapshot is in the scene
    this.canEdit = false;
    this.unsynced = 0;
    this._dirtyIds = new Set(); // changed here, not sent yet
    this._pointer = null;

    this.connection = new BoardConnection(path, {
      onSnapshot: (msg) => this._onSnapshot(msg),
      onMessage: (msg) => this._onMessage(msg),
      onDrop: ({ final }) => this._onDrop({ final }),
      onState: () => this._emit(),
      onError: (err) => this.onError(err),
    });
    const ready = () => this.connection.ready;
    this.pending = new PendingOps({
      send: (payload) => this.connection.send(payload),
      canResend: ready,
      // the socket looks open but nothing answers (the network went away): count it as lost
      onAckTimeout: () => this.connection.lost(),
    });
    this.seqs = new SeqTracker({
      sendSync: (since) => this.connection.send({ type: "sync", since_seq: since }),
      canSync: ready,
    });
    this.peers = new Peers();
    this._flush = new Throttle(SEND_THROTTLE_MS, () => this._flushNow());
    this._presence = new Throttle(PRESENCE_INTERVAL_MS, () => this._sendPresence());

    this._listeners = new Set();
    this._view = this._makeView();
  }

  // ------------------------------------------------------------------ public

  start() {
    this.connection.start();
  }

  stop() {
    this._flush.cancel();
    this._presence.cancel();
    this.pending.stop();
    this.seqs.stop();
    this.connection.stop();
  }

  /** useSyncExternalStore: the view is {connection, canEdit, unsynced, peers}. */
  subscribe = (fn) => {
    this._listeners.add(fn);
    return () => this._listeners.delete(fn);
  };

  getView = () => this._view;

  /** The last board seq applied (for tests and debugging). */
  get seq() {
    return this.seqs.seq;
  }

  /** connecting | connected | reconnecting | offline | closed */
  status() {
    return this.connection.state;
  }

  /** Excalidraw onChange: schedule a (throttled) diff of local element versions. */
  handleChange = () => this._flush.schedule();

  /** Excalidraw onPointerUpdate: throttled presence frames. */
  handlePointer = ({ pointer, button }) => {
    if (!pointer) return;
    this._pointer = { x: pointer.x, y: pointer.y, button };
    this._presence.schedule();
  };

  /** Diff local elements against `known` and send the changes (when connected) now. */
  flush() {
    this._flush.run();
  }

  /** Fit both lanes in the free canvas (leaving room for the properties panel where one can edit). */
  fitToContent() {
    this.scene.fitToContent({ editing: this.canEdit });
  }

  // --------------------------------------------------------------- messages

  _onMessage(msg) {
    switch (msg.type) {
      case "ack":
        this._onAck(msg);
        break;
      case "ops":
        if (Array.isArray(msg.elements) && msg.elements.length) this._applyRemote(msg.elements);
        this.seqs.note(msg.seq);
        break;
      case "catchup": {
        const elements = catchupElements(msg.ops);
        if (elements.length) this._applyRemote(elements);
        this.seqs.catchup(msg);
        break;
      }
      case "presence": {
        const { moved, joined } = this.peers.move(msg);
        // pointer moves only touch the canvas; the side panel re-renders for new peers
        if (moved) this._showPeers({ emit: joined });
        break;
      }
      case "peer_joined":
        if (this.peers.join(msg)) this._showPeers();
        break;
      case "peer_left":
        if (this.peers.leave(msg.client_id)) this._showPeers();
        break;
      case "error":
        this._onServerError(msg);
        break;
      default:
        break;
    }
  }

  _onSnapshot(msg) {
    const elements = Array.isArray(msg.elements) ? msg.elements.filter(isElement) : [];
    if (Array.isArray(msg.lanes) && msg.lanes.length) {
      this.laneIds = new Set([...DEFAULT_LANE_IDS, ...msg.lanes.map((l) => l.element_id)]);
      this.lanes = msg.lanes;
    }
    const canEdit = msg.can_edit !== false;
    const canEditChanged = canEdit !== this.canEdit;
    this.canEdit = canEdit;
    this.peers.me = msg.client_id ?? this.peers.me;
    for (const el of elements) this.serverCopies.set(el.id, el);

    if (!this.loadedOnce) {
      this.scene.load(elements, { editing: canEdit });
      this.known = new Map(elements.map((el) => [el.id, el.version]));
      this.loadedOnce = true;
    } else {
      // a reconnect, or a snapshot answering `sync`: merge, keep newer local work
      this._applyRemote(elements);
    }
    this.seqs.snapshot(msg.seq);

    // peers on the board right now, when listed (otherwise they introduce themselves with peer_joined)
    if (Array.isArray(msg.peers)) {
      this.peers.replace(msg.peers);
      this._showPeers();
    }

    if (canEditChanged) this._emit();
    this.connection.connected();

    // re-send the batches never acked (same op_id: the server applies each once),
    // then whatever changed while we were away
    for (const batch of this.pending.batches.values()) {
      for (const [id, version] of batch.versions) {
        const known = this.known.get(id);
        if (known === undefined || known < version) this.known.set(id, version);
      }
    }
    this.pending.resendAll();
    this.flush();
  }

  _onAck(msg) {
    const batch = this.pending.settle(msg.op_id);
    if (batch) {
      // the accepted elements: the server now holds our copy
      for (const id of msg.accepted ?? []) {
        const copy = batch.elements.get(id);
        if (copy) this.serverCopies.set(id, copy);
      }
    }
    if (Array.isArray(msg.rejected) && msg.rejected.length) this._applyRemote(msg.rejected, { force: true });
    this.seqs.note(msg.seq);
    this._updateUnsynced();
  }

  _onServerError(msg) {
    const batch = msg.ref ? this.pending.get(msg.ref) : null;
    if (batch) {
      if (msg.code === "rate_limited" || msg.code === "retry") {
        // nothing was applied (and `retry` may succeed later): send the pending batches again shortly
        // (same op_ids, so any the server did apply are only acknowledged again)
        this.pending.retryLater();
        return;
      }
      // the whole batch was refused: drop it and put the server's copies back
      this.pending.settle(batch.opId);
      this._revertToServer([...batch.versions.keys()]);
      this._updateUnsynced();
    } else if (msg.code === "rate_limited") {
      // presence overflow is harmless; a refused sync is asked again in a moment
      this.seqs.syncRefused();
      return;
    }
    this.onError({ code: msg.code, message: msg.message || "The board rejected a change." });
  }

  _onDrop({ final }) {
    this.seqs.disconnected();
    this.pending.disconnected();
    if (this.peers.size) {
      this.peers.clear();
      this._showPeers();
    }
    // counts what changed meanwhile as unsynced; it goes out after the next snapshot
    if (!final) this.flush();
  }

  // ---------------------------------------------------------------- helpers

  _flushNow() {
    if (!this.loadedOnce) return;
    let elements = this.scene.elements();
    if (this._enforceLanes()) elements = this.scene.elements();

    let dirty = elements.filter((el) => !this.laneIds.has(el.id) && this.known.get(el.id) !== el.version);

    if (dirty.length && this.canEdit) {
      const refused = [];
      const reasons = new Set();
      dirty = dirty.filter((el) => {
        const reason = unsendableReason(el);
        if (!reason) return true;
        refused.push(el.id);
        // kept back quietly when deleted: nothing of it is lost
        if (!el.isDeleted) reasons.add(reason);
        return false;
      });
      if (refused.length) {
        this._revertToServer(refused);
        for (const message of reasons) this.onError({ code: "unsupported", message });
      }
    }

    if (dirty.length && this.connection.ready && this.canEdit && this.connection.isOpen()) {
      for (const batch of this.pending.queue(dirty)) {
        for (const [id, version] of batch.versions) this.known.set(id, version);
      }
      this._updateUnsynced([]);
    } else {
      this._updateUnsynced(this.canEdit ? dirty : []);
    }
  }

  /**
   * Merge remote elements into the scene. `force` is for `ack.rejected` (server copies that won):
   * they become the server copy whatever we knew; the scene merge is the same, so a newer local
   * edit made in the meantime still wins and is sent again.
   */
  _applyRemote(remote, { force = false } = {}) {
    const incoming = dedupeWinners(remote.filter(isElement));
    if (!incoming.length) return;
    for (const el of incoming) {
      if (force || wins(el, this.serverCopies.get(el.id))) this.serverCopies.set(el.id, el);
    }
    const sourceVersion = new Map(incoming.map((el) => [el.id, el.version]));
    for (const id of this.scene.merge(incoming)) this.known.set(id, sourceVersion.get(id));
    this.handleChange();
  }

  /** Put the server's copies of `ids` back in the scene (a refused change). */
  _revertToServer(ids) {
    const found = this.scene.revert(ids, (id) => this.serverCopies.get(id));
    for (const id of found) {
      const server = this.serverCopies.get(id);
      if (server) this.known.set(id, server.version);
      else this.known.delete(id); // never reached the server: gone
    }
  }

  /** Lane frames belong to the server: put its copy back if ours drifted. Returns whether it did. */
  _enforceLanes() {
    const copies = new Map();
    for (const id of this.laneIds) {
      const server = this.serverCopies.get(id);
      if (server) copies.set(id, server);
    }
    return this.scene.restoreWhere(copies, laneDiverged);
  }

  _sendPresence() {
    if (!this._pointer || !this.connection.ready) return;
    this.connection.send(presenceFrame(this._pointer, this.scene.selectedIds()));
  }

  _showPeers({ emit = true } = {}) {
    this.scene.showCollaborators(this.peers.entries());
    if (emit) this._emit();
  }

  /** Count the elements not yet on the server: pending batches, and `dirty` (the last diff's unsent changes). */
  _updateUnsynced(dirty) {
    if (dirty) this._dirtyIds = new Set(dirty.map((el) => el.id));
    const ids = this.pending.elementIds();
    for (const id of this._dirtyIds) ids.add(id);
    if (ids.size !== this.unsynced) {
      this.unsynced = ids.size;
      this._emit();
    }
  }

  _makeView() {
    return {
      connection: this.connection.state,
      canEdit: this.canEdit,
      unsynced: this.unsynced,
      peers: this.peers.list(),
    };
  }

  _emit() {
    this._view = this._makeView();
    for (const fn of this._listeners) fn();
  }
}
