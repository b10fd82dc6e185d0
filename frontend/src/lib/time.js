/** mm:ss (minutes keep counting past 59). Negative values clamp to 00:00. */
export function formatDuration(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
}

/**
 * HH:MM on the 24-hour clock, like every page of the site (whatever the browser's locale would
 * pick); `timeZone` defaults to the browser's.
 */
export function formatClock(iso, { timeZone } = {}) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone }).format(d);
}

export function parseTime(iso) {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}
