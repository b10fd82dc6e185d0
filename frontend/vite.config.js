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
 * `window.EXCALIDRAW_ASSET_PATH + "fonts/<Family>/<file>.woff2"` (it only
 * falls back to a CDN when that request fails). Copy the whole fonts tree next
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

export default defineConfig({
  // Relative base: chunk and asset URLs resolve against room.js / room.css,
  // so the bundle works wherever Django serves static/app/ from.
  base: "./",
  plugins: [react(), selfHostExcalidrawFonts()],
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
