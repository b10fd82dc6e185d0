import { afterEach, describe, expect, it, vi } from "vitest";

import { PanelClient, pacing } from "./interviewerPanel.js";

const PANEL = {
  interview: { id: 1, status: "accepted", current_step: 1, started_at: "2026-12-02T10:00:00Z" },
  locked: false,
  notes_url: "/api/interviews/1/notes/",
  guide_url: "/api/interviews/1/guide/",
  pitfalls: ["Brute-force search over every image"],
  steps: [
    {
      number: 1,
      key: "clarify",
      title: "Clarify",
      time_budget_minutes: 5,
      prompts: ["What is the business goal?"],
      criteria: [],
      notes: [],
      facts: [{ kind: "fact", item: "0", label: "200 million images", marked_at: null }],
      checklist: [],
    },
    {
      number: 3,
      key: "data",
      title: "Data",
      time_budget_minutes: 8,
      prompts: [],
      criteria: [],
      notes: [],
      facts: [],
      checklist: [{ title: "Offline lane", items: [{ kind: "component", item: "feature store", label: "feature store", marked_at: null }] }],
    },
  ],
};

function answer(status, body) {
  return Promise.resolve({ ok: status < 400, status, json: () => Promise.resolve(body) });
}

afterEach(() => vi.unstubAllGlobals());

describe("pacing", () => {
  const start = "2026-12-02T10:00:00Z";
  it("says nothing within the budget", () => {
    expect(pacing({ stepStartedAt: start, budgetMinutes: 5, now: Date.parse(start) + 5 * 60000 })).toBeNull();
  });
  it("says how far over, in whole minutes", () => {
    expect(pacing({ stepStartedAt: start, budgetMinutes: 5, now: Date.parse(start) + 6.5 * 60000 })).toEqual({
      overMinutes: 2,
      budgetMinutes: 5,
    });
  });
  it("says nothing before the clock starts", () => {
    expect(pacing({ stepStartedAt: null, budgetMinutes: 5, now: Date.now() })).toBeNull();
  });
});

describe("guide marks", () => {
  async function loaded(fetchImpl) {
    vi.stubGlobal("fetch", fetchImpl);
    const errors = [];
    const client = new PanelClient({ url: "/api/interviews/1/panel/", csrfToken: "t", onError: (e) => errors.push(e) });
    await client.load();
    return { client, errors };
  }

  it("marks a fact given and keeps the server's time", async () => {
    const fetchImpl = vi.fn((url, init) =>
      init?.method === "PUT" ? answer(200, { kind: "fact", item: "0", marked_at: "2026-12-02T10:03:00Z" }) : answer(200, PANEL),
    );
    const { client } = await loaded(fetchImpl);
    expect(client.getState().pitfalls).toEqual(["Brute-force search over every image"]);
    const done = client.setMark("fact", "0", true, Date.parse("2026-12-02T10:02:59Z"));
    expect(client.getState().steps[0].facts[0].marked_at).toBe("2026-12-02T10:02:59.000Z"); // at once
    await done;
    expect(client.getState().steps[0].facts[0].marked_at).toBe("2026-12-02T10:03:00Z");
    const [url, init] = fetchImpl.mock.calls.at(-1);
    expect(url).toBe("/api/interviews/1/guide/");
    expect(JSON.parse(init.body)).toEqual({ kind: "fact", item: "0", on: true });
    expect(init.headers["X-CSRFToken"]).toBe("t");
  });

  it("rolls back a refused mark and says why", async () => {
    const fetchImpl = vi.fn((url, init) =>
      init?.method === "PUT" ? answer(409, { code: "locked", message: "Final." }) : answer(200, PANEL),
    );
    const { client, errors } = await loaded(fetchImpl);
    await client.setMark("component", "feature store", true);
    expect(client.getState().steps[1].checklist[0].items[0].marked_at).toBeNull();
    expect(client.getState().locked).toBe(true);
    expect(errors).toEqual([{ code: "locked", message: "Final." }]);
  });

  it("ignores an item that is not in the guide", async () => {
    const fetchImpl = vi.fn(() => answer(200, PANEL));
    const { client } = await loaded(fetchImpl);
    await client.setMark("component", "flux capacitor", true);
    expect(fetchImpl).toHaveBeenCalledTimes(1); // only the load
  });
});
