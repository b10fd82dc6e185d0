import { Excalidraw, MainMenu } from "@excalidraw/excalidraw";
import { memo, useCallback, useEffect, useEffectEvent, useRef, useState } from "react";

import { INITIAL_APP_STATE, UI_OPTIONS } from "./excalidrawOptions.js";
import { BoardSync } from "./lib/boardSync.js";
import { useColorScheme } from "./lib/theme.js";
import { useExcalidrawLabels } from "./lib/excalidrawLabels.js";
import { canvasSizeWatcher } from "./lib/useResize.js";

const INITIAL_DATA = { elements: [], appState: INITIAL_APP_STATE };

/**
 * The live, shared Excalidraw board. Creates the BoardSync once the
 * Excalidraw API is available and reports it to the parent.
 */
function RoomBoard({ config, canEdit, onSync, onApi, onError }) {
  const [api, setApi] = useState(null);
  const syncRef = useRef(null);

  // The socket lives as long as the Excalidraw instance: set up once per `api`, with the props of then.
  const connect = useEffectEvent((excalidrawApi) => {
    onApi?.(excalidrawApi);
    const sync = new BoardSync({ path: config.ws.board, api: excalidrawApi, onError });
    syncRef.current = sync;
    onSync?.(sync);
    sync.start();
    return sync;
  });
  useEffect(() => {
    if (!api) return undefined;
    const sync = connect(api);
    return () => {
      sync.stop();
      syncRef.current = null;
    };
  }, [api]);

  const fit = useCallback(() => syncRef.current?.fitToContent(), []);
  // a new window size or a panel folded away: fit both lanes in the new space
  const watchRef = useRef(null);
  const onChange = useCallback((_elements, appState) => {
    syncRef.current?.handleChange();
    watchRef.current ??= canvasSizeWatcher(() => syncRef.current?.fitToContent());
    watchRef.current(appState);
  }, []);
  const onPointerUpdate = useCallback((payload) => syncRef.current?.handlePointer(payload), []);
  const boxRef = useRef(null);
  useExcalidrawLabels(boxRef);
  const theme = useColorScheme();

  return (
    <div className="ml-board__canvas" ref={boxRef}>
      <Excalidraw
        excalidrawAPI={setApi}
        initialData={INITIAL_DATA}
        onChange={onChange}
        onPointerUpdate={onPointerUpdate}
        isCollaborating
        viewModeEnabled={!canEdit}
        UIOptions={UI_OPTIONS}
        aiEnabled={false}
        langCode="en"
        name={config.interview?.title || "Mocklane board"}
        theme={theme}
      >
        <MainMenu>
          <MainMenu.Item onSelect={fit}>Fit board to screen</MainMenu.Item>
          <MainMenu.DefaultItems.SaveAsImage />
          <MainMenu.DefaultItems.SearchMenu />
          <MainMenu.DefaultItems.Help />
        </MainMenu>
      </Excalidraw>
    </div>
  );
}

export default memo(RoomBoard);
