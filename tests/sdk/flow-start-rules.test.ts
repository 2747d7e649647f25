import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { skipWithoutDatabase } from "../support/db";
import {
  arrivals,
  checkDebounce,
  debouncedRuns,
  sleep,
  startFlowApp,
  waitForEnded,
  waitForStarts,
  type FlowApp,
} from "../support/flow";
import { getRun, runsOf } from "../support/sdk-app";
import { api, startServer, waitFor, type TestServer } from "../support/server";

const skip = await skipWithoutDatabase();

/** When the server stored an event (its clock and the app's are the same machine's). */
async function receivedAt(server: { url: string }, eventId: string): Promise<number> {
  const res = await api<{ data: { received_at: string } }>(server, "GET", `/v1/events/${eventId}`);
  return Date.parse(res.body.data.received_at);
}

// The rules that decide when (and whether) an event starts a run, through the official SDK
// (v4): throttle (lossless, spread over windows), rate limit (lossy, skipped runs with the
// reason), debounce (last event wins, timeout caps the delay) and batching (`events`).
describe.skipIf(skip).concurrent("flow control: throttle, rate limit, debounce, batch (SDK v4)", () => {
  let server: TestServer;
  let app: FlowApp;

  beforeAll(async () => {
    server = await startServer();
    app = await startFlowApp(server, { version: 4, appId: "flows", checkpointing: false });
  });
  afterAll(async () => {
    await app?.stop();
    await server?.dispose();
  });

  it("throttle {limit 2, period 2s, burst 1}: 3 start at once, then one per second, none lost", async () => {
    const ids = await app.emit(
      "throttle",
      Array.from({ length: 6 }, (_, i) => ({ i })),
    );
    // Delayed runs say why while they wait.
    const delayed = await waitFor(
      async () => {
        const run = (await runsOf(server, ids[5] as string))[0];
        return run?.status === "Queued" ? run : null;
      },
      5000,
      "the last run to be queued",
    );
    expect(delayed.status_reason).toMatch(/^throttle: start delayed 3\.\ds \(2 per 2s\)$/);
    // The burst (limit + burst = 3) was not delayed; the next ones wait 1s, 2s, 3s.
    const reasons = await Promise.all(ids.map(async (id) => (await runsOf(server, id))[0]?.status_reason ?? null));
    for (const r of reasons.slice(0, 3)) expect(r ?? "").not.toMatch(/throttle/);

    const runs = await waitForEnded(server, ids, app.fnId("throttle"));
    expect(runs.map((r) => r.status)).toEqual(Array(6).fill("Completed"));
    expect((await app.flowStats()).starts.throttle).toHaveLength(6);
    // Start times on the server's clock, from the events' arrival (the app's first calls can
    // be slow to answer on a busy machine; when the server started each run is the rule).
    const received = await receivedAt(server, ids[0] as string);
    const t = runs.map((r) => Date.parse(r.run_started_at as string) - received);
    expect(t[3]).toBeGreaterThanOrEqual(950);
    expect(t[4]).toBeGreaterThanOrEqual(1950);
    expect(t[5]).toBeGreaterThanOrEqual(2950);
    expect(t[5]).toBeLessThan(6000);
  });

  it("rateLimit {limit 2, period 4s, key}: the excess is skipped with the reason; other keys and later events run", async () => {
    const ids = await app.emit("ratelimit", [...Array.from({ length: 5 }, (_, i) => ({ k: "a", i })), { k: "b", i: 5 }]);
    const runs = await waitForEnded(server, ids, app.fnId("ratelimit"));
    expect(runs.map((r) => r.status)).toEqual(["Completed", "Completed", "Skipped", "Skipped", "Skipped", "Completed"]);
    for (const r of runs.slice(2, 5)) expect(r.status_reason).toBe('rateLimit: more than 2 runs per 4s for key "a"');
    // The skipped run is a run like any other in the REST API.
    const skipped = await getRun(server, (runs[2] as { run_id: string }).run_id);
    expect(skipped).toMatchObject({ status: "Skipped", status_reason: runs[2]?.status_reason, run_started_at: null });
    expect((await app.flowStats()).starts.ratelimit).toHaveLength(3);

    await sleep(4200);
    const later = await app.emit("ratelimit", [
      { k: "a", i: 6 },
      { k: "a", i: 7 },
    ]);
    const again = await waitForEnded(server, later, app.fnId("ratelimit"));
    expect(again.map((r) => r.status)).toEqual(["Completed", "Completed"]);
  });

  it("debounce {period 1s, key}: a burst starts one run, 1s after its last event, with that event", async () => {
    const ids: string[] = [];
    for (let n = 1; n <= 3; n++) {
      ids.push((await app.emitOne("debounce", { k: "burst", n })).id);
      await sleep(200);
    }
    await waitForEnded(server, [ids[2] as string], app.fnId("debounce"));
    await sleep(1500);
    const runs = await debouncedRuns(server, ids, app.fnId("debounce"));
    checkDebounce(await arrivals(server, ids), runs, { periodMs: 1000, timeoutMs: 3000 });
    // Sent 200 ms apart: one run, with the last event (unless the machine stalled a send for 1s).
    const starts = (await app.flowStats()).starts.debounce?.filter((s) => s.data?.k === "burst") ?? [];
    expect(starts.map((s) => s.data?.n)).toEqual(runs.map((r) => ids.indexOf(r.eventId) + 1));
    expect(starts.at(-1)?.data).toEqual({ k: "burst", n: 3 });
    // Each event of the burst lists the run it was folded into (or its own).
    for (const id of ids) {
      const listed = await runsOf(server, id);
      expect(listed).toHaveLength(1);
      expect(runs.map((r) => r.eventId)).toContain(listed[0]?.event_id);
    }
  });

  it("debounce timeout 3s: a steady stream still starts runs every 3s, each with the latest event", async () => {
    const ids: string[] = [];
    for (let n = 1; n <= 20; n++) {
      ids.push((await app.emitOne("debounce", { k: "stream", n })).id);
      await sleep(200);
    }
    await waitForEnded(server, [ids[19] as string], app.fnId("debounce"));
    const runs = await debouncedRuns(server, ids, app.fnId("debounce"));
    const { cappedByTimeout } = checkDebounce(await arrivals(server, ids), runs, { periodMs: 1000, timeoutMs: 3000 });
    // A 4s stream of events 200 ms apart never goes quiet for 1s: the timeout had to start runs.
    expect(cappedByTimeout).toBeGreaterThanOrEqual(1);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    const starts = (await app.flowStats()).starts.debounce?.filter((s) => s.data?.k === "stream") ?? [];
    expect(starts.map((s) => s.data?.n).sort((a, b) => Number(a) - Number(b))).toEqual(
      runs.map((r) => ids.indexOf(r.eventId) + 1).sort((a, b) => a - b),
    );
  });

  it("batchEvents {maxSize 3, timeout 2s}: a full batch starts at once; a partial one when the timeout passes", async () => {
    const full = await app.emit(
      "batch",
      [0, 1, 2].map((i) => ({ i })),
    );
    const [fullStart] = await waitForStarts(app, "batch", 1);
    // The SDK hands the function every event of the batch; `event` is the first.
    expect(fullStart?.events).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
    expect(fullStart?.data).toEqual({ i: 0 });
    const [fullRun] = await waitForEnded(server, [full[0] as string], app.fnId("batch"));
    expect(fullRun?.output).toEqual({ n: 3 });
    // Every event of the batch lists the batch's run.
    for (const id of full) expect((await runsOf(server, id)).map((r) => r.run_id)).toEqual([fullRun?.run_id]);
    // Full: the run was created as the third event arrived, not when the 2s timeout passed.
    const fullAt = await receivedAt(server, full[0] as string);
    expect(Date.parse(fullRun?.queued_at as string)).toBeLessThan(fullAt + 500);

    const partial = await app.emit("batch", [{ i: 3 }, { i: 4 }]);
    const starts = await waitForStarts(app, "batch", 2);
    expect(starts[1]?.events).toEqual([{ i: 3 }, { i: 4 }]);
    const [partialRun] = await waitForEnded(server, [partial[0] as string], app.fnId("batch"));
    expect(partialRun?.output).toEqual({ n: 2 });
    const partialAt = await receivedAt(server, partial[0] as string);
    const partialCreated = Date.parse(partialRun?.queued_at as string);
    expect(partialCreated).toBeGreaterThanOrEqual(partialAt + 1950);
    expect(partialCreated).toBeLessThan(partialAt + 4000);
  });
});
