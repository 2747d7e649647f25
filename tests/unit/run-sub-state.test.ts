import { describe, expect, it } from "vitest";

import { subStateOf } from "@/lib/queries/run-sub-state";
import { hintsFor } from "@/lib/realtime/hub";

/** A Running run's sub-state, read from its open step rows, and the live hints that announce it. */
describe("run sub-state", () => {
  const row = (seq: number, status: string, input: unknown, wakeAt: number | null = null) => ({
    runId: "r1",
    seq,
    status,
    input: JSON.stringify(input),
    wakeAt: wakeAt === null ? null : BigInt(wakeAt),
  });

  it("names what the run is held on: a sleep until its wake-up, the awaited event or signal, the invoked function", () => {
    const at = Date.UTC(2026, 0, 1, 12, 3, 0);
    expect(subStateOf([row(2, "Sleeping", { duration: "1h" }, at)])).toEqual({
      kind: "Sleeping",
      target: null,
      until: new Date(at).toISOString(),
    });
    expect(subStateOf([row(3, "Waiting", { event: "app/x.y", if: null, timeout: null })])).toEqual({
      kind: "Waiting",
      target: "app/x.y",
      until: null,
    });
    expect(subStateOf([row(3, "Waiting", { signal: "approval:42", timeout: "1h", onConflict: "fail" })])).toMatchObject({
      kind: "Waiting",
      target: "signal approval:42",
    });
    expect(subStateOf([row(4, "Invoking", { function_id: "app-child", payload: {} }, at)])).toMatchObject({
      kind: "Invoking",
      target: "app-child",
    });
  });

  it("ignores resolved rows and picks the first open one of parallel waits", () => {
    expect(subStateOf([row(1, "Completed", { event: "a" })])).toBeNull();
    expect(subStateOf([])).toBeNull();
    expect(subStateOf([row(5, "Waiting", { event: "later" }), row(4, "Sleeping", {}, 1), row(3, "Completed", {})])).toMatchObject(
      {
        kind: "Sleeping",
      },
    );
  });

  it("announces a sleep or wait starting or ending to the runs list; other steps only to the run", () => {
    const step = (status: string, resumed?: boolean) =>
      hintsFor({ topic: "step.changed", payload: { runId: "r1", stepId: "s1", status, ...(resumed ? { resumed } : {}) } });
    expect(step("Sleeping")).toContainEqual({ topic: "runs", id: "r1", status: "Running", sub: "Sleeping" });
    expect(step("Waiting")).toContainEqual({ topic: "runs", id: "r1", status: "Running", sub: "Waiting" });
    expect(step("Completed", true)).toContainEqual({ topic: "runs", id: "r1", status: "Running", sub: "" });
    expect(step("Completed")).toEqual([{ topic: "run:r1", id: "s1", status: "Completed" }]);
  });
});
