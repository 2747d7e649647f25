import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { CancellationDto } from "@/lib/contracts/cancellations";
import type { FunctionActivity, FunctionStats, InvokeResult } from "@/lib/contracts/functions";
import type { InfoDto, SearchHit } from "@/lib/contracts/info";
import type { RunDetail, RunList } from "@/lib/contracts/runs";

import { skipWithoutDatabase } from "../support/db";
import { startFunctionApp, type FunctionApp } from "../support/function-app";
import { api, startServer, waitFor, type TestServer } from "../support/server";

const skip = await skipWithoutDatabase();

/**
 * Functions in the dashboard API: stats, invoke, pause/resume, bulk cancellation
 * (`/v1/cancellations`, Inngest's shape), plus the top bar's info and search.
 */
describe.skipIf(skip)("dashboard functions API", () => {
  let server: TestServer;
  let app: FunctionApp;
  const release: (() => void)[] = [];

  beforeAll(async () => {
    server = await startServer();
    app = await startFunctionApp(async (call) => {
      if (call.path === "/hold") {
        await new Promise<void>((r) => release.push(r));
        return { body: { late: true } };
      }
      if (call.path === "/fail") return { status: 400, body: { message: "no" } };
      return { body: { got: call.body.event.data } };
    });
    for (const fn of [
      { name: "work", triggers: [{ event: "work/start" }], url: `${app.url}/ok` },
      { name: "broken", triggers: [{ event: "work/start" }], url: `${app.url}/fail`, retries: 0 },
      { name: "held", triggers: [{ event: "work/held" }], url: `${app.url}/hold`, retries: 0, concurrency: 1 },
    ])
      expect((await api(server, "POST", "/api/v1/functions", fn)).status).toBe(201);
  });
  afterAll(async () => {
    for (const r of release) r();
    await app?.close();
    await server?.dispose();
  });

  const runs = async (query: string) => (await api<RunList>(server, "GET", `/api/v1/runs${query}`)).body.data;

  it("counts runs per minute by outcome, per function and for the list", async () => {
    await api(server, "POST", "/e/k", [
      { name: "work/start", data: { n: 1 } },
      { name: "work/start", data: { n: 2 } },
    ]);
    await waitFor(async () => (await runs("?status=Completed,Failed")).length === 4);
    const stats = (await api<FunctionStats>(server, "GET", "/api/v1/functions/broken/stats?range=1h")).body;
    expect(stats).toMatchObject({
      functionId: "broken",
      range: "1h",
      bucketMs: 60_000,
      totals: { total: 2, failed: 2, completed: 0 },
    });
    expect(stats.buckets.length).toBeGreaterThanOrEqual(59);
    expect(stats.buckets.reduce((n, b) => n + b.failed, 0)).toBe(2);
    const day = (await api<FunctionStats>(server, "GET", "/api/v1/functions/work/stats?range=24h")).body;
    expect(day).toMatchObject({ bucketMs: 900_000, totals: { total: 2, completed: 2 } });
    expect((await api(server, "GET", "/api/v1/functions/work/stats?range=1y")).status).toBe(400);
    expect((await api(server, "GET", "/api/v1/functions/nope/stats")).status).toBe(404);

    const activity = (await api<FunctionActivity>(server, "GET", "/api/v1/stats/functions")).body.data;
    expect(activity).toEqual(
      expect.arrayContaining([
        { functionId: "work", total: 2, failed: 0, active: 0 },
        { functionId: "broken", total: 2, failed: 2, active: 0 },
      ]),
    );
  });

  it("invokes a function with a payload through inngest/function.invoked", async () => {
    const res = await api<InvokeResult>(server, "POST", "/api/v1/functions/work/invoke", { data: { hello: "world" } });
    expect(res.status).toBe(201);
    expect(res.body.runId).toBeTruthy();
    const detail = await waitFor(async () => {
      const d = (await api<RunDetail>(server, "GET", `/api/v1/runs/${res.body.runId}`)).body;
      return d.run.status === "Completed" ? d : null;
    });
    expect(detail.run).toMatchObject({ trigger: "invoke", functionId: "work", eventId: res.body.eventId });
    expect(detail.events[0]).toMatchObject({ name: "inngest/function.invoked" });
    expect((detail.run.output as { got: Record<string, unknown> }).got).toMatchObject({ hello: "world" });
    // only "work" was invoked, although "broken" shares its trigger
    expect((await runs("?functionId=broken")).length).toBe(2);

    expect((await api<{ field: string }>(server, "POST", "/api/v1/functions/work/invoke", { data: [] })).body.field).toBe("data");
    expect((await api(server, "POST", "/api/v1/functions/nope/invoke", {})).status).toBe(404);
  });

  it("pauses a function: its events are stored but start no runs, until it is resumed", async () => {
    const paused = await api<{ paused: boolean }>(server, "POST", "/api/v1/functions/work/pause");
    expect(paused.body.paused).toBe(true);
    expect((await api<{ paused: boolean }>(server, "GET", "/api/v1/functions/work")).body.paused).toBe(true);
    const [eventId] = (await api<{ ids: string[] }>(server, "POST", "/e/k", { name: "work/start", data: { n: 3 } })).body.ids;
    // the other function on the same trigger still runs: routing happened
    await waitFor(async () => (await runs(`?functionId=broken`)).length === 3);
    expect((await runs("?functionId=work")).filter((r) => r.eventId === eventId)).toHaveLength(0);
    expect((await api(server, "GET", `/api/v1/events/${eventId}`)).status).toBe(200);
    const invoke = await api<{ error: string }>(server, "POST", "/api/v1/functions/work/invoke", {});
    expect(invoke.status).toBe(409);

    expect((await api<{ paused: boolean }>(server, "POST", "/api/v1/functions/work/resume")).body.paused).toBe(false);
    const [next] = (await api<{ ids: string[] }>(server, "POST", "/e/k", { name: "work/start", data: { n: 4 } })).body.ids;
    await waitFor(async () => (await runs("?functionId=work")).some((r) => r.eventId === next));
  });

  it("cancels runs in bulk by time range and CEL, records the cancellation and lists it", async () => {
    const t0 = new Date(Date.now() - 1000).toISOString();
    await api(
      server,
      "POST",
      "/e/k",
      [1, 2, 3, 4].map((n) => ({ name: "work/held", data: { n, group: n % 2 ? "odd" : "even" } })),
    );
    // concurrency 1: one run is in flight, three wait in the queue
    await waitFor(async () => (await runs("?functionId=held&status=Queued,Running")).length === 4);

    const res = await api<CancellationDto>(server, "POST", "/v1/cancellations", {
      function_id: "held",
      started_after: t0,
      started_before: new Date(Date.now() + 60_000).toISOString(),
      if: 'event.data.group == "odd"',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ function_id: "held", if: 'event.data.group == "odd"', cancelled: 2 });
    const held = await runs("?functionId=held");
    const events = await Promise.all(held.map(async (r) => (await api<RunDetail>(server, "GET", `/api/v1/runs/${r.id}`)).body));
    for (const d of events) {
      const group = (d.events[0]?.data as { group: string }).group;
      if (group === "odd") expect(d.run).toMatchObject({ status: "Cancelled", statusReason: `bulk cancellation ${res.body.id}` });
      else expect(["Queued", "Running"]).toContain(d.run.status);
    }

    // Outside the range: nothing more is cancelled.
    const none = await api<CancellationDto>(server, "POST", "/v1/cancellations", { function_id: "held", started_before: t0 });
    expect(none.body.cancelled).toBe(0);
    const all = await api<CancellationDto>(server, "POST", "/v1/cancellations", { function_id: "held" });
    expect(all.body.cancelled).toBe(2);
    for (const r of release.splice(0)) r();

    const listed = (await api<{ data: CancellationDto[] }>(server, "GET", "/v1/cancellations?function_id=held")).body.data;
    expect(listed.map((c) => c.id)).toEqual([all.body.id, none.body.id, res.body.id]);

    const missing = await api<{ field: string }>(server, "POST", "/v1/cancellations", { started_after: t0 });
    expect(missing.status).toBe(400);
    expect(missing.body.field).toBe("function_id");
    const badIf = await api<{ field: string; code: string }>(server, "POST", "/v1/cancellations", {
      function_id: "held",
      if: "event.data ==",
    });
    expect(badIf.body).toMatchObject({ field: "if", code: "invalid_expression" });
    const badRange = await api<{ field: string }>(server, "POST", "/v1/cancellations", {
      function_id: "held",
      started_after: "2030-01-01T00:00:00Z",
      started_before: "2020-01-01T00:00:00Z",
    });
    expect(badRange.body.field).toBe("started_before");
    expect((await api(server, "POST", "/v1/cancellations", { function_id: "nope" })).status).toBe(404);
  });

  it("answers the server mode and finds runs, events and functions by id or name", async () => {
    const info = (await api<InfoDto>(server, "GET", "/api/v1/info")).body;
    expect(info).toMatchObject({ mode: "dev", version: expect.any(String) as string });
    expect(["sqlite", "postgres"]).toContain(info.dialect);

    const run = (await runs("?limit=1"))[0]!;
    const byRun = (await api<{ data: SearchHit[] }>(server, "GET", `/api/v1/search?q=${run.id.toLowerCase()}`)).body.data;
    expect(byRun[0]).toMatchObject({ kind: "run", id: run.id });
    const byEvent = (await api<{ data: SearchHit[] }>(server, "GET", `/api/v1/search?q=${run.eventId}`)).body.data;
    expect(byEvent).toEqual([expect.objectContaining({ kind: "event", id: run.eventId })]);
    const byName = (await api<{ data: SearchHit[] }>(server, "GET", "/api/v1/search?q=brok")).body.data;
    expect(byName).toEqual([expect.objectContaining({ kind: "function", id: "broken" })]);
    expect((await api<{ data: SearchHit[] }>(server, "GET", "/api/v1/search?q=")).body.data).toEqual([]);
  });
});
