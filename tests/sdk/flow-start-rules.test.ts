import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { skipWithoutDatabase } from "../support/db";
import { sleep, startFlowApp, waitForEnded, waitForStarts, type FlowApp } from "../support/flow";
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
    expect(delayed.status_reason).toMatch(/^throttle: start delayed/);

    const starts = await waitForStarts(app, "throttle", 6, 20_000);
    const received = await receivedAt(server, ids[0] as string);
    const t = starts.map((s) => s.at - received);
    // The burst starts together; after it, first in, first out.
    expect(new Set(starts.slice(0, 3).map((s) => s.data?.i))).toEqual(new Set([0, 1, 2]));
    expect(starts.slice(3).map((s) => s.data?.i)).toEqual([3, 4, 5]);
    expect(t[2]).toBeLessThan(800);
    expect(t[3]).toBeGreaterThanOrEqual(950);
    expect(t[4]).toBeGreaterThanOrEqual(1950);
    expect(t[5]).toBeGreaterThanOrEqual(2950);
    expect(t[5]).toBeLessThan(5000);
    const runs = await waitForEnded(server, ids, app.fnId("throttle"));
    expect(runs.map((r) => r.status)).toEqual(Array(6).fill("Completed"));
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
    const sent: { id: string; at: number }[] = [];
    for (let n = 1; n <= 3; n++) {
      sent.push(await app.emitOne("debounce", { k: "burst", n }));
      await sleep(200);
    }
    const start = await waitFor(
      async () => (await app.flowStats()).starts.debounce?.find((s) => s.data?.k === "burst"),
      10_000,
      "the burst's run",
    );
    expect(start.data).toEqual({ k: "burst", n: 3 });
    const last = sent[2] as { id: string; at: number };
    expect(start.at).toBeGreaterThanOrEqual(last.at + 900);
    expect(start.at).toBeLessThan(last.at + 2500);
    const [run] = await waitForEnded(server, [last.id], app.fnId("debounce"));
    expect(run?.output).toEqual({ k: "burst", n: 3 });
    // The earlier events were folded into that run: none started its own.
    await sleep(1500);
    expect((await app.flowStats()).starts.debounce?.filter((s) => s.data?.k === "burst")).toHaveLength(1);
    expect(await runsOf(server, (sent[0] as { id: string }).id)).toEqual([]);
  });

  it("debounce timeout 3s: a steady stream still starts a run 3s after its first event, with the latest one", async () => {
    const sent: { id: string; at: number; n: number }[] = [];
    for (let n = 1; n <= 14; n++) {
      sent.push({ ...(await app.emitOne("debounce", { k: "stream", n })), n });
      await sleep(300);
    }
    const stream = async () => ((await app.flowStats()).starts.debounce ?? []).filter((s) => s.data?.k === "stream");
    // The server's clock for the first event (the request itself may be slow on a busy machine).
    const first = await receivedAt(server, (sent[0] as { id: string }).id);
    const starts = await waitFor(async () => ((await stream()).length >= 2 ? stream() : null), 10_000, "two stream runs");
    const [capped, settled] = [...starts].sort((a, b) => a.at - b.at);
    // Capped by the timeout, not by the stream: well before the stream ended (~4.2s).
    expect(capped?.at).toBeGreaterThanOrEqual(first + 2800);
    expect(capped?.at).toBeLessThan(first + 4000);
    // It carries the latest event sent before it fired.
    const latest = sent.filter((s) => s.at <= (capped?.at ?? 0) - 100).at(-1)?.n ?? 0;
    expect(capped?.data?.n).toBeGreaterThanOrEqual(latest - 1);
    expect(capped?.data?.n).toBeLessThan(14);
    // The rest of the stream debounces again and ends with the last event.
    expect(settled?.data?.n).toBe(14);
    expect(settled?.at).toBeGreaterThanOrEqual((sent[13] as { at: number }).at + 900);
  });

  it("batchEvents {maxSize 3, timeout 2s}: a full batch starts at once; a partial one when the timeout passes", async () => {
    const full = await app.emit(
      "batch",
      [0, 1, 2].map((i) => ({ i })),
    );
    const fullSentAt = Date.now();
    const [fullStart] = await waitForStarts(app, "batch", 1);
    expect(fullStart?.events).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
    expect(fullStart?.data).toEqual({ i: 0 });
    expect(fullStart?.at).toBeLessThan(fullSentAt + 1500);
    const [fullRun] = await waitForEnded(server, [full[0] as string], app.fnId("batch"));
    expect(fullRun?.output).toEqual({ n: 3 });

    const partialSentAt = Date.now();
    const partial = await app.emit("batch", [{ i: 3 }, { i: 4 }]);
    const starts = await waitForStarts(app, "batch", 2);
    const partialStart = starts[1];
    expect(partialStart?.events).toEqual([{ i: 3 }, { i: 4 }]);
    expect(partialStart?.at).toBeGreaterThanOrEqual(partialSentAt + 1800);
    const [partialRun] = await waitForEnded(server, [partial[0] as string], app.fnId("batch"));
    expect(partialRun?.output).toEqual({ n: 2 });
  });
});
