import "@excalidraw/excalidraw/index.css";
import "./styles/room.css";

import { createRoot } from "react-dom/client";

import ReviewApp from "./ReviewApp.jsx";
import RoomApp from "./RoomApp.jsx";

function readConfig() {
  const node = document.getElementById("mocklane-room-config");
  if (!node) throw new Error("#mocklane-room-config is missing");
  return JSON.parse(node.textContent || "{}");
}

function mount() {
  const el = document.getElementById("mocklane-room");
  if (!el) return;
  let config;
  try {
    config = readConfig();
  } catch (err) {
    el.classList.add("ml-island");
    el.textContent = `Could not start the whiteboard: ${err.message}`;
    return;
  }
  const review = config.mode === "review";
  el.classList.add("ml-island", review ? "ml-island--review" : "ml-island--room");
  createRoot(el).render(review ? <ReviewApp config={config} /> : <RoomApp config={config} />);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", mount, { once: true });
} else {
  mount();
}
