import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { skipWithoutDatabase } from "../support/db";
import {
  getRun,
  sendEvents,
  startSdkApp,
  startSyncedSdkApps,
  stepsOf,
  trigger,
  waitForRun,
  type SdkApp,
} from "../support/sdk-app";
import { api, startServer, waitFor, type TestServer } from "../support/server";

const skip = await skipWithoutDatabase();

/** Durable waits and cancellation with the real SDK: sleeps, waitForEvent, cancelOn, REST cancel. */
describe.skipIf(skip)("SDK waits and cancellation", () => {
  let server: TestServer;
  const apps = new Map<3 | 4, SdkApp>();

  beforeAll(async () => {
    server = await startServer();
    await startSyncedSdkApps(server, apps, (version) => ({ appId: `waits-v${version}` }));
  });
  afterAll(async () => {
    await Promise.all([...apps.values()].map((a) => a.stop()));
    await server?.dispose();
  });

  describe.each([3, 4] as const)("v%i", (version) => {
    const app = () => apps.get(version) as SdkApp;
    const fnId = (id: string) => `${app().appId}-${id}`;
    const send = async (name: string, data: Record<string, unknown>) =>
      (await sendEvents(server, { name: app().ev(name), data }))[0] as string;

    it("step.sleep wakes after its duration", async () => {
      const run = await trigger(server, app().ev("sleep"), { duration: "2s" }, fnId("sleeper"));
      expect(run.status).toBe("Completed");
      const { marks } = await app().stats();
      const slept = (marks[`sleep:${run.run_id}:after`]?.[0] as number) - (marks[`sleep:${run.run_id}:before`]?.[0] as number);
      expect(slept).toBeGreaterThanOrEqual(1950);
      expect(slept).toBeLessThan(6000);
    });

    it("waitForEvent resumes with the matching event, not with one that does not match", async () => {
      const eventId = await send("wait", { id: "order-1" });
      const running = await waitForRun(server, eventId, fnId("waiter"), ["Running"]);
      // the wait is registered by the first call
      await waitFor(async () => (await stepsOf(server, running.run_id)).some((s) => s.op === "WaitForEvent"));
      await send("approved", { id: "order-2", by: "wrong order" });
      await new Promise((r) => setTimeout(r, 600));
      const still = (await api<{ data: { status: string }[] }>(server, "GET", `/v1/events/${eventId}/runs`)).body.data[0];
      expect(still?.status).toBe("Running");
      await send("approved", { id: "order-1", by: "Ada" });
      const run = await waitForRun(server, eventId, fnId("waiter"));
      expect(run.status).toBe("Completed");
      expect(run.output).toEqual({ approved: { id: "order-1", by: "Ada" } });
    });

    it("waitForEvent resolves to null on timeout", async () => {
      const run = await trigger(server, app().ev("wait"), { id: "nobody", timeout: "1s" }, fnId("waiter"));
      expect(run.status).toBe("Completed");
      expect(run.output).toEqual({ approved: null });
    });

    it.each(["sleep", "wait", "run"])("cancelOn cancels a %s-ing run; the app is not called again", async (mode) => {
      const id = `c-${mode}-${version}`;
      const eventId = await send("cancellable", { id, mode });
      const running = await waitForRun(server, eventId, fnId("cancellable"), ["Running"]);
      const startKey = `cancellable:${running.run_id}:${mode === "run" ? "slow" : "start"}`;
      await waitFor(async () => (await app().stats()).counts[startKey], 10_000, startKey);
      const op = { sleep: "Sleep", wait: "WaitForEvent", run: null }[mode];
      if (op) await waitFor(async () => (await stepsOf(server, running.run_id)).some((s) => s.op === op));
      await send("cancel", { id: "someone-else" });
      await send("cancel", { id });
      const run = await waitForRun(server, eventId, fnId("cancellable"));
      expect(run.status).toBe("Cancelled");
      await new Promise((r) => setTimeout(r, mode === "run" ? 2500 : 500));
      expect((await app().stats()).counts[`cancellable:${running.run_id}:after`]).toBeUndefined();
      expect((await getRun(server, running.run_id)).status).toBe("Cancelled");
    });

    it("cancelOn with an if expression, until its timeout", async () => {
      const first = await send("cancel-if.start", { id: "x1" });
      const run1 = await waitForRun(server, first, fnId("cancel-if"), ["Running"]);
      await new Promise((r) => setTimeout(r, 300));
      await send("cancel-if", { id: "x1", really: false });
      await new Promise((r) => setTimeout(r, 300));
      expect((await getRun(server, run1.run_id)).status).toBe("Running");
      await send("cancel-if", { id: "x1", really: true });
      expect((await waitForRun(server, first, fnId("cancel-if"))).status).toBe("Cancelled");

      // The cancel window is 2 s: a matching event after it no longer cancels.
      const second = await send("cancel-if.start", { id: "x2", duration: "3500ms" });
      await waitForRun(server, second, fnId("cancel-if"), ["Running"]);
      await new Promise((r) => setTimeout(r, 2500));
      await send("cancel-if", { id: "x2", really: true });
      const run2 = await waitForRun(server, second, fnId("cancel-if"));
      expect(run2.status).toBe("Completed");
    });

    it("DELETE /v1/runs/<id> cancels a sleeping run for good", async () => {
      const eventId = await send("cancellable", { id: `rest-${version}`, mode: "sleep" });
      const running = await waitForRun(server, eventId, fnId("cancellable"), ["Running"]);
      await waitFor(async () => (await app().stats()).counts[`cancellable:${running.run_id}:start`]);
      await new Promise((r) => setTimeout(r, 300));
      const res = await api<{ data: { status: string } }>(server, "DELETE", `/v1/runs/${running.run_id}`);
      expect(res.status).toBe(200);
      expect(res.body.data.status).toBe("Cancelled");
      const again = await api(server, "DELETE", `/v1/runs/${running.run_id}`);
      expect(again.status).toBe(200);
      expect((await api(server, "DELETE", `/v1/runs/01NOSUCHRUN0000000000000000`)).status).toBe(404);
      await new Promise((r) => setTimeout(r, 500));
      expect((await app().stats()).counts[`cancellable:${running.run_id}:after`]).toBeUndefined();
    });
  });
});

