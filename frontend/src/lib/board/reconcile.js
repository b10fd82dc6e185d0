/**
 * The board's merge rule and stacking order, the same as the server's
 * (`whiteboard.services.element_wins`, `whiteboard.selectors.z_order`). The
 * cases in tests/fixtures/board_rules.json hold both sides to them. Pure: no
 * Excalidraw, no socket; the live board and the replay both use it.
 */

/** Excalidraw's rule: does element `a` beat element `b`? Higher `version` wins; on a tie the lower `versionNonce`. */
export function wins(a, b) {
  if (!b) return true;
  if (a.version !== b.version) return a.version > b.version;
  return a.versionNonce < b.versionNonce;
}

/**
 * Stacking order: by fractional `index` in plain string order, unindexed
 * elements (null or missing `index`) last; equal indices keep their order.
 * Returns a new array.
 */
export function zOrder(elements) {
  const indexed = [];
  const unindexed = [];
  for (const el of elements) {
    if (el.index == null) unindexed.push(el);
    else indexed.push(el);
  }
  indexed.sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : 0));
  return indexed.concat(unindexed);
}

/** One copy per id, the winner under the rule (a catch-up can carry several). Returns `elements` itself when the ids are unique. */
export function dedupeWinners(elements) {
  const byId = new Map();
  for (const el of elements) {
    const prev = byId.get(el.id);
    if (!prev || wins(el, prev)) byId.set(el.id, el);
  }
  return byId.size === elements.length ? elements : [...byId.values()];
}
