/**
 * Presence on the board (never stored): who else is here, where their pointer
 * is and what they have selected (docs/protocol.md, "Presence"). One person
 * with two tabs is two clients.
 */

/** The other clients on the board: client_id -> {user, pointer, button, selectedIds}. */
export class Peers {
  constructor() {
    this.byClient = new Map();
    this.me = null; // our own client_id: never a peer
  }

  get size() {
    return this.byClient.size;
  }

  /** The peers a snapshot lists (replacing what we had). */
  replace(list) {
    this.byClient = new Map();
    for (const p of list) {
      if (p.client_id && p.client_id !== this.me) this.byClient.set(p.client_id, { user: p.user ?? null });
    }
  }

  /** `peer_joined`; returns whether anything changed. */
  join(msg) {
    if (!msg.client_id || msg.client_id === this.me) return false;
    const prev = this.byClient.get(msg.client_id);
    this.byClient.set(msg.client_id, { ...prev, user: msg.user ?? prev?.user ?? null });
    return true;
  }

  /** `peer_left`; returns whether that client was here. */
  leave(clientId) {
    return this.byClient.delete(clientId);
  }

  /**
   * A `presence` frame: one peer, or coalesced (`peers`: each peer's latest).
   * Returns {moved: whether anything changed, joined: whether a peer became known by name}.
   */
  move(msg) {
    if (Array.isArray(msg.peers)) {
      const result = { moved: false, joined: false };
      for (const peer of msg.peers) {
        if (!peer || typeof peer !== "object") continue;
        const one = this.move(peer);
        result.moved ||= one.moved;
        result.joined ||= one.joined;
      }
      return result;
    }
    if (!msg.client_id || msg.client_id === this.me) return { moved: false, joined: false };
    const prev = this.byClient.get(msg.client_id) ?? {};
    this.byClient.set(msg.client_id, {
      user: msg.user ?? prev.user ?? null,
      pointer: msg.pointer ?? prev.pointer,
      button: msg.button ?? prev.button ?? "up",
      selectedIds: Array.isArray(msg.selected_ids) ? msg.selected_ids : (prev.selectedIds ?? []),
    });
    return { moved: true, joined: !prev.user };
  }

  clear() {
    this.byClient.clear();
  }

  entries() {
    return this.byClient.entries();
  }

  /** Who is here, for the side panel. */
  list() {
    return [...this.byClient.entries()].map(([clientId, p]) => ({ clientId, user: p.user }));
  }
}

/** Our pointer as a `presence` frame: coordinates to a tenth, the button, the selection. */
export function presenceFrame({ x, y, button }, selectedIds) {
  return {
    type: "presence",
    pointer: { x: Math.round(x * 10) / 10, y: Math.round(y * 10) / 10 },
    button: button === "down" ? "down" : "up",
    selected_ids: selectedIds,
  };
}
