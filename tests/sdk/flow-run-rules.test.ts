import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { sleep, startFlowApp, waitForEnded, waitForStarts, type FlowApp } from "../support/flow";
import { skipWithoutDatabase } from "../support/db";
import { getRun, runsOf } from "../support/sdk-app";
import { api, startServer, type TestServer } from "../support/server";

const skip = await skipWithoutDatabase();

const ms = (iso: string | null) => (iso ? Date.parse(iso) : NaN);

// Rules that decide which run goes first or whether it runs at all, through the official SDK
// (v4): priority, idempotency, singleton (skip, cancel), timeouts (start, finish).
describe.skipIf(skip).concurrent("flow control: priority, idempotency, singleton, timeouts (SDK v4)", () => {
  let server: TestServer;
  let app: FlowApp;

  beforeAll(async () => {
    server = await startServer();
    app = await startFlowApp(server, { version: 4, appId: "flowr", checkpointing: false });
  });
  afterAll(async () => {
    await app?.stop();
    await server?.dispose();
  });

  it("priority reorders a backlog behind concurrency 1: higher factors first, negative ones delayed", async () => {
    await app.emitOne("priority", { tag: "blocker", p: 0, ms: 3000 });
    await waitForStarts(app, "priority", 1);
    // Queued in this order (one request) while the blocker holds the only slot.
    const ids = await app.emit("priority", [
      { tag: "late", p: -8 },
      { tag: "low1", p: 0 },
      { tag: "low2", p: 0 },
      { tag: "high", p: 600 },
      { tag: "mid", p: 60 },
    ]);
    const late = (await runsOf(server, ids[0] as string))[0];
    expect(late?.status_reason).toContain("priority: start delayed 8s");
    await waitForEnded(server, ids, app.fnId("priority"), 30_000);
    const steps = [...((await app.flowStats()).intervals.priority ?? [])].sort((a, b) => a[0] - b[0]);
    expect(steps.map((s) => s[2])).toEqual(["blocker", "high", "mid", "low1", "low2", "late"]);
    // The late one waited its 8 seconds although the slot was free before.
    const lateRun = await getRun(server, late?.run_id as string);
    expect(Date.parse(lateRun.run_started_at as string) - Date.parse(lateRun.queued_at)).toBeGreaterThanOrEqual(7900);

    // A rerun keeps the run's priority (decided from its event when the original was created).
    const rerun = await api<{ id: string }>(server, "POST", `/api/v1/runs/${late?.run_id}/rerun`);
    expect(rerun.status).toBe(201);
    expect((await getRun(server, rerun.body.id)).status_reason).toContain("priority: start delayed 8s");
    const again = await api<{ id: string }>(
      server,
      "POST",
      `/api/v1/runs/${(await runsOf(server, ids[1] as string))[0]?.run_id}/rerun`,
    );
    expect((await getRun(server, again.body.id)).status_reason ?? null).toBeNull();
  });

  it("priority holds for every step of a run: a high-priority run's later steps also go ahead of the backlog", async () => {
    await app.emitOne("priority-steps", { tag: "blocker", p: 0, ms: 1500 });
    await waitForStarts(app, "priority-steps", 1);
    const ids = await app.emit("priority-steps", [
      { tag: "low1", p: 0 },
      { tag: "low2", p: 0 },
      { tag: "high", p: 600 },
    ]);
    await waitForEnded(server, ids, app.fnId("priority-steps"), 30_000);
    const steps = [...((await app.flowStats()).intervals["priority-steps"] ?? [])].sort((a, b) => a[0] - b[0]).map((s) => s[2]);
    // Without the run's priority on its second call, high:b would queue behind low1:a and low2:a
    // (queued earlier), and behind blocker:b.
    expect(steps.slice(0, 3)).toEqual(["blocker:a", "high:a", "high:b"]);
    expect(steps).toHaveLength(8);
    // Runs of equal priority keep their order.
    expect(steps.indexOf("low1:a")).toBeLessThan(steps.indexOf("low2:a"));
  });

  it("idempotency: a second event with the same key within 24h starts no run", async () => {
    const first = await app.emitOne("idempotency", { orderId: "o-1" });
    const again = await app.emitOne("idempotency", { orderId: "o-1" });
    const other = await app.emitOne("idempotency", { orderId: "o-2" });
    const runs = await waitForEnded(server, [first.id, again.id, other.id], app.fnId("idempotency"));
    expect(runs.map((r) => r.status)).toEqual(["Completed", "Skipped", "Completed"]);
    expect(runs[1]?.status_reason).toBe(`idempotency: key "o-1" was already used by event ${first.id} within 24h`);
    expect((await app.flowStats()).starts.idempotency?.map((s) => s.data?.orderId).sort()).toEqual(["o-1", "o-2"]);
  });

  it("singleton skip: while a run for the key is active, new ones are skipped; other keys and later ones run", async () => {
    const first = await app.emitOne("singleton-skip", { k: "x", tag: 1, nap: "2s" });
    await waitForStarts(app, "singleton-skip", 1);
    const second = await app.emitOne("singleton-skip", { k: "x", tag: 2 });
    const otherKey = await app.emitOne("singleton-skip", { k: "y", tag: 3, nap: "1s" });
    const [skipped] = await waitForEnded(server, [second.id], app.fnId("singleton-skip"));
    expect(skipped?.status).toBe("Skipped");
    const [active] = await runsOf(server, first.id);
    expect(skipped?.status_reason).toBe(`singleton: run ${active?.run_id} is still active for key "x"`);
    const [r1, r3] = await waitForEnded(server, [first.id, otherKey.id], app.fnId("singleton-skip"));
    expect([r1?.status, r3?.status]).toEqual(["Completed", "Completed"]);
    // The y run overlapped the x run: singleton is per key.
    expect(ms(r3?.run_started_at ?? null)).toBeLessThan(ms(r1?.ended_at ?? null));

    const later = await app.emitOne("singleton-skip", { k: "x", tag: 4, nap: "1s" });
    const [r4] = await waitForEnded(server, [later.id], app.fnId("singleton-skip"));
    expect(r4?.status).toBe("Completed");
  });

  it("singleton cancel: a new run for the key cancels the active one and takes its place", async () => {
    const first = await app.emitOne("singleton-cancel", { k: "x", tag: 1, nap: "30s" });
    const [start] = await waitForStarts(app, "singleton-cancel", 1);
    const second = await app.emitOne("singleton-cancel", { k: "x", tag: 2, nap: "1s" });
    const [cancelled] = await waitForEnded(server, [first.id], app.fnId("singleton-cancel"));
    expect(cancelled?.status).toBe("Cancelled");
    expect(cancelled?.status_reason).toBe(`singleton: replaced by the run of event ${second.id}`);
    const [replacement] = await waitForEnded(server, [second.id], app.fnId("singleton-cancel"));
    expect(replacement).toMatchObject({ status: "Completed", output: 2 });
    // The cancelled run never reached its second step.
    const steps = (await app.flowStats()).intervals["singleton-cancel"] ?? [];
    expect(steps.map((s) => s[2])).not.toContain(`${start?.runId}:b`);
  });

  it("timeouts.start: a run queued longer than 1s is cancelled with the reason", async () => {
    const blocker = await app.emitOne("timeout-start", { tag: "blocker", ms: 4000 });
    await waitForStarts(app, "timeout-start", 1);
    const queued = await app.emitOne("timeout-start", { tag: "queued" });
    const [run] = await waitForEnded(server, [queued.id], app.fnId("timeout-start"));
    expect(run).toMatchObject({ status: "Cancelled", status_reason: "timeouts.start: not started within 1s" });
    const waited = ms(run?.ended_at ?? null) - ms(run?.queued_at as string);
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(3000);
    expect(run?.run_started_at).toBeNull();
    const [first] = await waitForEnded(server, [blocker.id], app.fnId("timeout-start"));
    expect(first?.status).toBe("Completed");
    expect((await app.flowStats()).intervals["timeout-start"]?.map((s) => s[2])).toEqual(["blocker"]);
  });

  it("timeouts.finish: a run still going 1s after it started is cancelled with the reason", async () => {
    const { id } = await app.emitOne("timeout-finish", {});
    const [run] = await waitForEnded(server, [id], app.fnId("timeout-finish"));
    expect(run).toMatchObject({ status: "Cancelled", status_reason: "timeouts.finish: not finished within 1s" });
    const ran = ms(run?.ended_at ?? null) - ms(run?.run_started_at ?? null);
    expect(ran).toBeGreaterThanOrEqual(950);
    expect(ran).toBeLessThan(4000);
    expect((await getRun(server, run?.run_id as string)).status).toBe("Cancelled");
    await sleep(4500);
    // The step after the 5s sleep never ran.
    expect((await app.flowStats()).intervals["timeout-finish"]?.map((s) => s[2])).toEqual([`${run?.run_id}:a`]);
  });
});
