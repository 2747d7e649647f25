import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { V1Event } from "@/lib/contracts/v1";

import { skipWithoutDatabase } from "../support/db";
import { startFunctionApp, type FunctionApp } from "../support/function-app";
import { api, startServer, type TestServer } from "../support/server";
import { countRows, endedRun, execute, eventsNamed, register, runsOf, send, sleep, unique, type ErrorBody } from "./helpers";

/** POST /e/<key>: shapes, defaults, id dedupe, limits, and all-or-nothing validation. */
const skip = await skipWithoutDatabase();

describe.skipIf(skip)("event API", () => {
  let server: TestServer;
  let small: TestServer;
  let app: FunctionApp;

  beforeAll(async () => {
    [server, small, app] = await Promise.all([
      startServer(),
      // The limit comes from the environment here (flags are covered by the unit tests).
      startServer({ env: { STEPWISE_MAX_REQUEST_BYTES: "2048" } }),
      startFunctionApp((call) => ({ body: { seen: call.body.event.id } })),
    ]);
  });
  afterAll(async () => {
    await Promise.all([server?.dispose(), small?.dispose(), app?.close()]);
  });

  /** Sends a raw body; answers status and JSON. */
  const post = (body: string | undefined, target: TestServer = server, headers: Record<string, string> = {}) =>
    api<ErrorBody & { ids?: string[] }>(target, "POST", "/e/test-key", body, headers);

  it("accepts one event, stores it with defaults, and answers {ids, status: 200}", async () => {
    const name = unique("one");
    const before = Date.now();
    const res = await api<{ ids: string[]; status: number }>(server, "POST", "/e/test-key", { name });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ids: [expect.any(String)], status: 200 });
    const stored = await api<{ data: V1Event }>(server, "GET", `/v1/events/${res.body.ids[0]}`);
    expect(stored.status).toBe(200);
    expect(stored.body.data).toMatchObject({ id: res.body.ids[0], name, data: {}, v: null, external_id: null });
    expect(stored.body.data.ts).toBeGreaterThanOrEqual(before);
    expect(stored.body.data.ts).toBeLessThanOrEqual(Date.now());
  });

  it("accepts an array, keeping order and every field", async () => {
    const name = unique("many");
    const ids = await send(server, [
      { name, data: { n: 1 }, user: { email: "a@example.com" }, ts: 1_700_000_000_000, v: "2024-01-01.1" },
      { name, data: { n: 2 } },
      { name, data: { n: 3 } },
    ]);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
    const first = await api<{ data: V1Event }>(server, "GET", `/v1/events/${ids[0]}`);
    expect(first.body.data).toMatchObject({
      name,
      data: { n: 1 },
      user: { email: "a@example.com" },
      ts: 1_700_000_000_000,
      v: "2024-01-01.1",
    });
    const stored = await eventsNamed(server, name);
    expect(stored.map((e) => e.id).sort()).toEqual([...ids].sort());
    for (const [i, id] of ids.entries()) expect(stored.find((e) => e.id === id)?.data).toEqual({ n: i + 1 });
  });

  it("accepts 5,000 events in one request, and refuses 5,001 storing nothing", async () => {
    const name = unique("bulk");
    const ids = await send(
      server,
      Array.from({ length: 5000 }, (_, i) => ({ name, data: { i } })),
    );
    expect(ids).toHaveLength(5000);
    expect(new Set(ids).size).toBe(5000);
    expect(await eventsNamed(server, name)).toHaveLength(5000);

    const over = unique("over");
    const res = await post(JSON.stringify(Array.from({ length: 5001 }, () => ({ name: over }))));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, code: "invalid_request", field: "events" });
    expect(await eventsNamed(server, over)).toHaveLength(0);
  });

  it("a repeated id within 24 h is accepted, answers the original id, and is neither stored nor run again", async () => {
    const name = unique("dedupe");
    await register(server, { name, id: name, url: `${app.url}/dedupe`, triggers: [{ event: name }] });
    const [original] = await send(server, { name, id: "order-42", data: { first: true } });
    const [again] = await send(server, { name, id: "order-42", data: { first: false } });
    expect(again).toBe(original);
    // Within one request too, and mixed with new events.
    const inOne = await send(server, [{ name, id: "order-43" }, { name, id: "order-42" }, { name, id: "order-43" }, { name }]);
    expect(inOne[1]).toBe(original);
    expect(inOne[2]).toBe(inOne[0]);
    expect(new Set(inOne).size).toBe(3);

    const stored = await eventsNamed(server, name);
    expect(stored).toHaveLength(3);
    expect(stored.find((e) => e.id === original)?.data).toEqual({ first: true });
    expect(stored.find((e) => e.id === original)?.external_id).toBe("order-42");
    await endedRun(server, original as string);
    await sleep(300);
    expect(await runsOf(server, original as string)).toHaveLength(1);
    expect(app.calls.filter((c) => c.body.event.name === name)).toHaveLength(3);
  });

  it("after the 24 h window an id is new again", async () => {
    const name = unique("window");
    const [first] = await send(server, { name, id: "daily-report" });
    // Age the remembered id past its window (the test cannot wait a day).
    await execute(server, `UPDATE event_idempotency SET expires_at = ? WHERE key = ?`, [Date.now() - 1, "daily-report"]);
    const [second] = await send(server, { name, id: "daily-report" });
    expect(second).not.toBe(first);
    const [third] = await send(server, { name, id: "daily-report" });
    expect(third).toBe(second);
    expect((await eventsNamed(server, name)).map((e) => e.id).sort()).toEqual([first, second].sort());
  });

  it("requests racing with the same id agree on one event and one run", async () => {
    const name = unique("race");
    await register(server, { name, id: name, url: `${app.url}/race`, triggers: [{ event: name }] });
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => send(server, { name, id: "same-id", data: { i } })));
    const ids = new Set(answers.flat());
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(await eventsNamed(server, name)).toHaveLength(1);
    await endedRun(server, id as string);
    await sleep(300);
    expect(app.calls.filter((c) => c.body.event.name === name)).toHaveLength(1);
  });

  it("one bad event rejects the whole request, naming its field, and nothing is stored or run", async () => {
    const name = unique("atomic");
    await register(server, { name, id: name, url: `${app.url}/atomic`, triggers: [{ event: name }] });
    const res = await post(JSON.stringify([{ name, data: { ok: 1 } }, { name: "" }, { name }]));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "invalid_field", status: 400, field: "events[1].name" });
    expect(res.body.error).toMatch(/events\[1\]\.name/);
    const second = await post(JSON.stringify([{ name }, { name, data: [1] }]));
    expect(second.body.field).toBe("events[1].data");
    // A bad id after a good one must not leave the good one's id claimed either.
    const third = await post(
      JSON.stringify([
        { name, id: "claimed?" },
        { name, ts: "now" },
      ]),
    );
    expect(third.body.field).toBe("events[1].ts");
    expect(await eventsNamed(server, name)).toHaveLength(0);
    const [fresh] = await send(server, { name, id: "claimed?" });
    expect((await eventsNamed(server, name)).map((e) => e.id)).toEqual([fresh]);
    await endedRun(server, fresh as string);
    expect(app.calls.filter((c) => c.body.event.name === name)).toHaveLength(1);
  });

  it.each([
    ["not JSON", "{name: nope", 400, "invalid_json", undefined],
    ["an empty body", "", 400, "invalid_json", undefined],
    ["whitespace", "   ", 400, "invalid_json", undefined],
    ["a string", JSON.stringify("user.created"), 400, "invalid_field", undefined],
    ["a number as name", JSON.stringify({ name: 7 }), 400, "invalid_field", "name"],
    ["no name", JSON.stringify({ data: {} }), 400, "invalid_field", "name"],
    ["an empty name", JSON.stringify({ name: "" }), 400, "invalid_field", "name"],
    ["data as an array", JSON.stringify({ name: "x", data: [] }), 400, "invalid_field", "data"],
    ["data as a string", JSON.stringify({ name: "x", data: "y" }), 400, "invalid_field", "data"],
    ["ts as a string", JSON.stringify({ name: "x", ts: "2024-01-01" }), 400, "invalid_field", "ts"],
    ["v as a number", JSON.stringify({ name: "x", v: 1 }), 400, "invalid_field", "v"],
    ["a non-object in an array", JSON.stringify([{ name: "x" }, 3]), 400, "invalid_field", "events[1]"],
  ])("refuses %s with its error and stores nothing", async (_label, body, status, code, field) => {
    const before = await countRows(server, "events");
    const res = await post(body);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ status, code });
    expect(res.body.error.length).toBeGreaterThan(0);
    expect(res.body.field).toBe(field);
    expect(await countRows(server, "events")).toBe(before);
  });

  it("refuses a body over the limit with 413 (512 KiB by default; configurable) and stores nothing", async () => {
    const name = unique("big");
    const before = await countRows(server, "events");
    const justUnder = JSON.stringify({ name, data: { pad: "x".repeat(512 * 1024 - 200) } });
    expect(Buffer.byteLength(justUnder)).toBeLessThan(512 * 1024);
    expect((await post(justUnder)).status).toBe(200);
    const over = JSON.stringify({ name, data: { pad: "x".repeat(512 * 1024) } });
    const res = await post(over);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ status: 413, code: "payload_too_large" });
    expect(await countRows(server, "events")).toBe(before + 1);

    // This server was started with STEPWISE_MAX_REQUEST_BYTES=2048.
    const smallName = unique("small");
    expect((await post(JSON.stringify({ name: smallName, data: { pad: "x".repeat(1500) } }), small)).status).toBe(200);
    const tooBig = await post(JSON.stringify({ name: smallName, data: { pad: "x".repeat(2100) } }), small);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error).toMatch(/2048 bytes/);
    expect(await eventsNamed(small, smallName)).toHaveLength(1);
  });

  it("takes any key in dev mode, including ones that need escaping", async () => {
    for (const key of ["100%25", "a%20b", "caf%C3%A9"]) {
      const res = await api<{ ids: string[] }>(server, "POST", `/e/${key}`, { name: unique("keys") });
      expect(res.status).toBe(200);
    }
  });

  it("answers 405 to other methods on /e/<key>", async () => {
    const res = await api<ErrorBody>(server, "GET", "/e/test-key");
    expect(res.status).toBe(405);
    expect(res.body.code).toBe("method_not_allowed");
  });
});
