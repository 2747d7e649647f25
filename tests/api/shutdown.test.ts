import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { skipWithoutDatabase } from "../support/db";
import { startFunctionApp, type FunctionApp } from "../support/function-app";
import { api, startServer, waitFor, type TestServer } from "../support/server";
import { query, register, sleep } from "./helpers";

/**
 * Graceful shutdown on SIGTERM: the server stops taking work, answers the requests it has,
 * lets calls in flight finish within the grace period (or hands them back to the queue when
 * they take longer), and loses nothing: after a restart every run ends exactly once.
 */
const skip = await skipWithoutDatabase();

describe.skipIf(skip)("graceful shutdown", () => {
  let app: FunctionApp;
  const servers: TestServer[] = [];
  beforeAll(async () => {
    // "/slow" answers its first call per event after 6 s (longer than any shutdown may take),
    // and repeated calls at once.
    const seen = new Set<string>();
    app = await startFunctionApp((c) => {
      if (c.path !== "/slow") return { delayMs: 800, body: { path: c.path } };
      const first = !seen.has(c.body.event.id);
      seen.add(c.body.event.id);
      return { delayMs: first ? 6000 : 0, body: { path: c.path } };
    });
  });
  afterAll(async () => {
    for (const s of servers) await s.dispose();
    await app?.close();
  });

  const runsOf = (server: TestServer, fnId: string) =>
    query<{ id: string; status: string; event_id: string }>(
      server,
      `SELECT id, status, event_id FROM runs WHERE function_id = ?`,
      [fnId],
    );

  it("calls in flight finish before the process exits, and events sent meanwhile are kept", async () => {
    const server = await startServer({ args: ["--shutdown-grace-ms", "8000"] });
    servers.push(server);
    await register(server, { name: "finishing", url: `${app.url}/finish`, triggers: [{ event: "shutdown/finish" }] });
    const [ids] = await Promise.all([
      api<{ ids: string[] }>(
        server,
        "POST",
        "/e/test-key",
        Array.from({ length: 20 }, (_, i) => ({ name: "shutdown/finish", data: { i } })),
      ),
    ]);
    expect(ids.status).toBe(200);
    await waitFor(
      () => Promise.resolve(app.calls.filter((c) => c.path === "/finish").length === 20),
      10_000,
      "all 20 calls in flight",
    );

    // Keep sending while the server shuts down: whatever is answered 200 must be stored.
    const accepted: string[] = [];
    let stop = false;
    const sender = (async () => {
      while (!stop) {
        const res = await api<{ ids: string[] }>(server, "POST", "/e/test-key", { name: "shutdown/late" }).catch(() => null);
        if (res?.status === 200) accepted.push(...res.body.ids);
        else if (!res) break;
      }
    })();
    await sleep(50);
    const stoppedAt = Date.now();
    await server.stop();
    const tookMs = Date.now() - stoppedAt;
    stop = true;
    await sender;
    expect(server.logs()).not.toMatch(/"level":50/); // no errors logged while shutting down
    // It waited for the 800 ms calls (not the whole grace period).
    expect(tookMs).toBeLessThan(6000);

    const restarted = await server.restart();
    servers.push(restarted);
    const runs = await runsOf(restarted, "finishing");
    expect(runs).toHaveLength(20);
    expect(runs.every((r) => r.status === "Completed")).toBe(true);
    expect(app.calls.filter((c) => c.path === "/finish")).toHaveLength(20); // none had to be repeated
    const stored = await query<{ id: string }>(restarted, `SELECT id FROM events WHERE name = 'shutdown/late'`);
    expect(new Set(stored.map((e) => e.id))).toEqual(new Set(accepted));
    await restarted.stop();
  }, 60_000);

  it("calls that outlast the grace period are handed back and run again after a restart", async () => {
    const server = await startServer({ args: ["--shutdown-grace-ms", "300"] });
    servers.push(server);
    await register(server, { name: "outlasting", url: `${app.url}/slow`, triggers: [{ event: "shutdown/slow" }] });
    const res = await api<{ ids: string[] }>(
      server,
      "POST",
      "/e/test-key",
      Array.from({ length: 5 }, () => ({ name: "shutdown/slow" })),
    );
    expect(res.status).toBe(200);
    await waitFor(
      () => Promise.resolve(app.calls.filter((c) => c.path === "/slow").length === 5),
      10_000,
      "all 5 calls in flight",
    );
    const stoppedAt = Date.now();
    await server.stop();
    expect(Date.now() - stoppedAt).toBeLessThan(4500); // did not wait for the 6 s calls
    expect(server.logs()).not.toMatch(/"level":50/); // cutting the calls is not an error

    // Handed back: nothing is leased, and the runs did not end.
    const items = await query<{ state: number; lease_owner: string | null }>(
      server,
      `SELECT state, lease_owner FROM queue_items WHERE function_id = 'outlasting'`,
    );
    expect(items).toHaveLength(5);
    expect(items.every((i) => Number(i.state) === 0 && i.lease_owner === null)).toBe(true);
    expect((await runsOf(server, "outlasting")).every((r) => r.status === "Running")).toBe(true);
    const steps = await query(
      server,
      `SELECT id FROM steps WHERE run_id IN (SELECT id FROM runs WHERE function_id = 'outlasting')`,
    );
    expect(steps).toEqual([]); // the cut calls left no error behind

    const restarted = await server.restart();
    servers.push(restarted);
    await waitFor(
      async () => (await runsOf(restarted, "outlasting")).filter((r) => r.status === "Completed").length === 5,
      20_000,
      "the handed-back runs to complete",
    );
    const runs = await runsOf(restarted, "outlasting");
    expect(runs).toHaveLength(5);
    expect(app.calls.filter((c) => c.path === "/slow")).toHaveLength(10); // each called again once
  }, 60_000);
});
