import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { skipWithoutDatabase } from "../support/db";
import { startFunctionApp, type FunctionApp } from "../support/function-app";
import { startServer, waitFor, type TestServer } from "../support/server";
import { query, register, runsOf, send, sleep } from "./helpers";

/**
 * Several processes on one PostgreSQL database (a hosted instance): they share the work, see
 * each other's registry changes, and when one dies the others finish its runs, each exactly once.
 */
// *.pg.test.ts files run in the postgres project only (vitest.config.ts).
const skip = await skipWithoutDatabase();

describe.skipIf(skip)("several processes on one PostgreSQL database", () => {
  let a: TestServer;
  let b: TestServer;
  let app: FunctionApp;

  beforeAll(async () => {
    app = await startFunctionApp(() => ({ delayMs: 150, body: { ok: true } }));
    a = await startServer({ args: ["--lease-ms", "1500"] });
    b = await startServer({ args: ["--lease-ms", "1500"], database: { url: a.db, drop: () => Promise.resolve() } });
  });
  afterAll(async () => {
    await b?.dispose();
    await a?.dispose();
    await app?.close();
  });

  const callsDone = async (server: TestServer) => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    return Number(/^stepwise_step_call_duration_seconds_count\{kind="http"\} (\d+)$/m.exec(text)?.[1] ?? 0);
  };

  it("share the work, and finish a killed process's runs exactly once", async () => {
    await register(a, {
      name: "shared",
      url: `${app.url}/shared`,
      triggers: [{ event: "multi/test" }, { event: "multi/probe" }],
    });
    // The other process picks up the registry change by itself (within about a second).
    const started = Date.now();
    await waitFor(
      async () => {
        const [probe] = await send(b, { name: "multi/probe" });
        await sleep(100);
        return (await runsOf(b, probe as string)).length === 1;
      },
      10_000,
      "the other process to route to the new function",
    );
    expect(Date.now() - started).toBeLessThan(5000);

    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      ids.push(
        ...(await send(
          i % 2 ? a : b,
          Array.from({ length: 30 }, (_, n) => ({ name: "multi/test", data: { i, n } })),
        )),
      );
    }
    await waitFor(async () => (await callsDone(a)) > 20 && (await callsDone(b)) > 20, 20_000, "both processes to take work");
    await a.kill();

    await waitFor(
      async () => {
        const [row] = await query<{ n: number }>(
          b,
          `SELECT count(*) AS n FROM runs r JOIN events e ON e.id = r.event_id WHERE e.name = 'multi/test' AND r.status = 'Completed'`,
        );
        return Number(row?.n) === ids.length;
      },
      30_000,
      "every run to complete on the surviving process",
    );
    const runs = await query<{ event_id: string }>(
      b,
      `SELECT r.event_id FROM runs r JOIN events e ON e.id = r.event_id WHERE e.name = 'multi/test'`,
    );
    expect(runs).toHaveLength(ids.length);
    expect(new Set(runs.map((r) => r.event_id))).toEqual(new Set(ids));
    const calls = app.calls.filter((c) => c.body.event.name === "multi/test");
    const runsPerEvent = new Map<string, Set<string>>();
    for (const c of calls) runsPerEvent.set(c.body.event.id, (runsPerEvent.get(c.body.event.id) ?? new Set()).add(c.body.run_id));
    for (const set of runsPerEvent.values()) expect(set.size).toBe(1);
    const [left] = await query<{ n: number }>(b, `SELECT count(*) AS n FROM queue_items WHERE function_id = 'shared'`);
    expect(Number(left?.n)).toBe(0);
  }, 90_000);
});
