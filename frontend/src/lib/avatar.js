const PALETTE = ["#5b57d1", "#0b7285", "#2b8a3e", "#c2255c", "#e8590c", "#1971c2", "#6741d9", "#5c940d"];

export function avatarColor(id) {
  const n = Math.abs(Number(id) || String(id).split("").reduce((a, c) => a + c.charCodeAt(0), 0));
  return PALETTE[n % PALETTE.length];
}

export function initials(name) {
  const parts = String(name || "?").trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : (parts[0] || "?").slice(0, 2);
  return letters.toUpperCase();
}
