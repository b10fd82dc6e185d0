/**
 * What the server accepts (docs/protocol.md, the limits of `ops`), mirrored so
 * the client never sends what would be refused: the server refuses a whole
 * batch when one element is invalid, so an unsupported element is kept back
 * and removed locally instead.
 */

// BOARD_MAX_MESSAGE_BYTES is 64 KiB; keep a margin for the envelope.
export const MAX_BATCH_BYTES = 56 * 1024;
export const MAX_BATCH_ELEMENTS = 500;

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

const encoder = new TextEncoder();

/** UTF-8 length of a string, as the server measures frames. */
export function byteLength(text) {
  return encoder.encode(text).length;
}

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
  if (byteLength(JSON.stringify(el)) > MAX_ELEMENT_BYTES) {
    return "That drawing is too large to share; split it into smaller pieces.";
  }
  return null;
}
