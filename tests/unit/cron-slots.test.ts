import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { recordEvents } from "@/lib/ingest/ingest";
import { Bus } from "@/lib/realtime/bus";
import { FunctionRegistry, type RegisteredFunction } from "@/lib/registry/registry";
import { fireCronSlot, nextSlot, syncCronSchedules } from "@/lib/schedule/cron";
import { inUnit, type EngineContext } from "@/lib/state/context";

import { createTestSql, postgresMissing, type TestSql } from "./support/test-sql";

/**
 * lib/schedule/cron.ts on each dialect: one waiting item per (function, cron), however often the
 * schedule is synced, and one run per slot however often the slot fires (a reclaimed item after
 * a crash fires again).
 */
const CRON = "TZ=America/New_York */5 * * * *";

const fn: RegisteredFunction = {
  id: "report",
  appId: null,
  kind: "http",
  name: "report",
  url: "http://127.0.0.1:9/report",
  triggers: [{ cron: CRON }],
  config: {},
  paused: false,
};

const skipPostgres = await postgresMissing();

describe.each([
  ["sqlite", false],
  ["postgres", skipPostgres],
] as const)("cron slots on %s", (dialect, skip) => {
  let t: TestSql;
  let ctx: EngineContext;

  beforeAll(async () => {
    if (skip) return;
    t = await createTestSql(dialect);
    const registry = new FunctionRegistry();
    registry.replace([fn], "v1");
    ctx = {
      sql: t.sql,
      registry,
      bus: new Bus(),
      options: { mode: "dev", port: 0 },
      publicUrl: () => "http://127.0.0.1:0",
      observeCall: () => undefined,
      recordEvents,
    };
  });
  afterAll(async () => {
    await t?.close();
  });

  it.skipIf(skip)("syncing twice keeps one waiting item for the next slot", async () => {
    const now = Date.UTC(2030, 5, 1, 12, 2, 30);
    await syncCronSchedules(t.sql, ctx.registry, now);
    await syncCronSchedules(t.sql, ctx.registry, now + 1000);
    const items = await t.sql.all<{ id: string; available_at: number }>(
      `SELECT id, available_at FROM queue_items WHERE kind = 'cron'`,
    );
    expect(items).toHaveLength(1);
    expect(Number(items[0]?.available_at)).toBe(Date.UTC(2030, 5, 1, 12, 5));
    expect(nextSlot(CRON, now)).toBe(Date.UTC(2030, 5, 1, 12, 5));
  });

  it.skipIf(skip)("firing a slot twice makes one run, one timer event and one successor", async () => {
    const slot = Date.UTC(2030, 5, 1, 12, 5);
    await inUnit(ctx, (u) => fireCronSlot(u, { functionId: "report", cron: CRON, slot }));
    await inUnit(ctx, (u) => fireCronSlot(u, { functionId: "report", cron: CRON, slot }));
    const runs = await t.sql.all<{ id: string; cron: string; trigger: string }>(`SELECT id, cron, trigger FROM runs`);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ cron: CRON, trigger: "cron" });
    const events = await t.sql.all<{ ts: number }>(`SELECT ts FROM events WHERE name = 'inngest/scheduled.timer'`);
    expect(events.map((e) => Number(e.ts))).toEqual([slot]);
    const next = await t.sql.all<{ available_at: number }>(
      `SELECT available_at FROM queue_items WHERE kind = 'cron' AND available_at > ?`,
      [slot],
    );
    expect(next.map((n) => Number(n.available_at))).toEqual([Date.UTC(2030, 5, 1, 12, 10)]);
  });
});
