import { Excalidraw, MainMenu, restoreElements } from "@excalidraw/excalidraw";
import { useCallback, useEffect, useMemo, useState } from "react";

import { INITIAL_APP_STATE, UI_OPTIONS } from "./excalidrawOptions.js";

function sortedElements(elements) {
  const list = Array.isArray(elements) ? elements.filter((e) => e && !e.isDeleted) : [];
  return [...list].sort((a, b) => {
    const ai = a.index ?? "";
    const bi = b.index ?? "";
    return ai < bi ? -1 : ai > bi ? 1 : 0;
  });
}

/** Read-only final board for the review page: no sockets. */
export default function ReviewApp({ config }) {
  const [api, setApi] = useState(null);
  const initialData = useMemo(
    () => ({
      elements: restoreElements(sortedElements(config.board?.elements), null),
      appState: { ...INITIAL_APP_STATE, viewModeEnabled: true },
      scrollToContent: true,
    }),
    [config],
  );

  const fit = useCallback(() => {
    if (!api) return;
    const elements = api.getSceneElements();
    if (elements.length) api.scrollToContent(elements, { fitToContent: true, animate: false });
  }, [api]);

  useEffect(() => {
    if (!api) return undefined;
    window.mocklane = {
      excalidrawAPI: api,
      boardSeq: () => config.board?.seq ?? null,
      status: () => "review",
    };
    const raf = requestAnimationFrame(fit);
    return () => cancelAnimationFrame(raf);
  }, [api, config, fit]);

  return (
    <div className="ml-review">
      <Excalidraw
        excalidrawAPI={setApi}
        initialData={initialData}
        viewModeEnabled
        UIOptions={UI_OPTIONS}
        aiEnabled={false}
        langCode="en"
        name={config.interview?.title || "Mocklane board"}
      >
        <MainMenu>
          <MainMenu.Item onSelect={fit}>Fit board to screen</MainMenu.Item>
          <MainMenu.DefaultItems.SaveAsImage />
        </MainMenu>
      </Excalidraw>
    </div>
  );
}