describe.skipIf(skip)("a sleep survives a server restart", () => {
  it.each([3, 4] as const)("v%i: the run wakes after the restart and completes", async (version) => {
    const first = await startServer();
    let server = first;
    const app = await startSdkApp({ version, serverUrl: server.url, appId: `restart-v${version}` });
    try {
      await api(server, "POST", "/api/v1/apps", { url: app.url });
      const [eventId] = await sendEvents(server, { name: app.ev("sleep"), data: { duration: "3s" } });
      const running = await waitForRun(server, eventId as string, `${app.appId}-sleeper`, ["Running"]);
      // Mid-sleep: the sleep is recorded (and the call that asked for it is done).
      await waitFor(async () => (await stepsOf(server, running.run_id)).some((s) => s.op === "Sleep" && s.status === "Sleeping"));
      await server.kill();
      await new Promise((r) => setTimeout(r, 1000));
      server = await server.restart();
      const run = await waitForRun(server, eventId as string, `${app.appId}-sleeper`, ["Completed", "Failed"], 20_000);
      expect(run.status).toBe("Completed");
      const { marks } = await app.stats();
      const slept = (marks[`sleep:${run.run_id}:after`]?.[0] as number) - (marks[`sleep:${run.run_id}:before`]?.[0] as number);
      expect(slept).toBeGreaterThanOrEqual(2950);
      expect(marks[`sleep:${run.run_id}:after`]).toHaveLength(1);
    } finally {
      await app.stop();
      await server.stop();
      await first.dispose();
    }
  });
});
