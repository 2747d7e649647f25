import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { skipWithoutDatabase } from "../support/db";
import { startFunctionApp, type FunctionApp } from "../support/function-app";
import { api, startServer, waitFor, type TestServer } from "../support/server";
import { query, register, sleep } from "./helpers";

/**
 * Cron triggers fire once per slot — also across a crash and restart of the server. Per-second
 * crons keep the test short; the restarted server reclaims the dead one's leases after 1 s.
 */
const skip = await skipWithoutDatabase();

interface CronRun {
  id: string;
  status: string;
  ts: number;
  data: string;
}

describe.skipIf(skip)("cron triggers", () => {
  let server: TestServer;
  let app: FunctionApp;

  beforeAll(async () => {
    [server, app] = await Promise.all([
      startServer({ args: ["--lease-ms", "1000"] }),
      startFunctionApp((c) => ({ body: { slot: c.body.event.ts } })),
    ]);
  });
  afterAll(async () => {
    await Promise.all([server?.dispose(), app?.close()]);
  });

  const runsOf = (fnId: string) =>
    query<CronRun>(
      server,
      `SELECT r.id, r.status, e.ts, e.data FROM runs r JOIN events e ON e.id = r.event_id WHERE r.function_id = ? ORDER BY e.ts`,
      [fnId],
    );

  it("one run per slot, in UTC and with TZ=, before and after a kill -9 and restart", async () => {
    await register(server, { name: "every-second", url: `${app.url}/utc`, triggers: [{ cron: "* * * * * *" }] });
    await register(server, {
      name: "every-second-paris",
      url: `${app.url}/paris`,
      triggers: [{ cron: "TZ=Europe/Paris * * * * * *" }],
    });
    await sleep(2500);
    const beforeCrash = await runsOf("every-second");
    expect(beforeCrash.length).toBeGreaterThanOrEqual(2);

    await server.kill();
    const crashedAt = Date.now();
    await sleep(1200); // slots pass while nothing runs
    server = await server.restart();
    await sleep(3000);

    // Stop the schedules (the functions stay, so runs already queued still complete).
    for (const [id, path] of [
      ["every-second", "/utc"],
      ["every-second-paris", "/paris"],
    ])
      expect(
        (
          await api(server, "PUT", `/api/v1/functions/${id}`, {
            name: id,
            url: `${app.url}${path}`,
            triggers: [{ event: "cron/off" }],
          })
        ).status,
      ).toBe(200);
    // Settled: nothing queued or running, and no new run for a second (a slot firing while the
    // trigger was replaced may still commit one last run).
    let last = -1;
    await waitFor(
      async () => {
        const [row] = await query<{ total: number; open: number }>(
          server,
          `SELECT count(*) AS total, count(CASE WHEN status IN ('Queued', 'Running') THEN 1 END) AS open FROM runs`,
        );
        const settled = Number(row?.open) === 0 && Number(row?.total) === last;
        last = Number(row?.total);
        if (!settled) await sleep(1000);
        return settled;
      },
      20_000,
      "cron runs to settle",
    );

    for (const [fnId, path, cron] of [
      ["every-second", "/utc", "* * * * * *"],
      ["every-second-paris", "/paris", "TZ=Europe/Paris * * * * * *"],
    ] as const) {
      const runs = await runsOf(fnId);
      const slots = runs.map((r) => Number(r.ts));
      // Every run stands for a distinct whole-second slot.
      expect(new Set(slots).size).toBe(slots.length);
      for (const s of slots) expect(s % 1000).toBe(0);
      expect(runs.every((r) => (JSON.parse(r.data) as { cron: string }).cron === cron)).toBe(true);
      // Slots fired on both sides of the crash.
      expect(slots.some((s) => s < crashedAt)).toBe(true);
      expect(slots.filter((s) => s > crashedAt + 1200).length).toBeGreaterThanOrEqual(2);
      for (const r of runs) expect(r.status).toBe("Completed");
      // The app saw every run (a run may be called twice after a crash, never under two run ids per slot).
      const calls = app.calls.filter((c) => c.path === path);
      const runBySlot = new Map<number, Set<string>>();
      for (const c of calls) runBySlot.set(c.body.event.ts, (runBySlot.get(c.body.event.ts) ?? new Set()).add(c.body.run_id));
      for (const ids of runBySlot.values()) expect(ids.size).toBe(1);
      expect(new Set(calls.map((c) => c.body.run_id))).toEqual(new Set(runs.map((r) => r.id)));
      // No stray timer events: each has its run (one statement, so one consistent snapshot).
      const [orphans] = await query<{ n: number }>(
        server,
        `SELECT count(*) AS n FROM events e WHERE e.name = 'inngest/scheduled.timer' AND e.data = ?
         AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.event_id = e.id)`,
        [JSON.stringify({ cron })],
      );
      expect(Number(orphans?.n)).toBe(0);
    }

    // Removing the cron trigger stopped the schedule.
    const settled = (await runsOf("every-second")).length;
    await sleep(1200);
    expect((await runsOf("every-second")).length).toBe(settled);
    const [waiting] = await query<{ n: number }>(
      server,
      `SELECT count(*) AS n FROM queue_items WHERE kind = 'cron' AND state = 0`,
    );
    expect(Number(waiting?.n)).toBe(0);
  });
});
