import { statusLabel, statusTone } from "../lib/board/status.js";

/** The board's connection and save state (see lib/board/status.js). */
export default function StatusBadge({ connection, unsynced }) {
  const text = statusLabel(connection, unsynced);
  return (
    <span
      className={`ml-status ml-status--${connection} ml-status--${statusTone(connection, unsynced)}`}
      role="status"
      aria-live="polite"
      data-status={connection}
      data-unsynced={unsynced}
      title={text}
    >
      <span className="ml-status__dot" aria-hidden="true" />
      <span className="ml-status__text">{text}</span>
    </span>
  );
}
