import { cp, rm, stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(here, "../static/app");
const excalidrawDist = path.resolve(
  here,
  "node_modules/@excalidraw/excalidraw/dist/prod",
);

/**
 * Excalidraw loads its drawing fonts at runtime from
 * `window.EXCALIDRAW_ASSET_PATH + "fonts/<Family>/<file>.woff2"` (its CDN
 * fallback is pointed here too, see noFontCdnFallback). Copy the whole fonts tree next
 * to room.js so everything is served by Django from /static/app/.
 */
function selfHostExcalidrawFonts() {
  return {
    name: "mocklane:self-host-excalidraw-fonts",
    apply: "build",
    async writeBundle() {
      const src = path.join(excalidrawDist, "fonts");
      await stat(src);
      const dest = path.join(outDir, "fonts");
      await rm(dest, { recursive: true, force: true });
      await cp(src, dest, { recursive: true });
    },
  };
}

/**
 * Excalidraw lists a CDN (esm.sh) after EXCALIDRAW_ASSET_PATH in every font's
 * source list. Under the site's Content-Security-Policy (font-src 'self')
 * Chromium checks each listed URL and reports the CDN ones as violations, even
 * though the self-hosted file loads. Point that fallback at the self-hosted
 * fonts too, so no page names a host other than this site. The build fails if
 * an Excalidraw upgrade changes the code this relies on.
 */
const FONT_FALLBACK = /`https:\/\/esm\.sh\/.*?\/dist\/prod\/`/;
function noFontCdnFallback() {
  let replaced = 0;
  return {
    name: "mocklane:no-font-cdn-fallback",
    apply: "build",
    transform(code, id) {
      if (!id.includes("@excalidraw/excalidraw") || !code.includes("ASSETS_FALLBACK_URL")) return null;
      if (!FONT_FALLBACK.test(code)) return null;
      replaced += 1;
      return {
        code: code.replace(
          FONT_FALLBACK,
          'new URL(window.EXCALIDRAW_ASSET_PATH || "./", window.location.href).href',
        ),
        map: null,
      };
    },
    buildEnd() {
      if (replaced === 0) this.error("Excalidraw's font CDN fallback was not found: update noFontCdnFallback()");
    },
  };
}

export default defineConfig({
  // Relative base: chunk and asset URLs resolve against room.js / room.css,
  // so the bundle works wherever Django serves static/app/ from.
  base: "./",
  plugins: [react(), selfHostExcalidrawFonts(), noFontCdnFallback()],
  // Unit tests (`npm test`): pure modules in Node, no browser; never bundled.
  test: {
    environment: "node",
    include: ["src/**/*.test.js"],
  },
  build: {
    outDir,
    emptyOutDir: true,
    target: "es2022",
    // one stylesheet for the island: room.css
    cssCodeSplit: false,
    chunkSizeWarningLimit: 4096,
    sourcemap: false,
    rolldownOptions: {
      input: { room: path.resolve(here, "src/main.jsx") },
      output: {
        entryFileNames: "room.js",
        chunkFileNames: "chunks/[name]-[hash].js",
        assetFileNames: (asset) => {
          const names = asset.names ?? (asset.name ? [asset.name] : []);
          if (names.some((n) => n.endsWith(".css"))) return "room.css";
          return "assets/[name]-[hash][extname]";
        },
      },
    },
  },
});
