import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { EventDetail, EventList } from "@/lib/contracts/events";
import type { RunList } from "@/lib/contracts/runs";

import { skipWithoutDatabase } from "../support/db";
import { startFunctionApp, type FunctionApp } from "../support/function-app";
import { api, startServer, waitFor, type TestServer } from "../support/server";

const skip = await skipWithoutDatabase();

/**
 * The dashboard's events API: the live list (name filter, internal events, CEL search, `after`),
 * the detail with the runs an event started, sending (validated as /e/<key>) and replay.
 */
describe.skipIf(skip)("dashboard events API", () => {
  let server: TestServer;
  let app: FunctionApp;

  beforeAll(async () => {
    server = await startServer();
    app = await startFunctionApp(() => ({ body: { ok: true } }));
    const res = await api(server, "POST", "/api/v1/functions", {
      name: "on-signup",
      triggers: [{ event: "user/signed.up" }],
      url: `${app.url}/fn`,
    });
    expect(res.status).toBe(201);
  });
  afterAll(async () => {
    await app?.close();
    await server?.dispose();
  });

  const list = async (query = "") => {
    const res = await api<EventList>(server, "GET", `/api/v1/events${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  it("sends events validated exactly as /e/<key>, lists them newest first and shows the runs each started", async () => {
    const sent = await api<{ ids: string[]; status: number }>(server, "POST", "/api/v1/events", [
      { name: "user/signed.up", data: { userId: "1", note: "<script>alert(1)</script>" } },
      { name: "audit/logged", data: { by: "ada" } },
    ]);
    expect(sent.status).toBe(200);
    expect(sent.body.ids).toHaveLength(2);
    const [signup, audit] = sent.body.ids as [string, string];

    const bad = await api<{ field: string; code: string; error: string }>(server, "POST", "/api/v1/events", [
      { name: "ok" },
      { data: {} },
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: "invalid_field", field: "events[1].name" });
    const badData = await api<{ field: string }>(server, "POST", "/api/v1/events", { name: "x", data: [1] });
    expect(badData.body.field).toBe("data");
    expect((await api(server, "POST", "/api/v1/events", "{not json")).status).toBe(400);
    // nothing from the rejected requests was stored
    expect((await list()).data.map((e) => e.id)).toEqual([audit, signup]);

    const detail = await waitFor(async () => {
      const d = (await api<EventDetail>(server, "GET", `/api/v1/events/${signup}`)).body;
      return d.runs[0]?.status === "Completed" ? d : null;
    });
    expect(detail.event).toMatchObject({
      id: signup,
      name: "user/signed.up",
      data: { userId: "1", note: "<script>alert(1)</script>" },
    });
    expect(detail.runs).toEqual([
      expect.objectContaining({ functionId: "on-signup", functionName: "on-signup", status: "Completed" }),
    ]);

    const page = await list();
    expect(page.data[1]).toMatchObject({ id: signup, name: "user/signed.up", runCount: 1 });
    expect(page.data[1]?.preview).toContain('"userId":"1"');
    expect(page.data[0]).toMatchObject({ id: audit, runCount: 0 });
    expect((await api(server, "GET", "/api/v1/events/01ARZ3NDEKTSV4RRFFQ69G5FAV")).status).toBe(404);
  });

  it("hides the engine's inngest/* events unless asked, filters by name, searches with CEL and answers what is newer", async () => {
    const withInternal = await list("?internal=1");
    expect(withInternal.data.some((e) => e.name === "inngest/function.finished")).toBe(true);
    expect((await list()).data.every((e) => !e.name.startsWith("inngest/"))).toBe(true);

    const named = await list(`?name=${encodeURIComponent("audit/logged")}`);
    expect(named.data.map((e) => e.name)).toEqual(["audit/logged"]);
    const searched = await list(`?q=${encodeURIComponent('event.data.userId == "1"')}`);
    expect(searched.data.map((e) => e.name)).toEqual(["user/signed.up"]);
    expect(searched.search?.complete).toBe(true);
    expect((await api<{ field: string }>(server, "GET", `/api/v1/events?q=${encodeURIComponent("((")}`)).body.field).toBe("q");

    const newest = (await list()).data[0]!.id;
    const [later] = (await api<{ ids: string[] }>(server, "POST", "/e/k", { name: "audit/logged", data: { by: "bob" } })).body
      .ids;
    expect((await list(`?after=${newest}`)).data.map((e) => e.id)).toEqual([later]);

    const names = (await api<{ data: string[] }>(server, "GET", "/api/v1/events/names")).body.data;
    expect(names).toEqual(expect.arrayContaining(["audit/logged", "user/signed.up"]));
  });

  it("pages events with a cursor", async () => {
    const all = (await list("?internal=1&limit=200")).data.map((e) => e.id);
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page: EventList = await list(`?internal=1&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      walked.push(...page.data.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(walked).toEqual(all);
  });

  it("lists each event's runs with runs=1: a batch run under every event of the batch, a skipped run with its reason", async () => {
    for (const fn of [
      {
        name: "import",
        triggers: [{ event: "rows/uploaded" }],
        url: `${app.url}/import`,
        batchEvents: { maxSize: 3, timeout: "5s" },
      },
      {
        name: "digest",
        triggers: [{ event: "digest/requested" }],
        url: `${app.url}/digest`,
        rateLimit: { limit: 1, period: "1m", key: "event.data.user" },
      },
    ])
      expect((await api(server, "POST", "/api/v1/functions", fn)).status).toBe(201);
    const send = async (events: unknown) => (await api<{ ids: string[] }>(server, "POST", "/e/k", events)).body.ids;
    const rows = await send([1, 2, 3].map((n) => ({ name: "rows/uploaded", data: { n } })));
    const digests = await send([1, 2].map(() => ({ name: "digest/requested", data: { user: "ada" } })));

    const page = await waitFor(async () => {
      const p = await list("?runs=1&limit=5");
      return p.data.every((e) => e.runCount === 1) ? p : null;
    });
    const byId = new Map(page.data.map((e) => [e.id, e]));
    const batchRun = byId.get(rows[0]!)?.runs?.[0];
    expect(batchRun).toMatchObject({ functionId: "import", functionName: "import" });
    for (const id of rows) expect(byId.get(id)?.runs?.map((r) => r.id)).toEqual([batchRun?.id]);
    expect(byId.get(digests[0]!)?.runs?.[0]).toMatchObject({ functionId: "digest", statusReason: null });
    expect(byId.get(digests[1]!)?.runs?.[0]).toMatchObject({ functionId: "digest", status: "Skipped" });
    expect(byId.get(digests[1]!)?.runs?.[0]?.statusReason).toContain("rateLimit");
    // without runs=1 the list carries the counts only
    const plain = await list("?limit=5");
    expect(plain.data.map((e) => [e.id, e.runCount, e.runs])).toEqual(page.data.map((e) => [e.id, 1, undefined]));

    // the detail of a later event of the batch lists the batch run; a skipped run keeps its reason
    const third = (await api<EventDetail>(server, "GET", `/api/v1/events/${rows[2]}`)).body;
    expect(third.runs.map((r) => r.id)).toEqual([batchRun?.id]);
    const skipped = (await api<EventDetail>(server, "GET", `/api/v1/events/${digests[1]}`)).body;
    expect(skipped.runs[0]?.statusReason).toContain("more than 1 run per 1m");
  });

  it("replays an event as a new event that starts its own run", async () => {
    const original = (await list(`?name=${encodeURIComponent("user/signed.up")}`)).data[0]!;
    const replay = await api<{ ids: string[] }>(server, "POST", `/api/v1/events/${original.id}/replay`);
    expect(replay.status).toBe(200);
    const copy = replay.body.ids[0]!;
    expect(copy).not.toBe(original.id);
    const detail = await waitFor(async () => {
      const d = (await api<EventDetail>(server, "GET", `/api/v1/events/${copy}`)).body;
      return d.runs.length ? d : null;
    });
    expect(detail.event).toMatchObject({ name: "user/signed.up", data: { userId: "1", note: "<script>alert(1)</script>" } });
    const runs = (await api<RunList>(server, "GET", "/api/v1/runs?functionId=on-signup")).body.data;
    expect(runs.map((r) => r.eventId)).toEqual(expect.arrayContaining([original.id, copy]));
    expect((await api(server, "POST", "/api/v1/events/01ARZ3NDEKTSV4RRFFQ69G5FAV/replay")).status).toBe(404);
  });
});
