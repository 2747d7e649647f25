import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { AppDto } from "@/lib/contracts/apps";
import type { EventDetail } from "@/lib/contracts/events";
import type { RerunResult, RunDetail, RunList } from "@/lib/contracts/runs";

import { skipWithoutDatabase } from "../support/db";
import { startFunctionApp, type FunctionApp } from "../support/function-app";
import { sendEvents, startSdkApp, waitForRun, type SdkApp } from "../support/sdk-app";
import { api, startServer, waitFor, type TestServer } from "../support/server";

const skip = await skipWithoutDatabase();

/**
 * The dashboard's runs API (`/api/v1/runs…`) against a real server and real runs of plain HTTP
 * functions: keyset pages, filters, the bounded CEL search, live-update queries (`after`,
 * `ids`), the run detail with steps and attempts, cancel, rerun and rerun from a step.
 */
describe.skipIf(skip)("dashboard runs API", () => {
  let server: TestServer;
  let app: FunctionApp;
  const release: (() => void)[] = [];

  beforeAll(async () => {
    server = await startServer();
    app = await startFunctionApp(async (call) => {
      if (call.path === "/flaky")
        return call.body.attempt < 2
          ? {
              status: 500,
              body: {
                name: "UpstreamError",
                message: `boom ${call.body.attempt}`,
                stack: "UpstreamError: boom\n    at x.js:1:1",
              },
            }
          : { body: { charged: true, attempt: call.body.attempt } };
      if (call.path === "/hold") {
        await new Promise<void>((r) => release.push(r));
        return { body: { released: true } };
      }
      if (call.path === "/fail") return { status: 400, body: { name: "ValidationError", message: "bad amount" } };
      return { body: { user: call.body.event.data.userId ?? null } };
    });
    const fns = [
      { name: "greet", triggers: [{ event: "user/signed.up" }], url: `${app.url}/ok` },
      { name: "charge", triggers: [{ event: "billing/due" }], url: `${app.url}/flaky`, retries: 3 },
      { name: "validate", triggers: [{ event: "shop/order" }], url: `${app.url}/fail`, retries: 0 },
      { name: "hold", triggers: [{ event: "work/hold" }], url: `${app.url}/hold`, retries: 0, timeout: 60_000 },
    ];
    for (const fn of fns) expect((await api(server, "POST", "/api/v1/functions", fn)).status).toBe(201);
  });
  afterAll(async () => {
    for (const r of release) r();
    await app?.close();
    await server?.dispose();
  });

  const list = async (query: string) => {
    const res = await api<RunList>(server, "GET", `/api/v1/runs${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const send = async (events: unknown) => (await api<{ ids: string[] }>(server, "POST", "/e/key", events)).body.ids;
  const settled = (query: string, n: number) =>
    waitFor(async () => {
      const page = await list(query);
      return page.data.length >= n && page.data.every((r) => ["Completed", "Failed", "Cancelled"].includes(r.status))
        ? page
        : null;
    }, 30_000);

  it("lists runs newest first with keyset pages, and filters by status, function and time", async () => {
    const before = Date.now();
    await send(Array.from({ length: 7 }, (_, i) => ({ name: "user/signed.up", data: { userId: String(i) } })));
    await send({ name: "shop/order", data: { amount: -1 } });
    await settled("?functionId=greet", 7);
    await settled("?functionId=validate", 1);

    const all = await list("?limit=100");
    expect(all.data.length).toBe(8);
    const ids = all.data.map((r) => r.id);
    expect([...ids].sort().reverse()).toEqual(ids);
    expect(all.data[0]).toMatchObject({
      functionId: "validate",
      functionName: "validate",
      trigger: "shop/order",
      status: "Failed",
    });

    // Walk three pages of three: every run once, in order, then no cursor.
    const walked: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 5; i++) {
      const page: RunList = await list(`?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      walked.push(...page.data.map((r) => r.id));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    expect(walked).toEqual(ids);
    expect(cursor).toBeNull();

    expect((await list("?status=Failed")).data.map((r) => r.functionId)).toEqual(["validate"]);
    expect((await list("?status=Completed,Failed")).data).toHaveLength(8);
    expect((await list("?functionId=greet")).data).toHaveLength(7);
    expect((await list("?functionId=greet&status=Failed")).data).toHaveLength(0);
    expect((await list("?functionId=greet,validate&status=Failed,Completed&limit=4")).data.map((r) => r.id)).toEqual(
      ids.slice(0, 4),
    );
    expect((await list(`?from=${before}`)).data).toHaveLength(8);
    expect((await list(`?to=${before}`)).data).toHaveLength(0);
    expect((await list(`?from=${new Date(Date.now() + 60_000).toISOString()}`)).data).toHaveLength(0);
    expect((await list("?appId=no-such-app")).data).toHaveLength(0);

    // Live updates: what is newer than a run, and exactly some runs.
    const newer = await list(`?after=${ids[3]}`);
    expect(newer.data.map((r) => r.id)).toEqual(ids.slice(0, 3));
    const exact = await list(`?ids=${ids[1]},${ids[5]}`);
    expect(exact.data.map((r) => r.id)).toEqual([ids[1], ids[5]]);

    const bad = await api<{ field: string; code: string }>(server, "GET", "/api/v1/runs?status=Nope");
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("status[0]");
    expect((await api<{ field: string }>(server, "GET", "/api/v1/runs?limit=0")).body.field).toBe("limit");
  });

  it("searches runs with CEL over the trigger event and the output, and names a bad expression", async () => {
    const hits = await list(`?q=${encodeURIComponent('event.data.userId == "3"')}`);
    expect(hits.data).toHaveLength(1);
    expect(hits.search).toEqual({ scanned: expect.any(Number) as number, complete: true });
    const byOutput = await list(`?q=${encodeURIComponent('output.user == "5"')}`);
    expect(byOutput.data).toHaveLength(1);
    const combined = await list(`?functionId=validate&q=${encodeURIComponent("event.data.amount < 0")}`);
    expect(combined.data.map((r) => r.functionId)).toEqual(["validate"]);
    const none = await list(`?q=${encodeURIComponent('event.data.userId == "nobody"')}`);
    expect(none.data).toHaveLength(0);
    expect(none.nextCursor).toBeNull();

    // The database pre-filter for `event.data.x == "literal"` keeps exactly what CEL would match:
    // LIKE wildcards in the literal are literal, and case still matters.
    await send([
      { name: "user/signed.up", data: { userId: "50%_off" } },
      { name: "user/signed.up", data: { userId: "5000 off" } },
      { name: "user/signed.up", data: { userId: "ABC" } },
    ]);
    await settled(`?q=${encodeURIComponent('event.data.userId == "ABC"')}`, 1);
    expect((await list(`?q=${encodeURIComponent('event.data.userId == "50%_off"')}`)).data).toHaveLength(1);
    expect((await list(`?q=${encodeURIComponent("event.data.userId == 'abc'")}`)).data).toHaveLength(0);
    const both = '"ABC" == event.data["userId"] && event.name == "user/signed.up"';
    expect((await list(`?q=${encodeURIComponent(both)}`)).data).toHaveLength(1);
    const negated = 'event.data.userId != "ABC" && event.data.userId.startsWith("50")';
    expect((await list(`?q=${encodeURIComponent(negated)}`)).data).toHaveLength(2);
    const events = await api<{ data: unknown[] }>(
      server,
      "GET",
      `/api/v1/events?q=${encodeURIComponent('event.data.userId == "50%_off"')}`,
    );
    expect(events.body.data).toHaveLength(1);

    const bad = await api<{ code: string; field: string; error: string }>(
      server,
      "GET",
      `/api/v1/runs?q=${encodeURIComponent("event.data ==")}`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: "invalid_expression", field: "q" });
  });

  it("shows a run's attempts as step rows with outputs and errors, and its trigger event", async () => {
    const [eventId] = await send({ name: "billing/due", data: { userId: "42", amount: 4900 } });
    const run = await waitFor(async () => {
      const r = (await list("?functionId=charge")).data[0];
      return r?.status === "Completed" ? r : null;
    }, 30_000);
    const detail = (await api<RunDetail>(server, "GET", `/api/v1/runs/${run.id}`)).body;
    expect(detail.run).toMatchObject({
      id: run.id,
      status: "Completed",
      output: { charged: true, attempt: 2 },
      eventIds: [eventId],
    });
    expect(detail.function).toMatchObject({ id: "charge", kind: "http", maxAttempts: 4, paused: false });
    expect(detail.steps.map((s) => [s.op, s.status, s.attempt])).toEqual([
      ["Call", "Errored", 0],
      ["Call", "Errored", 1],
      ["Call", "Completed", 2],
    ]);
    expect(detail.steps[0]?.error).toMatchObject({ name: "HTTPError", message: expect.stringContaining("boom 0") as string });
    expect(detail.steps[2]?.output).toEqual({ charged: true, attempt: 2 });
    expect(detail.events).toEqual([
      expect.objectContaining({ id: eventId, name: "billing/due", data: { userId: "42", amount: 4900 } }),
    ]);
    expect(detail.pending).toEqual([]);

    const missing = await api<{ code: string }>(server, "GET", "/api/v1/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV");
    expect(missing.status).toBe(404);
  });

  it("cancels a running run: the call in flight is ignored and nothing runs again", async () => {
    await send({ name: "work/hold", data: { job: 1 } });
    const run = await waitFor(async () => {
      const r = (await list("?functionId=hold")).data[0];
      return r?.status === "Running" ? r : null;
    });
    const inFlight = (await api<RunDetail>(server, "GET", `/api/v1/runs/${run.id}`)).body;
    expect(inFlight.pending).toEqual([expect.objectContaining({ state: "running", kind: "exec" })]);

    const cancelled = await api<RunDetail & { cancelled: boolean }>(server, "POST", `/api/v1/runs/${run.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.cancelled).toBe(true);
    expect(cancelled.body.run).toMatchObject({ status: "Cancelled", statusReason: "cancelled from the dashboard" });
    const calls = app.calls.filter((c) => c.path === "/hold").length;
    for (const r of release.splice(0)) r();
    await new Promise((r) => setTimeout(r, 500));
    const after = (await api<RunDetail>(server, "GET", `/api/v1/runs/${run.id}`)).body;
    expect(after.run.status).toBe("Cancelled");
    expect(after.run.output).toBeNull();
    expect(app.calls.filter((c) => c.path === "/hold").length).toBe(calls);

    // Cancelling again changes nothing and is not an error.
    const again = await api<{ cancelled: boolean }>(server, "POST", `/api/v1/runs/${run.id}/cancel`);
    expect(again.status).toBe(200);
    expect(again.body.cancelled).toBe(false);
  });

  it("says why a queued run waits: a full concurrency slot, in the list and on the run's page", async () => {
    const fn = {
      name: "one-at-a-time",
      triggers: [{ event: "work/serial" }],
      url: `${app.url}/hold`,
      retries: 0,
      concurrency: 1,
    };
    expect((await api(server, "POST", "/api/v1/functions", fn)).status).toBe(201);
    await send({ name: "work/serial", data: { n: 1 } });
    await waitFor(async () => (await list("?functionId=one-at-a-time")).data[0]?.status === "Running");
    await send({ name: "work/serial", data: { n: 2 } });
    const queued = await waitFor(async () => (await list("?functionId=one-at-a-time&status=Queued")).data[0]);
    expect(queued.statusReason).toBe("concurrency: waiting for a free slot (limit 1)");
    const detail = (await api<RunDetail>(server, "GET", `/api/v1/runs/${queued.id}`)).body;
    expect(detail.run.statusReason).toBe("concurrency: waiting for a free slot (limit 1)");

    for (const r of release.splice(0)) r();
    const started = await waitFor(async () => {
      const r = (await list(`?ids=${queued.id}`)).data[0];
      return r && r.status !== "Queued" ? r : null;
    });
    expect(started.statusReason).toBeNull();
    for (const r of release.splice(0)) r();
  });

  it("reruns a run with the same event, and from a step; refuses while the function is paused", async () => {
    const original = (await list("?functionId=greet&limit=1")).data[0]!;
    const rerun = await api<RerunResult>(server, "POST", `/api/v1/runs/${original.id}/rerun`);
    expect(rerun.status).toBe(201);
    expect(rerun.body).toMatchObject({ originRunId: original.id, fromStepId: null, memoized: 0 });
    const done = await waitFor(async () => {
      const d = (await api<RunDetail>(server, "GET", `/api/v1/runs/${rerun.body.id}`)).body;
      return d.run.status === "Completed" ? d : null;
    });
    expect(done.run).toMatchObject({ originRunId: original.id, eventIds: [original.eventId], trigger: "user/signed.up" });
    const origin = (await api<RunDetail>(server, "GET", `/api/v1/runs/${original.id}`)).body;
    expect(origin.reruns.map((r) => r.id)).toContain(rerun.body.id);

    const step = origin.steps[0]!;
    const fromStep = await api<RerunResult>(server, "POST", `/api/v1/runs/${original.id}/rerun`, { fromStepId: step.id });
    expect(fromStep.status).toBe(201);
    expect(fromStep.body).toMatchObject({ originRunId: original.id, fromStepId: step.hashedId, memoized: 0 });
    const fromDetail = (await api<RunDetail>(server, "GET", `/api/v1/runs/${fromStep.body.id}`)).body;
    expect(fromDetail.run).toMatchObject({ originRunId: original.id, originStepId: step.hashedId, originStepName: "POST /ok" });

    const badStep = await api<{ field: string }>(server, "POST", `/api/v1/runs/${original.id}/rerun`, { fromStepId: "nope" });
    expect(badStep.status).toBe(400);
    expect(badStep.body.field).toBe("fromStepId");
    const badBody = await api<{ field: string }>(server, "POST", `/api/v1/runs/${original.id}/rerun`, { from: 1 });
    expect(badBody.status).toBe(400);

    expect((await api(server, "POST", "/api/v1/functions/greet/pause")).status).toBe(200);
    const paused = await api<{ code: string; error: string }>(server, "POST", `/api/v1/runs/${original.id}/rerun`);
    expect(paused.status).toBe(409);
    expect(paused.body.error).toContain("paused");
    expect((await api(server, "POST", "/api/v1/functions/greet/resume")).status).toBe(200);
  });
});

/**
 * Why a run is where it is, with the real SDK (tests/support/sdk-fixture-app.mjs): a Running
 * run's sub-state (sleeping, waiting) in the list and the detail, the event that resumed a
 * waitForEvent, the event whose cancelOn cancelled a run, and both listed on the event's page.
 */
describe.skipIf(skip)("dashboard runs API: sub-states and the events that resume or cancel runs", () => {
  let server: TestServer;
  let app: SdkApp;

  beforeAll(async () => {
    server = await startServer();
    app = await startSdkApp({ version: 4, serverUrl: server.url, appId: "why" });
    const added = await api<AppDto>(server, "POST", "/api/v1/apps", { url: app.url });
    if (added.body.syncError) throw new Error(added.body.syncError);
  });
  afterAll(async () => {
    await app?.stop();
    await server?.dispose();
  });

  const send = async (name: string, data: Record<string, unknown>) =>
    (await sendEvents(server, { name: app.ev(name), data }))[0] as string;
  const detail = async (id: string) => (await api<RunDetail>(server, "GET", `/api/v1/runs/${id}`)).body;
  const listed = async (id: string) => (await api<RunList>(server, "GET", `/api/v1/runs?ids=${id}`)).body.data[0];
  const eventDetail = async (id: string) => {
    const res = await api<EventDetail>(server, "GET", `/api/v1/events/${id}`);
    expect(res.status).toBe(200);
    return res.body;
  };

  it("a waiting run says what it waits for; the event that resumes it is on the step and lists the run", async () => {
    const trigger = await send("wait", { id: "why-1" });
    const running = await waitForRun(server, trigger, "why-waiter", ["Running"]);
    const waiting = await waitFor(async () => {
      const row = await listed(running.run_id);
      return row?.subState ? row : null;
    });
    expect(waiting.subState).toMatchObject({ kind: "Waiting", target: app.ev("approved") });
    expect(Date.parse(waiting.subState?.until as string)).toBeGreaterThan(Date.now() + 50 * 60_000);
    // the same in the full list (one query for the page) and in the detail
    const page = (await api<RunList>(server, "GET", "/api/v1/runs?functionId=why-waiter&status=Running")).body.data;
    expect(page.find((r) => r.id === running.run_id)?.subState).toEqual(waiting.subState);
    expect((await detail(running.run_id)).run.subState).toEqual(waiting.subState);

    const other = await send("approved", { id: "someone-else" });
    const approval = await send("approved", { id: "why-1", by: "Ada" });
    expect((await waitForRun(server, trigger, "why-waiter")).status).toBe("Completed");
    const done = await detail(running.run_id);
    expect(done.run.subState).toBeNull();
    expect(done.run.cancelledBy).toBeNull();
    const wait = done.steps.find((s) => s.op === "WaitForEvent");
    expect(wait?.resolvedBy).toEqual({ id: approval, name: app.ev("approved") });
    expect(done.steps.filter((s) => s.resolvedBy).length).toBe(1);
    expect((await listed(running.run_id))?.subState).toBeNull();

    const resumer = await eventDetail(approval);
    expect(resumer.runs).toEqual([]);
    expect(resumer.cancelled).toEqual([]);
    expect(resumer.resumed).toMatchObject([
      { id: running.run_id, functionId: "why-waiter", status: "Completed", stepName: "approval" },
    ]);
    expect((await eventDetail(other)).resumed).toEqual([]);
  });

  it("a sleeping run says until when; the event whose cancelOn cancelled it is on the run and lists it", async () => {
    const trigger = await send("cancellable", { id: "why-2", mode: "sleep" });
    const running = await waitForRun(server, trigger, "why-cancellable", ["Running"]);
    const sleeping = await waitFor(async () => (await detail(running.run_id)).run.subState);
    expect(sleeping).toMatchObject({ kind: "Sleeping", target: null });
    expect(Date.parse(sleeping.until as string)).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect((await listed(running.run_id))?.subState).toEqual(sleeping);

    const cancel = await send("cancel", { id: "why-2" });
    expect((await waitForRun(server, trigger, "why-cancellable")).status).toBe("Cancelled");
    const cancelled = await detail(running.run_id);
    expect(cancelled.run.cancelledBy).toEqual({ id: cancel, name: app.ev("cancel") });
    expect(cancelled.run.subState).toBeNull();
    expect(cancelled.steps.every((s) => s.resolvedBy === null)).toBe(true);
    const canceller = await eventDetail(cancel);
    expect(canceller.cancelled).toMatchObject([{ id: running.run_id, functionId: "why-cancellable", status: "Cancelled" }]);
    expect(canceller.resumed).toEqual([]);

    // cancelled from the dashboard instead: no event is named
    const second = await send("cancellable", { id: "why-3", mode: "sleep" });
    const run2 = await waitForRun(server, second, "why-cancellable", ["Running"]);
    await waitFor(async () => (await detail(run2.run_id)).run.subState);
    expect((await api(server, "POST", `/api/v1/runs/${run2.run_id}/cancel`)).status).toBe(200);
    expect((await detail(run2.run_id)).run).toMatchObject({ status: "Cancelled", cancelledBy: null, subState: null });
  });
});
