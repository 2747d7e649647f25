import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";

import type { V1Event, V1Run } from "@/lib/contracts/v1";

import { skipWithoutDatabase } from "../support/db";
import { startFunctionApp, type FunctionApp } from "../support/function-app";
import { api, startServer, waitFor, type TestServer } from "../support/server";
import { endedRun, register, send, unique, type ErrorBody } from "./helpers";

/** The Inngest-compatible REST API (/v1/events, /v1/runs), the front page and the realtime socket. */
const skip = await skipWithoutDatabase();

describe.skipIf(skip)("REST API, front page and realtime", () => {
  let server: TestServer;
  let app: FunctionApp;

  beforeAll(async () => {
    [server, app] = await Promise.all([startServer(), startFunctionApp((c) => ({ body: { echoed: c.body.event.data } }))]);
  });
  afterAll(async () => {
    await Promise.all([server?.dispose(), app?.close()]);
  });

  it("GET /v1/events lists newest first, filters by name and pages with a cursor", async () => {
    const name = unique("listed");
    const ids = await send(
      server,
      Array.from({ length: 7 }, (_, i) => ({ name, data: { i } })),
    );
    await send(server, { name: unique("other") });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `/v1/events?name=${name}&limit=3${cursor ? `&cursor=${cursor}` : ""}`;
      const res = await api<{ data: V1Event[]; cursor: string | null }>(server, "GET", q);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(3);
      for (const e of res.body.data) expect(e.name).toBe(name);
      seen.push(...res.body.data.map((e) => e.id));
      cursor = res.body.cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
    const all = await api<{ data: V1Event[] }>(server, "GET", "/v1/events?limit=2");
    expect(all.body.data).toHaveLength(2);
  });

  it("GET /v1/events refuses a bad limit naming it", async () => {
    for (const limit of ["0", "501", "ten"]) {
      const res = await api<ErrorBody>(server, "GET", `/v1/events?limit=${limit}`);
      expect(res.status).toBe(400);
      expect(res.body.field).toBe("limit");
    }
  });

  it("GET /v1/events/<id>, /v1/events/<id>/runs and /v1/runs/<id> in Inngest's shapes", async () => {
    const name = unique("shaped");
    await register(server, { name, id: name, url: `${app.url}/shaped`, triggers: [{ event: name }] });
    const [id] = await send(server, { name, data: { a: 1 }, user: { id: "u1" } });
    const event = await api<{ data: V1Event }>(server, "GET", `/v1/events/${id}`);
    expect(event.body.data).toMatchObject({ id, internal_id: id, name, data: { a: 1 }, user: { id: "u1" } });
    expect(Date.parse(event.body.data.received_at)).toBeGreaterThan(0);

    const run = await endedRun(server, id as string);
    expect(Object.keys(run).sort()).toEqual(
      [
        "run_id",
        "function_id",
        "status",
        "status_reason",
        "output",
        "error",
        "event_id",
        "queued_at",
        "run_started_at",
        "ended_at",
      ].sort(),
    );
    expect(run).toMatchObject({
      function_id: name,
      status: "Completed",
      output: { echoed: { a: 1 } },
      error: null,
      event_id: id,
    });
    const one = await api<{ data: V1Run }>(server, "GET", `/v1/runs/${run.run_id}`);
    expect(one.body.data).toEqual(run);

    for (const path of [`/v1/events/01UNKNOWNEVENT`, `/v1/events/01UNKNOWNEVENT/runs`, `/v1/runs/01UNKNOWNRUN`]) {
      const res = await api<ErrorBody>(server, "GET", path);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe("not_found");
    }
  });

  it("the front page lists recent events and runs with their status", async () => {
    const name = unique("front");
    await register(server, { name, id: name, url: `${app.url}/front`, triggers: [{ event: name }] });
    const [id] = await send(server, { name, data: { shown: "on the page" } });
    const run = await endedRun(server, id as string);
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain("Recent runs");
    expect(html).toContain("Recent events");
    expect(html).toContain(`data-run-id="${run.run_id}"`);
    expect(html).toContain(`data-event-id="${id}"`);
    expect(html).toContain(name);
    expect(html).toContain("Completed");
  });

  it("the realtime socket hints subscribers about new events and run changes", async () => {
    const name = unique("live");
    await register(server, { name, id: name, url: `${app.url}/live`, triggers: [{ event: name }] });
    const socket = new WebSocket(`${server.url.replace("http", "ws")}/api/v1/realtime`);
    const messages: { type: string; hints?: { topic: string; id?: string; status?: string }[] }[] = [];
    socket.on("message", (raw: Buffer) => messages.push(JSON.parse(raw.toString()) as (typeof messages)[number]));
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
    socket.send(JSON.stringify({ type: "subscribe", topics: ["runs", "events"] }));
    await waitFor(() => Promise.resolve(messages.some((m) => m.type === "subscribed")), 5000);

    const [id] = await send(server, { name });
    const run = await endedRun(server, id as string);
    const hints = () => messages.flatMap((m) => m.hints ?? []);
    await waitFor(
      () => Promise.resolve(hints().some((h) => h.topic === "runs" && h.id === run.run_id && h.status === "Completed")),
      5000,
    );
    expect(hints().some((h) => h.topic === "events")).toBe(true);
    // Nothing for topics not subscribed to.
    expect(hints().every((h) => h.topic === "runs" || h.topic === "events")).toBe(true);
    socket.close();

    // Other websocket paths are not ours.
    const stranger = new WebSocket(`${server.url.replace("http", "ws")}/not-realtime`);
    const outcome = await new Promise<string>((resolve) => {
      stranger.once("open", () => resolve("open"));
      stranger.once("error", () => resolve("refused"));
      stranger.once("unexpected-response", () => resolve("refused"));
    });
    stranger.terminate();
    expect(outcome).toBe("refused");
  });
});
