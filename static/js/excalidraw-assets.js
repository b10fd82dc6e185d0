// Where Excalidraw loads its fonts from, set before the room bundle runs. A classic script of its
// own (the Content-Security-Policy allows no inline script), loaded without defer in the page's
// head, so it has run before any module script starts: <script src="..." data-asset-path="/static/app/">.
window.EXCALIDRAW_ASSET_PATH = document.currentScript.getAttribute("data-asset-path");
