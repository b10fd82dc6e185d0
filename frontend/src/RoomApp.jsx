import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";

import CallPanel from "./components/CallPanel.jsx";
import ChatPanel from "./components/ChatPanel.jsx";
import InterviewerPanel from "./components/InterviewerPanel.jsx";
import OnlineList from "./components/OnlineList.jsx";
import Palette from "./components/Palette.jsx";
import ProblemCard from "./components/ProblemCard.jsx";
import RecordingPanel from "./components/RecordingPanel.jsx";
import StatusBadge from "./components/StatusBadge.jsx";
import StepTracker from "./components/StepTracker.jsx";
import Toasts from "./components/Toasts.jsx";
import { CallClient } from "./lib/call.js";
import { Recorder } from "./lib/recorder.js";
import { RoomClient } from "./lib/roomClient.js";
import RoomBoard from "./RoomBoard.jsx";

const EMPTY_VIEW = {
  connection: "connecting",
  canEdit: false,
  unsynced: 0,
  peers: [],
};
const noopSubscribe = () => () => {};
const emptyView = () => EMPTY_VIEW;

function useToasts() {
  const [toasts, setToasts] = useState([]);
  const nextId = useRef(1);
  const dismiss = useCallback((id) => setToasts((list) => list.filter((t) => t.id !== id)), []);
  const push = useCallback(({ code, message, tone = "error" }) => {
    setToasts((list) => {
      // the same message twice in a row is shown once
      if (list.some((t) => t.message === message)) return list;
      const toast = { id: nextId.current++, code, message, tone };
      return [...list.slice(-3), toast];
    });
  }, []);
  return { toasts, push, dismiss };
}

const PANEL_COLLAPSED_KEY = "mocklane.roomPanel.collapsed";

function readPanelCollapsed() {
  try {
    return window.localStorage.getItem(PANEL_COLLAPSED_KEY) === "1";
  } catch {
    return false;
  }
}

function peerName(roomState, config) {
  const me = config.user?.id;
  for (const [id, role] of roomState.roles ?? []) {
    if (id !== me && (role === "interviewer" || role === "candidate")) return roomState.names?.get(id) ?? null;
  }
  return null;
}

// The palette starts open for the candidate on windows at least this wide (at 1366 px it would
// push the board below a readable zoom); a press opens it anywhere, and the choice is remembered.
const PALETTE_OPEN_MEDIA = "(min-width: 1440px)";

