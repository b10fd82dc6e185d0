import { useEffect, useRef } from "react";

/**
 * Ties the server-rendered timeline (and the page's other moment links) to
 * the replay. Renders nothing.
 *
 * - a click (or Enter) on a timeline entry or band header moves the replay to
 *   its `data-seq`, pinned at its `data-at`;
 * - `#event-<id>` (and any other entry anchor) in the address moves it too, on
 *   load and whenever the hash changes;
 * - links with `data-seek` (step starts, board evidence: `?seq=N#replay`) seek
 *   in place instead of reloading the page;
 * - entries after the moment shown are dimmed and the latest one before it is
 *   marked; while playing, the timeline scrolls to keep that one in view.
 */
function entryMoment(node) {
  const seq = Number(node.dataset.seq);
  const at = Date.parse(node.dataset.at || "");
  return { seq: Number.isFinite(seq) ? seq : null, at: Number.isNaN(at) ? null : at };
}

function seekTo(replay, node) {
  const { seq, at } = entryMoment(node);
  if (seq != null) replay.seek(seq, { at });
}

function entryFromHash(hash) {
  if (!hash || hash.length < 2) return null;
  let node = null;
  try {
    node = document.getElementById(decodeURIComponent(hash.slice(1)));
  } catch {
    return null;
  }
  return node && node.closest("[data-timeline]") && node.dataset.seq != null ? node : null;
}

function scrollWithin(container, node) {
  const top = node.offsetTop;
  const bottom = top + node.offsetHeight;
  if (top < container.scrollTop || bottom > container.scrollTop + container.clientHeight) {
    container.scrollTop = Math.max(0, top - container.clientHeight / 3);
  }
}

export default function TimelineSync({ replay, snapshot }) {
  const entriesRef = useRef([]);
  const shownRef = useRef({ now: null, past: null }); // what the page shows now

  // Wire the page's links once; the initial position comes from the address.
  useEffect(() => {
    const timeline = document.querySelector("[data-timeline]");
    entriesRef.current = timeline
      ? [...timeline.querySelectorAll("li[data-seq][data-at]")]
          .map((node) => ({ node, ...entryMoment(node) }))
          .filter((entry) => entry.at != null)
          .sort((a, b) => a.at - b.at)
      : [];

    const fromHash = entryFromHash(window.location.hash);
    const params = new URLSearchParams(window.location.search);
    if (fromHash) seekTo(replay, fromHash);
    else if (params.has("t")) {
      // ?t=SECONDS: that moment from the start of the interview (board, timeline and audio)
      const started = replay.getSnapshot().startedAt;
      const seconds = Number(params.get("t"));
      if (started != null && Number.isFinite(seconds)) replay.seekTime(started + seconds * 1000);
    } else if (params.has("seq")) replay.seek(Number(params.get("seq")));

    const onTimelineClick = (event) => {
      const node = event.target.closest("[data-seq]");
      if (!node || !timeline.contains(node)) return;
      seekTo(replay, node);
    };
    const onTimelineKey = (event) => {
      if (event.key !== "Enter" && event.key !== " ") return;
      const node = event.target.closest("li[data-seq]");
      if (!node || event.target !== node) return;
      event.preventDefault();
      seekTo(replay, node);
    };
    const onHash = () => {
      const node = entryFromHash(window.location.hash);
      if (node) seekTo(replay, node);
    };
    const onSeekLink = (event) => {
      const link = event.target.closest("a[data-seek]");
      if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) return;
      event.preventDefault();
      const seq = Number(link.dataset.seek);
      replay.seek(seq);
      const url = new URL(window.location.href);
      url.searchParams.set("seq", String(seq));
      url.hash = "replay";
      window.history.replaceState(null, "", url);
      document.getElementById("replay")?.scrollIntoView({ block: "start" });
    };

    timeline?.addEventListener("click", onTimelineClick);
    timeline?.addEventListener("keydown", onTimelineKey);
    window.addEventListener("hashchange", onHash);
    document.addEventListener("click", onSeekLink);
    return () => {
      timeline?.removeEventListener("click", onTimelineClick);
      timeline?.removeEventListener("keydown", onTimelineKey);
      window.removeEventListener("hashchange", onHash);
      document.removeEventListener("click", onSeekLink);
    };
  }, [replay]);

  // Show where the replay is in the timeline.
  const { status, at, playing, endAt, pinned } = snapshot;
  useEffect(() => {
    const entries = entriesRef.current;
    if (!entries.length) return;
    const shown = shownRef.current;
    let past = -1;
    if (status === "ready" && at != null) {
      let lo = 0;
      let hi = entries.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (entries[mid].at <= at) lo = mid + 1;
        else hi = mid;
      }
      past = lo - 1;
    }
    if (status === "ready") {
      const dim = (i) => entries[i].node.classList.toggle("is-future", i > past);
      if (shown.past == null) entries.forEach((_, i) => dim(i));
      else for (let i = Math.min(past, shown.past) + 1; i <= Math.max(past, shown.past); i += 1) dim(i);
    }
    // at the very end the whole timeline is "past": point at nothing, unless a line was picked
    const atEnd = endAt != null && at >= endAt && !pinned;
    const now = past >= 0 && !atEnd ? entries[past].node : null;
    if (shown.now !== now) {
      shown.now?.classList.remove("is-now");
      now?.classList.add("is-now");
      if (now && playing) {
        const container = now.closest("[data-timeline]");
        if (container) scrollWithin(container, now);
      }
    }
    shownRef.current = { now, past: status === "ready" ? past : shown.past };
  }, [status, at, playing, endAt, pinned]);

  return null;
}
