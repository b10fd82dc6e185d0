/**
 * What the board's status badge says: the connection, and how many local changes the server
 * has not acknowledged yet. A change counts as saved only once its `ack` is in.
 */
function changes(n) {
  return `${n} change${n === 1 ? "" : "s"} not yet saved`;
}

/** The badge text for a connection state and a count of unsaved changes. */
export function statusLabel(connection, unsynced = 0) {
  const pending = unsynced > 0 ? changes(unsynced) : null;
  switch (connection) {
    case "connected":
      return pending ? `Saving — ${pending}` : "Connected — all changes saved";
    case "connecting":
      return pending ? `Connecting… — ${pending}` : "Connecting…";
    case "reconnecting":
      return pending ? `Reconnecting… — ${pending}` : "Reconnecting…";
    case "offline":
      return pending ? `Offline — ${pending}` : "Offline";
    case "closed":
      return pending ? `Disconnected — ${pending}` : "Disconnected";
    default:
      return connection;
  }
}

/** The badge's look: "ok", "busy" (saving or connecting) or "bad". */
export function statusTone(connection, unsynced = 0) {
  if (connection === "connected") return unsynced > 0 ? "busy" : "ok";
  if (connection === "connecting") return "busy";
  return "bad";
}
