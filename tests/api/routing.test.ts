import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { skipWithoutDatabase } from "../support/db";
import { startFunctionApp, type FunctionApp } from "../support/function-app";
import { api, startServer, type TestServer } from "../support/server";
import { endedRuns, register, runsOf, send, sleep, unique, type ErrorBody } from "./helpers";

/** Routing events to functions: exact names, both wildcard styles, CEL expressions, fan-out. */
const skip = await skipWithoutDatabase();

describe.skipIf(skip)("routing", () => {
  let server: TestServer;
  let app: FunctionApp;
  const p = unique("route"); // a namespace so other tests' events never match these triggers

  beforeAll(async () => {
    [server, app] = await Promise.all([startServer(), startFunctionApp((c) => ({ body: { fn: c.body.function_id } }))]);
    const fn = (id: string, triggers: unknown[]) => register(server, { name: id, id, url: `${app.url}/${id}`, triggers });
    await fn("exact", [{ event: `${p}.user.created` }]);
    await fn("dots", [{ event: `${p}.user.*` }]);
    await fn("slashes", [{ event: `${p}/user/*` }]);
    await fn("big-orders", [{ event: `${p}.order.paid`, expression: "event.data.amount > 100" }]);
    await fn("any-order", [{ event: `${p}.order.paid` }]);
    await fn("several", [{ event: `${p}.invoice.sent` }, { event: `${p}.invoice.paid`, expression: "event.data.late == true" }]);
    // Two triggers that both match one event still start one run.
    await fn("overlap", [{ event: `${p}.user.created` }, { event: `${p}.user.*` }]);
  });
  afterAll(async () => {
    await Promise.all([server?.dispose(), app?.close()]);
  });

  /** Sends one event and answers which functions ran for it (sorted). */
  async function routedTo(name: string, data: Record<string, unknown> = {}, expected: number): Promise<string[]> {
    const [id] = await send(server, { name, data });
    if (expected === 0) {
      await sleep(400);
      expect(await runsOf(server, id as string)).toEqual([]);
      return [];
    }
    const runs = await endedRuns(server, id as string, expected);
    for (const r of runs) {
      expect(r.status).toBe("Completed");
      expect(r.output).toEqual({ fn: r.function_id });
    }
    // Each function got its own run and its own call.
    expect(new Set(runs.map((r) => r.run_id)).size).toBe(runs.length);
    const calls = app.calls.filter((c) => c.body.event.id === id);
    expect(calls.map((c) => c.path.slice(1)).sort()).toEqual(runs.map((r) => r.function_id).sort());
    return runs.map((r) => r.function_id).sort();
  }

  it("exact names, and the wildcard `prefix.*` on the same event: one run per function", async () => {
    expect(await routedTo(`${p}.user.created`, {}, 3)).toEqual(["dots", "exact", "overlap"]);
  });

  it("`user.*` matches by the prefix before the star", async () => {
    expect(await routedTo(`${p}.user.deleted`, {}, 2)).toEqual(["dots", "overlap"]);
    expect(await routedTo(`${p}.user.profile.updated`, {}, 2)).toEqual(["dots", "overlap"]);
    expect(await routedTo(`${p}.users.created`, {}, 0)).toEqual([]);
  });

  it("`user/*` matches slash-style names", async () => {
    expect(await routedTo(`${p}/user/signed-up`, {}, 1)).toEqual(["slashes"]);
    expect(await routedTo(`${p}/users/signed-up`, {}, 0)).toEqual([]);
  });

  it("an expression decides per event: true runs, false does not", async () => {
    expect(await routedTo(`${p}.order.paid`, { amount: 250 }, 2)).toEqual(["any-order", "big-orders"]);
    expect(await routedTo(`${p}.order.paid`, { amount: 40 }, 1)).toEqual(["any-order"]);
    // A missing field is "no match", not an error.
    expect(await routedTo(`${p}.order.paid`, {}, 1)).toEqual(["any-order"]);
  });

  it("a function with several triggers runs for each, with each trigger's own expression", async () => {
    expect(await routedTo(`${p}.invoice.sent`, {}, 1)).toEqual(["several"]);
    expect(await routedTo(`${p}.invoice.paid`, { late: true }, 1)).toEqual(["several"]);
    expect(await routedTo(`${p}.invoice.paid`, { late: false }, 0)).toEqual([]);
  });

  it("an event with no matching function is stored and starts nothing", async () => {
    expect(await routedTo(`${p}.nobody.listens`, {}, 0)).toEqual([]);
  });

  it("a batch fans out per event", async () => {
    const ids = await send(server, [
      { name: `${p}.order.paid`, data: { amount: 500 } },
      { name: `${p}.order.paid`, data: { amount: 5 } },
      { name: `${p}/user/x` },
    ]);
    expect((await endedRuns(server, ids[0] as string, 2)).map((r) => r.function_id).sort()).toEqual(["any-order", "big-orders"]);
    expect((await endedRuns(server, ids[1] as string, 1)).map((r) => r.function_id)).toEqual(["any-order"]);
    expect((await endedRuns(server, ids[2] as string, 1)).map((r) => r.function_id)).toEqual(["slashes"]);
  });

  it("an invalid expression is refused at registration with 400 naming the field", async () => {
    const res = await api<ErrorBody>(server, "POST", "/api/v1/functions", {
      name: "broken",
      url: `${app.url}/broken`,
      triggers: [{ event: `${p}.x` }, { event: `${p}.y`, expression: "event.data.amount >>> 1" }],
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "invalid_field", field: "triggers[1].expression" });
    expect(res.body.error).toMatch(/invalid expression/);
    expect((await api(server, "GET", "/api/v1/functions/broken")).status).toBe(404);
  });
});
