import { Excalidraw, MainMenu, restoreElements } from "@excalidraw/excalidraw";
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";

import AudioSync from "./components/AudioSync.jsx";
import ReplayScrubber from "./components/ReplayScrubber.jsx";
import TimelineSync from "./components/TimelineSync.jsx";
import { INITIAL_APP_STATE, UI_OPTIONS } from "./excalidrawOptions.js";
import { applyFit } from "./lib/board/excalidrawBridge.js";
import { zOrder } from "./lib/board/reconcile.js";
import { ReplayController } from "./lib/replay.js";
import { useColorScheme } from "./lib/theme.js";
import { useExcalidrawLabels } from "./lib/excalidrawLabels.js";
import { canvasSizeWatcher } from "./lib/useResize.js";
import "./styles/review.css";

/**
 * The review's board replay: a read-only Excalidraw that shows the board as it
 * was at any moment of the interview, with a scrubber over the op log. No
 * sockets: the history comes from the board history API (the participants'
 * route, or the share link's). Until it arrives the final board is shown.
 */
export default function ReviewApp({ config }) {
  const [api, setApi] = useState(null);
  // Excalidraw loads initialData asynchronously and then replaces the scene with it; drawing
  // before that would be overwritten, so the replay draws only once the scene has loaded.
  const [sceneLoaded, setSceneLoaded] = useState(false);
  const loadedRef = useRef(false);
  // the board refits when Excalidraw's canvas changes size (fitRef: the latest fit, set below)
  const fitRef = useRef(null);
  const watchRef = useRef(null);
  const onChange = useCallback((_elements, appState) => {
    if (!loadedRef.current && !appState.isLoading) {
      loadedRef.current = true;
      setSceneLoaded(true);
    }
    watchRef.current ??= canvasSizeWatcher(() => fitRef.current?.());
    watchRef.current(appState);
  }, []);
  const replay = useMemo(
    () =>
      new ReplayController({
        historyUrl: config.replay?.history_url,
        headSeq: config.board?.seq ?? 0,
        startedAt: config.replay?.started_at,
      }),
    [config],
  );
  const snapshot = useSyncExternalStore(replay.subscribe, replay.getSnapshot);

  const initialData = useMemo(
    () => ({
      elements: restoreElements(zOrder((config.board?.elements || []).filter((e) => e && !e.isDeleted)), null),
      appState: { ...INITIAL_APP_STATE, viewModeEnabled: true },
      scrollToContent: true,
    }),
    [config],
  );

  useEffect(() => {
    if (config.replay?.history_url) replay.load();
    return () => replay.destroy();
  }, [replay, config]);

  useEffect(() => {
    if (api && sceneLoaded) replay.attach(api);
  }, [api, sceneLoaded, replay]);

  // both lanes in view, now and whenever the board's box changes size
  const fit = useCallback(() => {
    if (api) applyFit(api);
  }, [api]);
  const boxRef = useRef(null);
  useEffect(() => {
    fitRef.current = fit;
  }, [fit]);
  useExcalidrawLabels(boxRef);
  const theme = useColorScheme();

  // Hooks for people and tests driving the replay from outside.
  useEffect(() => {
    if (!api || !sceneLoaded) return undefined;
    window.mocklane = {
      excalidrawAPI: api,
      status: () => "review",
      boardSeq: () => replay.getSnapshot().head,
      replayReady: () => replay.getSnapshot().status === "ready" && replay.api === api,
      replaySeq: () => replay.getSnapshot().seq,
      replayAt: () => replay.getSnapshot().at,
      replaySteps: () => replay.getSnapshot().steps,
      playing: () => replay.getSnapshot().playing,
      // what the board shows: the live elements in the Excalidraw scene
      replayElementIds: () =>
        api
          .getSceneElements()
          .filter((e) => !e.isDeleted)
          .map((e) => e.id)
          .sort(),
      // the replayed state itself, tombstones included, for comparing with the server
      replayState: () =>
        [...replay.log.stateAt(replay.getSnapshot().seq).values()].map((e) => ({
          id: e.id,
          version: e.version,
          versionNonce: e.versionNonce,
          isDeleted: Boolean(e.isDeleted),
        })),
      seekTo: (seq) => replay.seek(seq),
      seekTime: (ms) => replay.seekTime(ms),
      play: () => replay.play(),
      pause: () => replay.pause(),
      setSpeed: (speed) => replay.setSpeed(speed),
    };
    const raf = requestAnimationFrame(fit);
    return () => cancelAnimationFrame(raf);
  }, [api, sceneLoaded, replay, fit]);

  return (
    <div className="ml-review ml-replay">
      <ReplayScrubber replay={replay} snapshot={snapshot} />
      {config.audio?.chunks?.length > 0 && <AudioSync replay={replay} snapshot={snapshot} audio={config.audio} />}
      <div className="ml-replay-board" ref={boxRef}>
        <Excalidraw
          excalidrawAPI={setApi}
          initialData={initialData}
          onChange={onChange}
          viewModeEnabled
          UIOptions={UI_OPTIONS}
          aiEnabled={false}
          langCode="en"
          name={config.interview?.title || "Mocklane board"}
          theme={theme}
        >
          <MainMenu>
            <MainMenu.Item onSelect={fit}>Fit board to screen</MainMenu.Item>
            <MainMenu.DefaultItems.SaveAsImage />
          </MainMenu>
        </Excalidraw>
      </div>
      <TimelineSync replay={replay} snapshot={snapshot} />
    </div>
  );
}
