import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { skipWithoutDatabase } from "../support/db";
import { startFunctionApp, type FunctionApp } from "../support/function-app";
import { startServer, waitFor, type TestServer } from "../support/server";
import { query, register, runsOf, send, sleep, unique } from "./helpers";

/**
 * One ingest request starting many runs: they are created together (lib/state/create-runs.ts
 * createRuns, in multi-row statements of at most 500 rows), with the ids, event links and
 * queue order one-by-one creation gives, and concurrency limits still hold.
 */
const skip = await skipWithoutDatabase();

const N = 600; // more than one 500-row statement

describe.skipIf(skip)("runs created in a batch", () => {
  let server: TestServer;
  let app: FunctionApp;
  const p = unique("batch");
  const inflight = new Map<string, number>();
  const maxInflight = new Map<string, number>();

  beforeAll(async () => {
    [server, app] = await Promise.all([
      startServer(),
      startFunctionApp(async (call) => {
        if (call.path !== "/keyed") return { body: { ok: true } };
        const user = String(call.body.event.data.user);
        inflight.set(user, (inflight.get(user) ?? 0) + 1);
        maxInflight.set(user, Math.max(maxInflight.get(user) ?? 0, inflight.get(user) ?? 0));
        await sleep(20);
        inflight.set(user, (inflight.get(user) ?? 0) - 1);
        return { body: { ok: true } };
      }),
    ]);
    const fn = (id: string, event: string, config: Record<string, unknown> = {}) =>
      register(server, { name: id, id, url: `${app.url}/${id}`, triggers: [{ event: `${p}.${event}` }], ...config });
    await fn("plain", "plain");
    // One slot: the calls arrive exactly in queue order.
    await fn("ordered", "ordered", { concurrency: { limit: 1 } });
    await fn("keyed", "keyed", { concurrency: { limit: 2, key: "event.data.user" } });
  });
  afterAll(async () => {
    await Promise.all([server?.dispose(), app?.close()]);
  });

  async function runRows(functionId: string) {
    return query<{ id: string; event_id: string; event_ids: string; status: string }>(
      server,
      `SELECT id, event_id, event_ids, status FROM runs WHERE function_id = ? ORDER BY id`,
      [functionId],
    );
  }

  const callsTo = (path: string) => app.calls.filter((c) => c.path === path);

  it(`${N} events in one request create exactly ${N} runs, each linked to its event, ids in event order`, async () => {
    const ids = await send(
      server,
      Array.from({ length: N }, (_, i) => ({ name: `${p}.plain`, data: { i } })),
    );
    expect(ids).toHaveLength(N);
    // Committed with the events: every run exists when the request is answered.
    const rows = await runRows("plain");
    expect(rows).toHaveLength(N);
    // Run ids sort like the events they belong to (ids are drawn in routing order).
    expect(rows.map((r) => r.event_id)).toEqual(ids);
    for (const r of rows) expect(JSON.parse(r.event_ids)).toEqual([r.event_id]);
    // The API's link from an event to its run, on both sides of the 500-row boundary.
    for (const i of [0, 499, 500, N - 1]) {
      const runs = await runsOf(server, ids[i] as string);
      expect(runs.map((r) => r.run_id)).toEqual([rows[i]?.id]);
    }
    await waitFor(() => Promise.resolve(callsTo("/plain").length >= N), 60_000, `${N} calls`);
    expect(new Set(callsTo("/plain").map((c) => c.body.run_id)).size).toBe(N);
    // And each call's item is gone once its run completed: one item per run, no strays.
    await waitFor(
      async () => (await query(server, `SELECT id FROM queue_items WHERE function_id = ?`, ["plain"])).length === 0,
      30_000,
      "an empty queue",
    );
    expect((await runRows("plain")).every((r) => r.status === "Completed")).toBe(true);
  });

  it(`${N} runs of a concurrency-1 function are called in event order`, async () => {
    const ids = await send(
      server,
      Array.from({ length: N }, (_, i) => ({ name: `${p}.ordered`, data: { i } })),
    );
    const rows = await runRows("ordered");
    expect(rows.map((r) => r.event_id)).toEqual(ids);
    await waitFor(() => Promise.resolve(callsTo("/ordered").length >= N), 90_000, `${N} ordered calls`);
    expect(callsTo("/ordered").map((c) => c.body.event.id)).toEqual(ids);
    expect(callsTo("/ordered").map((c) => c.body.run_id)).toEqual(rows.map((r) => r.id));
  });

  it("a batch over a keyed concurrency limit keeps the limit for every key, and each key's order", async () => {
    const users = ["u1", "u2", "u3"];
    const events = Array.from({ length: N }, (_, i) => ({ name: `${p}.keyed`, data: { user: users[i % 3], i } }));
    const ids = await send(server, events);
    const rows = await runRows("keyed");
    expect(rows).toHaveLength(N);
    expect(rows.map((r) => r.event_id)).toEqual(ids);
    // One partition per key value, each with its slot row.
    const partitions = await query<{ id: string; slot1_limit: number }>(
      server,
      `SELECT id, slot1_limit FROM queue_partitions WHERE function_id = ? ORDER BY id`,
      ["keyed"],
    );
    expect(partitions).toHaveLength(3);
    for (const part of partitions) expect(Number(part.slot1_limit)).toBe(2);
    await waitFor(() => Promise.resolve(callsTo("/keyed").length >= N), 90_000, `${N} keyed calls`);
    await waitFor(async () => (await runRows("keyed")).every((r) => r.status === "Completed"), 30_000, "keyed runs completed");
    for (const user of users) {
      // The limit held, and was reached (so this check can fail).
      expect(maxInflight.get(user)).toBe(2);
      const sent = ids.filter((_, i) => events[i]?.data.user === user);
      const called = callsTo("/keyed")
        .filter((c) => c.body.event.data.user === user)
        .map((c) => c.body.event.id);
      // Two slots let the next call start before the previous one is recorded: order within one.
      called.forEach((id, i) => expect(Math.abs(sent.indexOf(id) - i)).toBeLessThanOrEqual(1));
    }
  });
});