export default function RoomApp({ config }) {
  const { toasts, push: pushToast, dismiss } = useToasts();
  const isInterviewer = config.role === "interviewer";
  const [panelCollapsed, setPanelCollapsed] = useState(readPanelCollapsed);
  const togglePanel = useCallback(() => {
    setPanelCollapsed((value) => {
      try {
        window.localStorage.setItem(PANEL_COLLAPSED_KEY, value ? "0" : "1");
      } catch {
        /* private mode: not remembered */
      }
      return !value;
    });
  }, []);

  // this browser's own microphone, recorded while both consent (lib/recorder.js)
  const [recorder] = useState(() =>
    config.interview?.id && config.user?.id
      ? new Recorder({
          interviewId: config.interview.id,
          userId: config.user.id,
          csrfToken: config.csrf_token,
          onError: (err) => pushToast(err),
        })
      : null,
  );
  // one room client and one call per page
  const [room] = useState(
    () =>
      new RoomClient({
        path: config.ws.room,
        me: config.user,
        role: config.role,
        onError: (err) => pushToast(err),
        onEnded: async () => {
          // The End form's own response moves this page once the request is done.
          // (the form is marked while its request is on its way)
          if (document.querySelector(".ml-endform[data-sending]")) return;
          // The last recorded chunk goes up first (uploads are taken for a while after the end).
          await recorder?.finish(4000);
          // The interviewer goes on to score; the candidate to the review.
          const next = config.role === "interviewer" ? config.urls?.scorecard : config.urls?.review;
          if (next) window.location.assign(next);
        },
      }),
  );
  useEffect(() => {
    recorder?.setClock(() => room.getState().clockOffset || 0);
  }, [recorder, room]);
  const [call] = useState(
    () =>
      new CallClient({
        room,
        interviewId: config.interview?.id,
        iceUrl: config.interview?.id ? `/api/interviews/${config.interview.id}/ice-servers/` : null,
        // the candidate is the polite peer of perfect negotiation
        polite: config.role !== "interviewer",
      }),
  );
  useEffect(() => {
    room.start();
    // after a reload, a browser that was in the call joins again by itself
    if (call.wasJoined()) call.join();
    return () => {
      call.leave({ notify: false });
      room.stop();
    };
  }, [room, call]);
  const roomState = useSyncExternalStore(room.subscribe, room.getState);

  const [sync, setSync] = useState(null);
  const apiRef = useRef(null);
  const boardView = useSyncExternalStore(sync ? sync.subscribe : noopSubscribe, sync ? sync.getView : emptyView);

  // names learnt from the board socket help label the online list
  useEffect(() => {
    for (const peer of boardView.peers) room.learnName(peer.user);
  }, [boardView.peers, room]);

  useEffect(() => {
    window.mocklane = {
      get excalidrawAPI() {
        return apiRef.current;
      },
      boardSeq: () => sync?.seq ?? null,
      status: () => sync?.status() ?? "connecting",
      unsynced: () => sync?.unsynced ?? 0,
      board: sync,
      room,
      call,
      recorder,
      config,
    };
  }, [sync, room, call, recorder, config]);

  const onBoardError = useCallback((err) => pushToast(err), [pushToast]);
  const onApi = useCallback((api) => {
    apiRef.current = api;
  }, []);

  const urls = config.urls ?? {};
  const interview = config.interview ?? {};

  return (
    <div className="ml-room">
      <aside
        className={`ml-panel${panelCollapsed ? " ml-panel--collapsed" : ""}`}
        aria-label="Interview panel"
        data-collapsed={panelCollapsed ? "true" : "false"}
      >
        <header className="ml-panel__head">
          <button
            type="button"
            className="ml-panel__toggle"
            onClick={togglePanel}
            aria-expanded={!panelCollapsed}
            aria-controls="ml-panel-body"
            title={panelCollapsed ? "Show the interview panel" : "Fold the panel away to give the board more room"}
          >
            <span aria-hidden="true">{panelCollapsed ? "›" : "‹"}</span>
            <span className="ml-visually-hidden">{panelCollapsed ? "Show the panel" : "Hide the panel"}</span>
          </button>
          <StatusBadge connection={boardView.connection} unsynced={boardView.unsynced} />
          <nav className="ml-links" aria-label="Interview links">
            {isInterviewer && urls.scorecard && (
              <a href={urls.scorecard} className="ml-link">
                Scorecard
              </a>
            )}
            {urls.review && (
              <a href={urls.review} className="ml-link">
                Review
              </a>
            )}
            {isInterviewer && urls.end && config.csrf_token && (
              <form
                method="post"
                action={urls.end}
                className="ml-endform"
                onSubmit={(event) => {
                  if (!window.confirm("End the interview for both of you? The board becomes read-only.")) {
                    event.preventDefault();
                    return;
                  }
                  const form = event.currentTarget;
                  if (form.dataset.sending) {
                    event.preventDefault(); // already on its way
                    return;
                  }
                  form.dataset.sending = "1";
                  if (recorder) {
                    // This browser's last recorded chunk goes up before the page moves on.
                    event.preventDefault();
                    recorder.finish(4000).finally(() => form.submit());
                  }
                }}
              >
                <input type="hidden" name="csrfmiddlewaretoken" value={config.csrf_token} />
                <button type="submit" className="ml-link ml-link--end">
                  End
                </button>
              </form>
            )}
          </nav>
        </header>

        <div className="ml-panel__body" id="ml-panel-body" hidden={panelCollapsed}>
          <div className="ml-panel__scroll">
            <ProblemCard problem={interview.problem} />
            <CallPanel call={call} peerName={peerName(roomState, config)} />
            <RecordingPanel room={room} state={roomState} recorder={recorder} role={config.role} />
            <StepTracker room={room} state={roomState} canMove={isInterviewer} />
            <OnlineList state={roomState} me={config.user} role={config.role} boardPeers={boardView.peers} />
          </div>

          <ChatPanel room={room} state={roomState} me={config.user} />
        </div>
      </aside>

      <main className="ml-board" aria-label="Shared whiteboard">
        <RoomBoard
          config={config}
          canEdit={boardView.canEdit}
          onSync={setSync}
          onApi={onApi}
          onError={onBoardError}
        />
        {/* folded at first for the interviewer, whose guide panel already narrows the board, and
            on windows too narrow for the palette and both lanes at a readable zoom */}
        <Palette
          palette={config.palette}
          sync={sync}
          canEdit={boardView.canEdit}
          defaultOpen={!isInterviewer && window.matchMedia(PALETTE_OPEN_MEDIA).matches}
        />
        {!boardView.canEdit && boardView.connection === "connected" && (
          <div className="ml-board__notice">View only — you can follow the board but not edit it.</div>
        )}
        <Toasts toasts={toasts} onDismiss={dismiss} />
      </main>

      {isInterviewer && config.panel && (
        <InterviewerPanel config={config} room={room} roomState={roomState} onError={pushToast} />
      )}
    </div>
  );
}
