import { afterEach, describe, expect, it, vi } from "vitest";

import { Recorder } from "./recorder.js";

function recorder(onError = () => {}) {
  return new Recorder({ interviewId: 7, userId: 3, csrfToken: "t", onError });
}

function chunk(seq) {
  return { seq, startedAt: Date.UTC(2026, 0, 1, 10, 0, seq * 6), durationMs: 6000, blob: new Blob(["x"]) };
}

afterEach(() => vi.unstubAllGlobals());

describe("Recorder uploads", () => {
  it("keeps a chunk lost in a network drop and sends it again, in order", async () => {
    const sent = [];
    let online = false;
    vi.stubGlobal(
      "fetch",
      vi.fn(async (_url, { body }) => {
        if (!online) throw new TypeError("Failed to fetch");
        sent.push(Number(body.get("seq")));
        return { ok: true, status: 201, json: async () => ({}) };
      }),
    );
    const r = recorder();
    await r.dbReady;
    await r.enqueue(chunk(0));
    await r.enqueue(chunk(1));
    await r.kick();
    expect(r.pending).toBe(2); // nothing lost while offline
    online = true;
    await r.kick();
    expect(sent).toEqual([0, 1]);
    expect(r.pending).toBe(0);
    clearTimeout(r.retryTimer);
  });

  it("treats the server's answer for a stored chunk as done, and drops a refused one with its error", async () => {
    const errors = [];
    const answers = [
      { ok: true, status: 200, json: async () => ({ duplicate: true }) },
      { ok: false, status: 409, json: async () => ({ code: "no_consent", message: "Recording needs consent." }) },
    ];
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => answers.shift()),
    );
    const r = recorder((e) => errors.push(e.code));
    await r.dbReady;
    await r.enqueue(chunk(0));
    await r.enqueue(chunk(1));
    await r.kick();
    expect(r.pending).toBe(0);
    expect(errors).toEqual(["no_consent"]);
  });

  it("retries later on a server error and never goes back on numbering", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => ({ ok: false, status: 503, json: async () => ({}) })),
    );
    const r = recorder();
    await r.dbReady;
    r.learnNextSeq(5);
    r.learnNextSeq(2);
    expect(r.nextSeq).toBe(5);
    await r.enqueue(chunk(5));
    await r.kick();
    expect(r.pending).toBe(1);
    clearTimeout(r.retryTimer);
  });
});
