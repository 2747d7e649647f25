import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { FunctionDto } from "@/lib/contracts/functions";

import { skipWithoutDatabase } from "../support/db";
import { startFunctionApp, type FunctionApp } from "../support/function-app";
import { api, startServer, waitFor, type TestServer } from "../support/server";
import { endedRun, register, runsOf, send, sleep, unique, type ErrorBody } from "./helpers";

/** The REST registry: /api/v1/functions and /api/v1/functions/<id>. */
const skip = await skipWithoutDatabase();

describe.skipIf(skip)("HTTP function registry", () => {
  let server: TestServer;
  let app: FunctionApp;

  beforeAll(async () => {
    [server, app] = await Promise.all([startServer(), startFunctionApp((c) => ({ body: { path: c.path } }))]);
  });
  afterAll(async () => {
    await Promise.all([server?.dispose(), app?.close()]);
  });

  it("POST registers a function: 201 with the stored function, then GET lists it and GET <id> returns it", async () => {
    const created = await api<FunctionDto>(server, "POST", "/api/v1/functions", {
      name: "Send Welcome Email",
      url: `${app.url}/welcome`,
      triggers: [
        { event: "user.created" },
        { event: "user.invited", expression: "event.data.plan == 'pro'" },
        { cron: "0 9 * * *" },
      ],
      retries: 2,
      timeout: "10s",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: "send-welcome-email",
      name: "Send Welcome Email",
      kind: "http",
      appId: null,
      url: `${app.url}/welcome`,
      triggers: [
        { event: "user.created" },
        { event: "user.invited", expression: "event.data.plan == 'pro'" },
        { cron: "0 9 * * *" },
      ],
      config: { retries: 2, timeout: 10_000 },
      paused: false,
    });
    expect(Date.parse(created.body.createdAt)).toBeGreaterThan(0);

    const list = await api<{ data: FunctionDto[] }>(server, "GET", "/api/v1/functions");
    expect(list.status).toBe(200);
    expect(list.body.data.find((f) => f.id === "send-welcome-email")).toEqual(created.body);

    const one = await api<{ id: string }>(server, "GET", "/api/v1/functions/send-welcome-email");
    expect(one.status).toBe(200);
    expect(one.body).toEqual(created.body);
  });

  it("an explicit id is kept; a duplicate id is a 409 conflict naming id", async () => {
    await register(server, { name: "first", id: "fixed-id", url: `${app.url}/a`, triggers: [{ event: "x" }] });
    const again = await api<ErrorBody>(server, "POST", "/api/v1/functions", {
      name: "second",
      id: "fixed-id",
      url: `${app.url}/b`,
      triggers: [{ event: "x" }],
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: "conflict", status: 409, field: "id" });
    // Same slug from the name is a conflict too.
    const slug = await api<ErrorBody>(server, "POST", "/api/v1/functions", {
      name: "Fixed ID",
      url: `${app.url}/c`,
      triggers: [{ event: "x" }],
    });
    expect(slug.status).toBe(409);
    // Racing registrations of one id: exactly one wins, the others get 409 (never a 500).
    const racing = await Promise.all(
      Array.from({ length: 6 }, () =>
        api(server, "POST", "/api/v1/functions", { name: "racer", url: `${app.url}/r`, triggers: [{ event: "x" }] }),
      ),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
  });

  it("PUT replaces the definition and routing follows at once; DELETE removes it", async () => {
    const before = unique("put.before");
    const after = unique("put.after");
    await register(server, { name: "changing", url: `${app.url}/v1`, triggers: [{ event: before }] });
    const put = await api<FunctionDto>(server, "PUT", "/api/v1/functions/changing", {
      name: "changing",
      url: `${app.url}/v2`,
      triggers: [{ event: after }],
      retries: 0,
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      id: "changing",
      url: `${app.url}/v2`,
      triggers: [{ event: after }],
      config: { retries: 0 },
    });

    const [oldEvent] = await send(server, { name: before });
    const [newEvent] = await send(server, { name: after });
    const run = await endedRun(server, newEvent as string);
    expect(run.output).toEqual({ path: "/v2" });
    await sleep(300);
    expect(await runsOf(server, oldEvent as string)).toEqual([]);

    const mismatch = await api<ErrorBody>(server, "PUT", "/api/v1/functions/changing", {
      name: "changing",
      id: "other",
      url: `${app.url}/v2`,
      triggers: [{ event: after }],
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.field).toBe("id");

    const del = await api(server, "DELETE", "/api/v1/functions/changing");
    expect(del.status).toBe(200);
    expect((await api(server, "GET", "/api/v1/functions/changing")).status).toBe(404);
    const [afterDelete] = await send(server, { name: after });
    await sleep(300);
    expect(await runsOf(server, afterDelete as string)).toEqual([]);
  });

  it("GET, PUT and DELETE of an unknown id answer 404", async () => {
    const body = { name: "ghost", url: `${app.url}/g`, triggers: [{ event: "g" }] };
    for (const [method, payload] of [
      ["GET", undefined],
      ["PUT", body],
      ["DELETE", undefined],
    ] as const) {
      const res = await api<ErrorBody>(server, method, "/api/v1/functions/nope", payload);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: "not_found", status: 404 });
    }
  });

  const base = { name: "valid", triggers: [{ event: "a" }], url: "http://127.0.0.1:4000/fn" };
  it.each([
    ["missing name", { ...base, name: undefined }, "name"],
    ["empty name", { ...base, name: " " }, "name"],
    ["missing url", { ...base, url: undefined }, "url"],
    ["a url that is not http(s)", { ...base, url: "ftp://127.0.0.1/fn" }, "url"],
    ["a url that is not a url", { ...base, url: "localhost:4000" }, "url"],
    ["no triggers", { ...base, triggers: undefined }, "triggers"],
    ["empty triggers", { ...base, triggers: [] }, "triggers"],
    ["a trigger that is neither", { ...base, triggers: [{ when: "now" }] }, "triggers[0]"],
    ["an empty event name", { ...base, triggers: [{ event: "" }] }, "triggers[0].event"],
    [
      "an invalid expression",
      { ...base, triggers: [{ event: "a", expression: "event.data.amount >" }] },
      "triggers[0].expression",
    ],
    ["a bad cron", { ...base, triggers: [{ cron: "every monday" }] }, "triggers[0].cron"],
    ["a cron in an unknown zone", { ...base, triggers: [{ cron: "TZ=Moon/Base 0 9 * * *" }] }, "triggers[0].cron"],
    ["a bad timeout duration", { ...base, timeout: "a while" }, "timeout"],
    ["a negative timeout", { ...base, timeout: -1 }, "timeout"],
    ["a bad throttle period", { ...base, throttle: { limit: 1, period: "soon" } }, "throttle.period"],
    ["too many retries", { ...base, retries: 100 }, "retries"],
    ["an unknown field", { ...base, colour: "blue" }, "colour"],
    ["an unknown trigger field", { ...base, triggers: [{ event: "a", expresion: "true" }] }, "triggers[0].expresion"],
    ["an id with spaces", { ...base, id: "my function" }, "id"],
  ])("refuses %s with 400 naming the field, and stores nothing", async (_label, body, field) => {
    const before = await api<{ data: FunctionDto[] }>(server, "GET", "/api/v1/functions");
    const res = await api<ErrorBody>(server, "POST", "/api/v1/functions", body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, code: "invalid_field", field });
    expect(res.body.error).toContain(field);
    const after = await api<{ data: FunctionDto[] }>(server, "GET", "/api/v1/functions");
    expect(after.body.data).toEqual(before.body.data);
  });

  it("refuses bodies that are not JSON objects", async () => {
    expect((await api<ErrorBody>(server, "POST", "/api/v1/functions", "{")).body.code).toBe("invalid_json");
    expect((await api<ErrorBody>(server, "POST", "/api/v1/functions", "")).body.code).toBe("invalid_json");
    expect((await api<ErrorBody>(server, "POST", "/api/v1/functions", "[]")).status).toBe(400);
  });

  it("a registered function is routable by the very next request", async () => {
    // No waiting between the 201 and the event: routing must already know the function.
    for (let i = 0; i < 5; i++) {
      const name = unique("immediate");
      await register(server, { name, id: name, url: `${app.url}/now`, triggers: [{ event: name }] });
      const [id] = await send(server, { name });
      await waitFor(async () => (await runsOf(server, id as string)).length === 1, 5000, "the run");
    }
  });
});
