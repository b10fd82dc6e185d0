// Post-build sanity check for static/app/:
//  * the fixed-name entry files exist,
//  * Excalidraw's fonts are self-hosted under fonts/,
//  * no CDN host is referenced at all (Excalidraw's font-loader fallback is
//    pointed at the self-hosted fonts by vite.config.js).
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(here, "../../static/app");

async function walk(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else out.push(full);
  }
  return out;
}

function fail(msg) {
  console.error(`check-build: ${msg}`);
  process.exit(1);
}

for (const required of ["room.js", "room.css"]) {
  try {
    await stat(path.join(outDir, required));
  } catch {
    fail(`missing ${required} in ${outDir}`);
  }
}

const files = await walk(outDir);
const fonts = files.filter((f) => f.includes(`${path.sep}fonts${path.sep}`) && f.endsWith(".woff2"));
if (fonts.length < 50) fail(`expected Excalidraw fonts under ${outDir}/fonts, found ${fonts.length}`);
for (const family of ["Excalifont", "Virgil", "Nunito", "Cascadia", "Xiaolai"]) {
  if (!fonts.some((f) => f.includes(`${path.sep}${family}${path.sep}`))) fail(`font family ${family} not copied`);
}

const CDN = /esm\.sh|unpkg\.com|jsdelivr\.net|cdnjs\.cloudflare\.com|skypack\.dev/g;
let totalBytes = 0;
for (const file of files) {
  const { size } = await stat(file);
  totalBytes += size;
  if (!/\.(js|css|html)$/.test(file)) continue;
  const text = await readFile(file, "utf8");
  const hits = text.match(CDN) ?? [];
  if (hits.length) fail(`${path.relative(outDir, file)} references a CDN host: ${hits.join(", ")}`);
}

const jsFiles = files.filter((f) => f.endsWith(".js"));
const mb = (n) => `${(n / 1024 / 1024).toFixed(2)} MiB`;
const roomJs = (await stat(path.join(outDir, "room.js"))).size;
const roomCss = (await stat(path.join(outDir, "room.css"))).size;
console.log(
  `check-build: ok — room.js ${mb(roomJs)}, room.css ${(roomCss / 1024).toFixed(1)} KiB, ` +
    `${jsFiles.length} JS files, ${fonts.length} self-hosted fonts, ${files.length} files / ${mb(totalBytes)} total; ` +
    "no CDN host",
);
