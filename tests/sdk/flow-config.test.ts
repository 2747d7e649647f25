import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { AppDto } from "@/lib/contracts/apps";

import { skipWithoutDatabase } from "../support/db";
import { maxOverlap, startFlowApp, waitForEnded, type FlowApp } from "../support/flow";
import { startFunctionApp, type FunctionApp } from "../support/function-app";
import { sendEvents } from "../support/sdk-app";
import { api, startServer, type TestServer } from "../support/server";

const skip = await skipWithoutDatabase();

interface ErrorBody {
  error: string;
  code: string;
  field?: string;
}

// Flow-control configuration: refused with the field named when an SDK app syncs (in-band and
// through /fn/register) or an HTTP function is registered over REST; and the same options
// enforced for HTTP functions.
describe.skipIf(skip).concurrent("flow control: configuration", () => {
  let server: TestServer;
  let fnApp: FunctionApp;
  const apps: FlowApp[] = [];

  beforeAll(async () => {
    server = await startServer();
    fnApp = await startFunctionApp(async (call) => {
      await new Promise((r) => setTimeout(r, 200));
      return { body: { user: call.body.event.data.user ?? null } };
    });
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await fnApp?.close();
    await server?.dispose();
  });

  const badSdkConfigs: [string, string, RegExp][] = [
    ["cel", "concurrency.key", /invalid expression "event.data.user =="/],
    ["limit", "throttle.limit", /at least 1/],
    ["period", "rateLimit.period", /"5 fortnights" is not a duration/],
    ["debounce-period", "debounce.period", /"soon" is not a duration/],
    ["batch-size", "batchEvents.maxSize", /./],
    ["priority-cel", "priority.run", /invalid expression/],
  ];

  it.each(badSdkConfigs)("SDK sync refuses a bad %s, naming the function and field", async (bad, field, message) => {
    const app = await startFlowApp(server, { version: 4, appId: `bad-${bad}`, bad, checkpointing: false });
    apps.push(app);
    const fnIndex = "functions[";
    // Out-of-band: the SDK posts /fn/register and reports the server's answer.
    const put = await fetch(app.url, { method: "PUT" });
    const answer = (await put.json()) as { message: string };
    expect(put.status).toBe(400);
    expect(answer.message).toContain(`"${app.appId}-bad"`);
    expect(answer.message).toContain(field);
    expect(answer.message).toMatch(message);
    // In-band: the sync is recorded as failed on the app, with the same reason.
    const synced = await api<AppDto>(server, "POST", "/api/v1/apps", { url: app.url });
    expect(synced.body.syncError).toContain(field);
    expect(synced.body.syncError).toContain(fnIndex);
    const fns = await api<{ data: { appId: string | null }[] }>(server, "GET", "/api/v1/functions");
    expect(fns.body.data.filter((f) => f.appId === app.appId)).toEqual([]);
  });

  const badRestConfigs: [string, Record<string, unknown>, string, RegExp][] = [
    ["a bad CEL key", { concurrency: { limit: 2, key: "event.data.(" } }, "concurrency.key", /invalid expression/],
    ["a limit of 0", { throttle: { limit: 0, period: "1s" } }, "throttle.limit", /at least 1/],
    ["a concurrency limit of 0", { concurrency: 0 }, "concurrency", /./],
    ["a period that does not parse", { rateLimit: { limit: 1, period: "1 fortnight" } }, "rateLimit.period", /not a duration/],
    ["a rate-limit period over 24h", { rateLimit: { limit: 1, period: "25h" } }, "rateLimit.period", /longer than 24h/],
    ["a debounce period over 7d", { debounce: { period: "8d" } }, "debounce.period", /longer than 7d/],
    [
      "a debounce timeout that does not parse",
      { debounce: { period: "1s", timeout: "later" } },
      "debounce.timeout",
      /not a duration/,
    ],
    ["a batch of 0", { batchEvents: { maxSize: 0, timeout: "1s" } }, "batchEvents.maxSize", /./],
    ["an idempotency key that does not parse", { idempotency: "event.data.id +" }, "idempotency", /invalid expression/],
    ["a singleton mode", { singleton: { key: "event.data.id", mode: "queue" } }, "singleton.mode", /./],
    ["an account scope without a key", { concurrency: { limit: 1, scope: "account" } }, "concurrency", /needs a key/],
    ["a negative burst", { throttle: { limit: 1, period: "1s", burst: -1 } }, "throttle.burst", /negative/],
    ["a start timeout that does not parse", { timeouts: { start: "never" } }, "timeouts.start", /not a duration/],
    ["a priority that does not parse", { priority: { run: "event.data.p ?" } }, "priority.run", /invalid expression/],
  ];

  it.each(badRestConfigs)("POST /api/v1/functions refuses %s with the field named", async (_label, config, field, message) => {
    const res = await api<ErrorBody>(server, "POST", "/api/v1/functions", {
      name: "bad-config",
      triggers: [{ event: "flow/bad" }],
      url: `${fnApp.url}/fn`,
      ...config,
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toContain(field);
    expect(res.body.error).toMatch(message);
  });

  it("HTTP functions get the same rules: keyed concurrency and rate limit over REST", async () => {
    const created = await api(server, "POST", "/api/v1/functions", {
      id: "http-flow",
      name: "http flow",
      triggers: [{ event: "flow/http" }],
      url: `${fnApp.url}/http-flow`,
      concurrency: { limit: 1, key: "event.data.user" },
      rateLimit: { limit: 3, period: "1m", key: "event.data.user" },
    });
    expect(created.status).toBe(201);
    const ids = await sendEvents(server, [
      ...Array.from({ length: 4 }, () => ({ name: "flow/http", data: { user: "ann" } })),
      ...Array.from({ length: 3 }, () => ({ name: "flow/http", data: { user: "bob" } })),
    ]);
    const runs = await waitForEnded(server, ids, "http-flow");
    expect(runs.map((r) => r.status)).toEqual([
      "Completed",
      "Completed",
      "Completed",
      "Skipped",
      "Completed",
      "Completed",
      "Completed",
    ]);
    expect(runs[3]?.status_reason).toBe('rateLimit: more than 3 runs per 1m for key "ann"');
    // Calls to the endpoint: one at a time per user, both users side by side.
    const calls = fnApp.calls.filter((c) => c.path === "/http-flow");
    const spans = (user: string) =>
      calls.filter((c) => c.body.event.data.user === user).map((c) => [c.at, c.at + 200] as [number, number]);
    expect(maxOverlap(spans("ann"))).toBe(1);
    expect(maxOverlap(spans("bob"))).toBe(1);
    expect(maxOverlap([...spans("ann"), ...spans("bob")])).toBe(2);
  });

  it("HTTP functions get the same rules: a batch arrives as `events`", async () => {
    const created = await api(server, "POST", "/api/v1/functions", {
      id: "http-batch",
      name: "http batch",
      triggers: [{ event: "flow/http-batch" }],
      url: `${fnApp.url}/http-batch`,
      batchEvents: { maxSize: 3, timeout: "10s" },
    });
    expect(created.status).toBe(201);
    const ids = await sendEvents(
      server,
      [1, 2, 3].map((n) => ({ name: "flow/http-batch", data: { n } })),
    );
    const [run] = await waitForEnded(server, [ids[0] as string], "http-batch");
    expect(run?.status).toBe("Completed");
    const calls = fnApp.calls.filter((c) => c.path === "/http-batch");
    expect(calls).toHaveLength(1);
    expect((calls[0]?.body.events as { data: { n: number } }[]).map((e) => e.data.n)).toEqual([1, 2, 3]);
  });
});
