import { avatarColor, initials } from "../lib/avatar.js";

const ROLE_LABELS = { interviewer: "Interviewer", candidate: "Candidate" };

function describe(role, onBoard) {
  const label = ROLE_LABELS[role] ?? (role ? role[0].toUpperCase() + role.slice(1) : "");
  return [label, onBoard ? "on the board" : ""].filter(Boolean).join(" · ");
}

export default function OnlineList({ state, me, role, boardPeers }) {
  const onBoard = new Set(boardPeers.map((p) => p.user?.id).filter((id) => id != null));
  const ids = [...new Set(state.online)];
  // me first
  ids.sort((a, b) => (a === me?.id ? -1 : b === me?.id ? 1 : 0));
  return (
    <section className="ml-section ml-online" aria-labelledby="ml-online-title">
      <div className="ml-section__row">
        <h2 id="ml-online-title" className="ml-section__title">
          Online
        </h2>
        <span className="ml-muted">{ids.length}</span>
      </div>
      {ids.length === 0 ? (
        <p className="ml-muted">Nobody is connected yet.</p>
      ) : (
        <ul className="ml-online__list">
          {ids.map((id) => {
            const name = state.names.get(id) ?? `User ${id}`;
            const isMe = id === me?.id;
            return (
              <li key={id} className="ml-person">
                <span className="ml-avatar" style={{ background: avatarColor(id) }} aria-hidden="true">
                  {initials(name)}
                  <span className="ml-avatar__presence" />
                </span>
                <span className="ml-person__text">
                  <span className="ml-person__name">
                    {name}
                    {isMe && <span className="ml-muted"> (you)</span>}
                  </span>
                  <span className="ml-person__meta">{describe(state.roles?.get(id) ?? (isMe ? role : null), onBoard.has(id))}</span>
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
