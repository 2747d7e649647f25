import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";

import { createTestDatabase, skipWithoutDatabase, type TestDatabase } from "../support/db";
import { startFunctionApp, type FunctionApp } from "../support/function-app";
import { api, startServer, waitFor, type TestServer } from "../support/server";

// *.pg.test.ts files run in the postgres project only (vitest.config.ts).
const skip = await skipWithoutDatabase();

/** Two processes on one PostgreSQL database see each other's run changes on their websockets. */
describe.skipIf(skip)("live updates across processes on one PostgreSQL database", () => {
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let app: FunctionApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    a = await startServer({ database });
    b = await startServer({ database });
    app = await startFunctionApp(async () => {
      await new Promise((r) => setTimeout(r, 20));
      return { body: { ok: true } };
    });
  });
  afterAll(async () => {
    await app?.close();
    await a?.stop();
    await b?.stop();
    await database?.drop();
  });

  it("runs every event exactly once across both processes, and B's websocket hears about A's runs", async () => {
    const ws = new WebSocket(`${b.url.replace("http", "ws")}/api/v1/realtime`);
    const hinted = new Set<string>();
    ws.on("message", (raw: Buffer) => {
      const msg = JSON.parse(raw.toString()) as { type: string; hints?: { topic: string; id?: string; status?: string }[] };
      for (const h of msg.hints ?? []) if (h.topic === "runs" && h.status === "Completed" && h.id) hinted.add(h.id);
    });
    await new Promise<void>((resolve) => ws.on("open", () => resolve()));
    ws.send(JSON.stringify({ type: "subscribe", topics: ["runs"] }));

    const created = await api(a, "POST", "/api/v1/functions", {
      name: "shared",
      triggers: [{ event: "shared.go" }],
      url: app.url,
    });
    expect(created.status).toBe(201);
    // B learns about the new function through the registry version it polls.
    await waitFor(async () => (await api<{ data: { id: string }[] }>(b, "GET", "/api/v1/functions")).body.data.length === 1);
    await new Promise((r) => setTimeout(r, 1200));

    const events = Array.from({ length: 60 }, (_, i) => ({ name: "shared.go", data: { i } }));
    const sent = await api<{ ids: string[] }>(a, "POST", "/e/key", events);
    expect(sent.status).toBe(200);

    const runIds = await waitFor(
      async () => {
        const ids: string[] = [];
        for (const id of sent.body.ids) {
          const runs = await api<{ data: { run_id: string; status: string }[] }>(b, "GET", `/v1/events/${id}/runs`);
          if (runs.body.data.length !== 1 || runs.body.data[0]?.status !== "Completed") return null;
          ids.push(runs.body.data[0].run_id);
        }
        return ids;
      },
      30_000,
      "all runs completed",
    );
    expect(new Set(runIds).size).toBe(60);
    expect(app.calls).toHaveLength(60);
    expect(new Set(app.calls.map((c) => c.headers["x-stepwise-run-id"])).size).toBe(60);
    // Hints for runs completed by either process reach B's socket.
    await waitFor(() => Promise.resolve(runIds.every((id) => hinted.has(id))), 5000, "hints for every run on B");
    ws.close();
  });
});
