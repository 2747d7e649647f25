import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { skipWithoutDatabase } from "../support/db";
import { startFunctionApp, type FunctionApp } from "../support/function-app";
import { api, startServer, waitFor, type TestServer } from "../support/server";

const skip = await skipWithoutDatabase();

describe.skipIf(skip)("README walkthrough", () => {
  let server: TestServer;
  let app: FunctionApp;

  beforeAll(async () => {
    server = await startServer();
    app = await startFunctionApp((call) => ({ body: { greeted: call.body.event.data.user_id } }));
  });
  afterAll(async () => {
    await app?.close();
    await server?.dispose();
  });

  it("health, register, send, list — and the function's answer becomes the run's output", async () => {
    const health = await api<{ status: string; database: { ok: boolean } }>(server, "GET", "/health");
    expect(health.status).toBe(200);
    expect(health.body.database.ok).toBe(true);

    const created = await api<{ id: string; triggers: unknown[] }>(server, "POST", "/api/v1/functions", {
      name: "test-function",
      triggers: [{ event: "user.created" }],
      url: `${app.url}/fn`,
    });
    expect(created.status).toBe(201);
    expect(created.body.id).toBe("test-function");

    const sent = await api<{ ids: string[]; status: number }>(server, "POST", "/e/test-key", {
      name: "user.created",
      data: { user_id: "123" },
    });
    expect(sent.status).toBe(200);
    expect(sent.body.status).toBe(200);
    expect(sent.body.ids).toHaveLength(1);
    const eventId = sent.body.ids[0] as string;

    const list = await api<{ data: { id: string; triggers: unknown[] }[] }>(server, "GET", "/api/v1/functions");
    expect(list.body.data.map((f) => f.id)).toContain("test-function");

    const run = await waitFor(async () => {
      const runs = await api<{ data: { run_id: string; status: string; output: unknown; event_id: string }[] }>(
        server,
        "GET",
        `/v1/events/${eventId}/runs`,
      );
      const r = runs.body.data[0];
      return r?.status === "Completed" ? r : null;
    });
    expect(run.output).toEqual({ greeted: "123" });
    expect(run.event_id).toBe(eventId);
    expect(app.calls).toHaveLength(1);
    expect(app.calls[0]?.path).toBe("/fn");
    expect(app.calls[0]?.body.event.name).toBe("user.created");
    expect(app.calls[0]?.body.run_id).toBe(run.run_id);

    const single = await api<{ data: { status: string } }>(server, "GET", `/v1/runs/${run.run_id}`);
    expect(single.body.data.status).toBe("Completed");

    const home = await fetch(server.url + "/");
    const html = await home.text();
    expect(home.status).toBe(200);
    expect(html).toContain("test-function");
    expect(html).toContain(run.run_id);
    expect(html).toContain("user.created");
  });
});
