import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { skipWithoutDatabase } from "../support/db";
import { expectOneStepPerUser, maxOverlap, startFlowApp, waitForEnded, waitForStarts, type FlowApp } from "../support/flow";
import { getRun, runsOf } from "../support/sdk-app";
import { startServer, waitFor, type TestServer } from "../support/server";

const skip = await skipWithoutDatabase();

// Concurrency limits through the official SDK (v4): they cap the steps executing at once,
// measured in the app; a sleeping run holds no slot; keys give one virtual queue per value;
// scope shares a limit across functions.
describe.skipIf(skip).concurrent("flow control: concurrency (SDK v4)", () => {
  let server: TestServer;
  let app: FlowApp;

  beforeAll(async () => {
    server = await startServer();
    // Async checkpointing off: this server does not implement the checkpoint API yet, and the
    // SDK waits ~2 s per step before falling back (see the report); flow control is the same.
    app = await startFlowApp(server, { version: 4, appId: "flowc", checkpointing: false });
  });
  afterAll(async () => {
    await app?.stop();
    await server?.dispose();
  });

  it("concurrency: 2 — 10 runs never have more than 2 steps executing, and do use both", async () => {
    const ids = await app.emit(
      "conc",
      Array.from({ length: 10 }, (_, i) => ({ i })),
    );
    const runs = await waitForEnded(server, ids, app.fnId("conc"), 40_000);
    expect(runs.every((r) => r.status === "Completed")).toBe(true);
    const { intervals, max } = await app.flowStats();
    const steps = intervals.conc ?? [];
    expect(steps).toHaveLength(20);
    expect(max.conc).toBe(2);
    expect(maxOverlap(steps)).toBe(2);
    // 20 steps of 300 ms, two at a time: at least ~3 s end to end.
    const span = Math.max(...steps.map((s) => s[1])) - Math.min(...steps.map((s) => s[0]));
    expect(span).toBeGreaterThanOrEqual(2900);
  });

  it("a sleeping run holds no slot: with concurrency 1, another run executes during the sleep", async () => {
    const [first] = await app.emit("sleepy", { n: 1 });
    await waitForStarts(app, "sleepy", 1);
    const [second] = await app.emit("sleepy", { n: 2 });
    const runs = await waitForEnded(server, [first as string, second as string], app.fnId("sleepy"), 20_000);
    expect(runs.map((r) => r.status)).toEqual(["Completed", "Completed"]);
    const steps = (await app.flowStats()).intervals.sleepy ?? [];
    expect(maxOverlap(steps)).toBe(1);
    const at = (tag: string) => steps.find((s) => s[2] === tag)?.[0] ?? NaN;
    const [r1, r2] = runs.map((r) => r.run_id);
    // Run 2's first step ran while run 1 slept (before run 1's second step).
    expect(at(`${r2}:a`)).toBeLessThan(at(`${r1}:b`));
  });

  it("a key gives one queue per value: one step per user at a time, users in parallel", () => expectOneStepPerUser(server, app));

  it("two limits at once: 2 per function and 1 per user", async () => {
    const users = ["u1", "u2", "u3"];
    const ids = await app.emit(
      "conc-two",
      users.flatMap((user) => Array.from({ length: 3 }, () => ({ user }))),
    );
    await waitForEnded(server, ids, app.fnId("conc-two"), 20_000);
    const { intervals } = await app.flowStats();
    expect(intervals["conc-two"]).toHaveLength(9);
    expect(maxOverlap(intervals["conc-two"] ?? [])).toBe(2);
    for (const u of users) expect(maxOverlap(intervals[`conc-two:${u}`] ?? [])).toBe(1);
  });

  it("scope: account shares one limit between two functions with the same key", async () => {
    const a = await app.emit(
      "scope-a",
      Array.from({ length: 3 }, (_, i) => ({ i })),
    );
    const b = await app.emit(
      "scope-b",
      Array.from({ length: 3 }, (_, i) => ({ i })),
    );
    await waitForEnded(server, a, app.fnId("scope-a"), 20_000);
    await waitForEnded(server, b, app.fnId("scope-b"), 20_000);
    const steps = (await app.flowStats()).intervals.scope ?? [];
    expect(steps).toHaveLength(6);
    expect(maxOverlap(steps)).toBe(1);
    expect(steps.some((s) => s[2].startsWith("scope-a"))).toBe(true);
    expect(steps.some((s) => s[2].startsWith("scope-b"))).toBe(true);
  });

  it("a run waiting for a slot says so in status_reason while queued", async () => {
    // concurrency 1, steps of 400 ms: three of four runs wait their turn.
    const ids = await app.emit(
      "conc-wait",
      Array.from({ length: 4 }, (_, i) => ({ i })),
    );
    const waiting = await waitFor(
      async () => {
        // The last one queued waits longest (about a second): least likely to start meanwhile.
        for (const id of [...ids].reverse()) {
          const run = (await runsOf(server, id))[0];
          if (run?.status === "Queued" && run.status_reason?.startsWith("concurrency")) return run;
        }
        return null;
      },
      10_000,
      "a run queued behind the concurrency limit",
    );
    expect(waiting.status_reason).toMatch(/concurrency: .*limit 1/);
    expect((await getRun(server, waiting.run_id)).status_reason).toMatch(/^concurrency/);
    await waitForEnded(server, ids, app.fnId("conc-wait"), 20_000);
    expect((await getRun(server, waiting.run_id)).status_reason).toBeNull();
  });
});
