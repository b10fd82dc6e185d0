/**
 * Records this browser's own microphone while both people consent, in chunks of a few seconds.
 *
 * Each chunk is a whole WebM/Opus file (one MediaRecorder per chunk), numbered per speaker and
 * dated by the server's clock. Chunks wait in IndexedDB until the server has them, so a network
 * drop or a reload loses nothing: the upload loop sends them again, and the server answers a chunk
 * it already has with 200 (docs/api.md, "Recording"). Refusals that retrying cannot fix (4xx but
 * 408 and 429) drop the chunk and are reported.
 */

export const CHUNK_MS = 6000;
const DB_NAME = "mocklane-recording";
const STORE = "chunks";
const MIME = "audio/webm;codecs=opus";

function openDb() {
  return new Promise((resolve) => {
    if (typeof indexedDB === "undefined") return resolve(null);
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "key" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => resolve(null); // private mode: keep chunks in memory only
  });
}

function tx(db, mode, fn) {
  return new Promise((resolve) => {
    if (!db) return resolve(null);
    const t = db.transaction(STORE, mode);
    const result = fn(t.objectStore(STORE));
    t.oncomplete = () => resolve(result?.result ?? null);
    t.onerror = () => resolve(null);
  });
}

export class Recorder {
  constructor({ interviewId, userId, csrfToken, clockOffset = () => 0, onError = () => {}, chunkMs = CHUNK_MS }) {
    this.interviewId = interviewId;
    this.userId = userId;
    this.csrfToken = csrfToken;
    this.clockOffset = clockOffset;
    this.onError = onError;
    this.chunkMs = chunkMs;
    this.url = `/api/interviews/${interviewId}/recording/chunks/`;
    this.prefix = `${interviewId}:${userId}:`;
    this.queue = new Map(); // key -> {key, seq, startedAt, durationMs, blob}
    this.nextSeq = 0;
    this.stream = null;
    this.current = null;
    this.running = false;
    this.uploading = null;
    this.retryTimer = null;
    this.uploaded = 0;
    if (typeof window !== "undefined") window.addEventListener("online", () => this.kick());
    this.dbReady = openDb().then(async (db) => {
      this.db = db;
      const all = (await tx(db, "readonly", (s) => s.getAll())) || [];
      for (const item of all) if (item.key.startsWith(this.prefix)) this.queue.set(item.key, item);
      for (const item of this.queue.values()) this.nextSeq = Math.max(this.nextSeq, item.seq + 1);
      this.kick();
    });
  }

  /** How far the server's clock is ahead of ours (ms), so chunks are dated by the server's clock. */
  setClock(offset) {
    this.clockOffset = offset;
  }

  /** The server's next number for us (room_state.recording.next_seq); never goes back. */
  learnNextSeq(seq) {
    if (Number.isInteger(seq)) this.nextSeq = Math.max(this.nextSeq, seq);
  }

  get pending() {
    return this.queue.size;
  }

  async start() {
    if (this.running) return;
    if (typeof MediaRecorder === "undefined" || !MediaRecorder.isTypeSupported(MIME)) {
      this.onError({ code: "unsupported", message: "This browser cannot record WebM/Opus audio." });
      return;
    }
    this.running = true;
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
    } catch (err) {
      this.running = false;
      this.onError({ code: "no_microphone", message: `The microphone could not be opened: ${err.message || err}` });
      return;
    }
    if (!this.running) {
      this.stream.getTracks().forEach((t) => t.stop());
      this.stream = null;
      return;
    }
    this.record();
  }

  record() {
    if (!this.running || !this.stream) return;
    const seq = this.nextSeq++;
    const startedAt = Date.now() + this.clockOffset();
    const recorder = new MediaRecorder(this.stream, { mimeType: MIME, audioBitsPerSecond: 32000 });
    const parts = [];
    const done = new Promise((resolve) => {
      recorder.ondataavailable = (event) => event.data.size && parts.push(event.data);
      recorder.onstop = () => {
        const durationMs = Math.max(1, Math.round(Date.now() + this.clockOffset() - startedAt));
        if (parts.length) this.enqueue({ seq, startedAt, durationMs, blob: new Blob(parts, { type: MIME }) });
        resolve();
      };
    });
    recorder.start();
    const timer = setTimeout(() => recorder.state !== "inactive" && recorder.stop(), this.chunkMs);
    this.current = { recorder, timer, done };
    done.then(() => {
      if (this.current?.recorder === recorder) this.current = null;
      this.record(); // the next chunk, while still running
    });
  }

  /** Stop recording; the last chunk is kept and sent like the others. */
  async stop() {
    this.running = false;
    const current = this.current;
    if (current) {
      clearTimeout(current.timer);
      if (current.recorder.state !== "inactive") current.recorder.stop();
      await current.done;
    }
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
  }

  /** Stop, then try to deliver what is left for up to `ms` (the page is about to go). */
  async finish(ms = 4000) {
    await this.stop();
    const deadline = Date.now() + ms;
    while (this.queue.size && Date.now() < deadline) {
      await this.kick();
      if (this.queue.size) await new Promise((r) => setTimeout(r, 250));
    }
  }

  async enqueue({ seq, startedAt, durationMs, blob }) {
    const item = { key: `${this.prefix}${seq}`, seq, startedAt, durationMs, blob };
    this.queue.set(item.key, item);
    await tx(this.db, "readwrite", (s) => s.put(item));
    this.kick();
  }

  async forget(item) {
    this.queue.delete(item.key);
    await tx(this.db, "readwrite", (s) => s.delete(item.key));
  }

  /** Send everything queued, oldest first; one loop at a time. */
  kick() {
    if (this.uploading) return this.uploading;
    this.uploading = this.uploadAll().finally(() => {
      this.uploading = null;
    });
    return this.uploading;
  }

  async uploadAll() {
    // until the queue is empty, chunks recorded meanwhile included; a retryable failure waits
    while (this.queue.size) {
      const item = [...this.queue.values()].reduce((a, b) => (b.seq < a.seq ? b : a));
      const outcome = await this.upload(item);
      if (outcome === "retry") {
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.kick(), 2000);
        return;
      }
    }
  }

  async upload(item) {
    const form = new FormData();
    form.append("seq", String(item.seq));
    form.append("started_at", new Date(item.startedAt).toISOString());
    form.append("duration_ms", String(Math.min(item.durationMs, 15000)));
    form.append("file", item.blob, `${item.seq}.webm`);
    let response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        body: form,
        credentials: "same-origin",
        headers: { "X-CSRFToken": this.csrfToken, Accept: "application/json" },
      });
    } catch {
      return "retry"; // offline: kept, sent again later
    }
    if (response.ok) {
      this.uploaded += 1;
      await this.forget(item);
      return "done";
    }
    if (response.status >= 500 || response.status === 408 || response.status === 429) return "retry";
    let body = {};
    try {
      body = await response.json();
    } catch {
      /* no body */
    }
    await this.forget(item); // refused for good (e.g. no_consent, upload_closed): retrying cannot help
    this.onError({ code: body.code || "upload_failed", message: body.message || "A recorded chunk was refused." });
    return "refused";
  }
}
