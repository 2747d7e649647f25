import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { skipWithoutDatabase } from "../support/db";
import {
  arrivals,
  checkDebounce,
  debouncedRuns,
  expectOneStepPerUser,
  maxOverlap,
  sleep,
  startFlowApp,
  waitForEnded,
  type FlowApp,
} from "../support/flow";
import { startServer, waitFor, type TestServer } from "../support/server";

const skip = await skipWithoutDatabase();

// The same flow-control rules through the official SDK v3 (createFunction(opts, trigger, fn)).
describe.skipIf(skip).concurrent("flow control through SDK v3", () => {
  let server: TestServer;
  let app: FlowApp;

  beforeAll(async () => {
    server = await startServer();
    app = await startFlowApp(server, { version: 3, appId: "flow3" });
  });
  afterAll(async () => {
    await app?.stop();
    await server?.dispose();
  });

  it("concurrency: 2 — 10 runs never have more than 2 steps executing", async () => {
    const ids = await app.emit(
      "conc",
      Array.from({ length: 10 }, (_, i) => ({ i })),
    );
    const runs = await waitForEnded(server, ids, app.fnId("conc"), 40_000);
    expect(runs.every((r) => r.status === "Completed")).toBe(true);
    const { intervals, max } = await app.flowStats();
    expect(intervals.conc).toHaveLength(20);
    expect(max.conc).toBe(2);
    expect(maxOverlap(intervals.conc ?? [])).toBe(2);
  });

  it("concurrency key: one step per user at a time, users in parallel", () => expectOneStepPerUser(server, app));

  it("debounce: a burst starts one run, 1s after its last event, with that event", async () => {
    const ids: string[] = [];
    for (let n = 1; n <= 3; n++) {
      ids.push((await app.emitOne("debounce", { k: "v3", n })).id);
      await sleep(200);
    }
    const [run] = await waitForEnded(server, [ids[2] as string], app.fnId("debounce"));
    expect(run).toMatchObject({ status: "Completed", output: { k: "v3", n: 3 } });
    await sleep(1500);
    checkDebounce(await arrivals(server, ids), await debouncedRuns(server, ids, app.fnId("debounce")), {
      periodMs: 1000,
      timeoutMs: 3000,
    });
    const starts = await waitFor(async () => (await app.flowStats()).starts.debounce, 5000, "debounce starts");
    expect(starts.at(-1)?.data).toEqual({ k: "v3", n: 3 });
  });

  it("batchEvents: the v3 SDK receives the batch as `events`", async () => {
    const ids = await app.emit(
      "batch",
      [0, 1, 2].map((i) => ({ i })),
    );
    const [run] = await waitForEnded(server, [ids[0] as string], app.fnId("batch"));
    expect(run).toMatchObject({ status: "Completed", output: { n: 3 } });
    expect((await app.flowStats()).starts.batch?.[0]?.events).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
  });
});
