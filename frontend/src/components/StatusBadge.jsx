function label(connection, unsynced) {
  switch (connection) {
    case "connected":
      return "Connected";
    case "connecting":
      return "Connecting…";
    case "reconnecting":
      return unsynced > 0 ? `Reconnecting… (${unsynced} unsynced)` : "Reconnecting…";
    case "offline":
      return `Offline — ${unsynced} unsynced change${unsynced === 1 ? "" : "s"}`;
    case "closed":
      return "Disconnected";
    default:
      return connection;
  }
}

export default function StatusBadge({ connection, unsynced }) {
  return (
    <span className={`ml-status ml-status--${connection}`} role="status" aria-live="polite" data-status={connection}>
      <span className="ml-status__dot" aria-hidden="true" />
      {label(connection, unsynced)}
    </span>
  );
}
