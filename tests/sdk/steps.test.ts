import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { skipWithoutDatabase } from "../support/db";
import { startFunctionApp } from "../support/function-app";
import {
  freePort,
  runsOf,
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

/**
 * Step functions written with the real SDK, v3 and v4, each step kind end to end: one server,
 * one app per SDK version (their event names are namespaced by app id).
 */
describe.skipIf(skip)("SDK step functions", () => {
  let server: TestServer;
  const apps = new Map<3 | 4, SdkApp>();

  beforeAll(async () => {
    server = await startServer();
    await startSyncedSdkApps(server, apps);
  });
  afterAll(async () => {
    await Promise.all([...apps.values()].map((a) => a.stop()));
    await server?.dispose();
  });

  describe.each([3, 4] as const)("v%i", (version) => {
    const app = () => apps.get(version) as SdkApp;
    const fnId = (id: string) => `${app().appId}-${id}`;

    it("memoized steps run once each; the output is the function's return value", async () => {
      const run = await trigger(server, app().ev("memo"), { name: "Ada" }, fnId("memo"));
      expect(run.status).toBe("Completed");
      expect(run.output).toEqual({ c: "ABC", name: "Ada" });
      const { counts } = await app().stats();
      for (const step of ["a", "b", "c"]) expect(counts[`memo:${run.run_id}:${step}`], step).toBe(1);
      // The body itself re-runs on every call (that is how memoization works).
      expect(counts[`memo:${run.run_id}:body`]).toBeGreaterThanOrEqual(1);
    });

    it("a repeated step id is two steps", async () => {
      const run = await trigger(server, app().ev("repeat"), {}, fnId("repeat"));
      expect(run.status).toBe("Completed");
      expect(run.output).toEqual([1, 2]);
      expect((await app().stats()).counts[`repeat:${run.run_id}`]).toBe(2);
    });

    it("a failing step is retried, then succeeds", async () => {
      const run = await trigger(server, app().ev("flaky"), {}, fnId("flaky"));
      expect(run.status).toBe("Completed");
      expect(run.output).toMatchObject({ value: "ok after 3" });
      expect((await app().stats()).counts[`flaky:${run.run_id}`]).toBe(3);
    });

    it("NonRetriableError fails the run at once and runs onFailure", async () => {
      const run = await trigger(server, app().ev("doomed"), {}, fnId("doomed"));
      expect(run.status).toBe("Failed");
      expect(run.error?.message).toContain("this cannot work");
      const stats = await waitFor(async () => {
        const s = await app().stats();
        return s.counts[`failure:${run.run_id}`] ? s : null;
      });
      expect(stats.counts[`doomed:${run.run_id}`]).toBe(1);
      expect(stats.counts[`doomed-after:${run.run_id}`]).toBeUndefined();
      expect((stats.values[`failure:${run.run_id}`] as { message: string }).message).toContain("this cannot work");
    });

    it("RetryAfterError delays the retry until the time it asks for", async () => {
      const run = await trigger(server, app().ev("retry-after"), {}, fnId("retry-after"));
      expect(run.status).toBe("Completed");
      expect(run.output).toBe(2);
      const marks = (await app().stats()).marks[`retry-after:${run.run_id}`] ?? [];
      expect(marks).toHaveLength(2);
      const gap = (marks[1] as number) - (marks[0] as number);
      // asked for 2 s; backoff alone would be ~100 ms here
      expect(gap).toBeGreaterThanOrEqual(1900);
      expect(gap).toBeLessThan(8000);
    });

    it("Promise.all of steps runs each once, in parallel, then continues", async () => {
      const run = await trigger(server, app().ev("parallel"), {}, fnId("parallel"));
      expect(run.status).toBe("Completed");
      expect(run.output).toEqual({ parts: [10, 20, 30], total: 60 });
      const { counts } = await app().stats();
      for (const k of ["1", "2", "3", "sum"]) expect(counts[`parallel:${run.run_id}:${k}`], k).toBe(1);
    });

    it("step.sendEvent sends through the event API and triggers other functions", async () => {
      const run = await trigger(server, app().ev("send"), { tag: `t-${version}` }, fnId("sender"));
      expect(run.status).toBe("Completed");
      const ids = (run.output as { ids: string[] }).ids;
      expect(ids).toHaveLength(1);
      const sent = await waitForRun(server, ids[0] as string, fnId("on-sent"));
      expect(sent.output).toEqual({ got: `t-${version}` });
    });

    it("step.invoke returns the child's result", async () => {
      const run = await trigger(server, app().ev("parent"), { n: 21 }, fnId("parent"));
      expect(run.status).toBe("Completed");
      expect(run.output).toEqual({ result: { doubled: 42 } });
    });

    it("step.invoke throws the child's failure into the parent", async () => {
      const run = await trigger(server, app().ev("parent"), { n: 1, fail: true }, fnId("parent"));
      expect(run.status).toBe("Completed");
      expect((run.output as { caught: string }).caught).toContain("child gave up");
    });

    it("wildcard and expression triggers", async () => {
      const wild = await trigger(server, app().ev("wild.anything"), {}, fnId("wildcard"));
      expect(wild.output).toEqual({ name: app().ev("wild.anything") });

      const [small, big] = await sendEvents(server, [
        { name: app().ev("expr"), data: { amount: 5 } },
        { name: app().ev("expr"), data: { amount: 500 } },
      ]);
      const ran = await waitForRun(server, big as string, fnId("expression"));
      expect(ran.output).toEqual({ amount: 500 });
      expect(await runsOf(server, small as string)).toEqual([]);
    });

    it("fan-out: one event starts every function it triggers", async () => {
      const [id] = await sendEvents(server, { name: app().ev("fanout"), data: {} });
      const a = await waitForRun(server, id as string, fnId("fan-a"));
      const b = await waitForRun(server, id as string, fnId("fan-b"));
      expect([a.output, b.output]).toEqual(["a", "b"]);
    });

    it("inngest.send from the app: ids answered, and an event id is stored once", async () => {
      const key = `dedupe-${version}-${Date.now()}`;
      const first = await app().send({ name: app().ev("memo"), id: key, data: { name: "once" } });
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      const second = await app().send({ name: app().ev("memo"), id: key, data: { name: "twice" } });
      expect(second.body.ids).toEqual(first.body.ids);
      const run = await waitForRun(server, first.body.ids?.[0] as string, fnId("memo"));
      expect(run.output).toMatchObject({ name: "once" });
      expect(await runsOf(server, first.body.ids?.[0] as string)).toHaveLength(1);
    });
  });

  it("v4 checkpoints steps run in one call; v3 (and v4 with checkpointing off) do not", async () => {
    const v4 = apps.get(4) as SdkApp;
    const v3 = apps.get(3) as SdkApp;
    const before4 = (await v4.stats()).serverCalls.checkpoint ?? 0;
    const run4 = await trigger(server, v4.ev("ten"), {}, `${v4.appId}-ten-steps`);
    expect(run4.output).toBe(10);
    expect(((await v4.stats()).serverCalls.checkpoint ?? 0) - before4).toBeGreaterThanOrEqual(9);
    expect((await stepsOf(server, run4.run_id)).filter((s) => s.status === "Completed")).toHaveLength(10);
    expect((await v4.stats()).counts[`calls:${run4.run_id}`]).toBe(1);

    const run3 = await trigger(server, v3.ev("ten"), {}, `${v3.appId}-ten-steps`);
    expect(run3.output).toBe(10);
    expect((await v3.stats()).serverCalls.checkpoint).toBeUndefined();
    expect((await v3.stats()).counts[`calls:${run3.run_id}`]).toBe(11);

    const off = await startSdkApp({ version: 4, serverUrl: server.url, appId: "nocheckpoint-v4", checkpointing: false });
    try {
      await api(server, "POST", "/api/v1/apps", { url: off.url });
      const run = await trigger(server, off.ev("ten"), {}, `${off.appId}-ten-steps`);
      expect(run.output).toBe(10);
      expect((await off.stats()).serverCalls.checkpoint).toBeUndefined();
      expect((await off.stats()).counts[`calls:${run.run_id}`]).toBe(11);
    } finally {
      await off.stop();
    }
  });

  it.each([3, 4] as const)("v%i: a run too large to send is fetched by the SDK (use_api)", async (version) => {
    const app = apps.get(version) as SdkApp;
    const size = 1_200_000;
    const run = await trigger(server, app.ev("big"), { size }, `${app.appId}-big`);
    expect(run.status).toBe("Completed");
    expect(run.output).toMatchObject({ length: size });
    const calls = (await app.stats()).serverCalls;
    expect(calls["v0:actions"]).toBeGreaterThanOrEqual(1);
    expect(calls["v0:batch"]).toBeGreaterThanOrEqual(1);
  });

  it("a function the app does not serve fails the run with the SDK's reason", async () => {
    const app = apps.get(4) as SdkApp;
    const registered = await api(server, "POST", "/fn/register", {
      url: `${app.origin}/ghost`,
      appName: "ghost",
      sdk: "js:v4.24.0",
      functions: [
        {
          id: "ghost-missing",
          name: "missing",
          triggers: [{ event: "ghost/go" }],
          steps: {
            step: {
              id: "step",
              name: "step",
              runtime: { type: "http", url: `${app.url}?fnId=ghost-missing&stepId=step` },
              retries: { attempts: 1 },
            },
          },
        },
      ],
    });
    expect(registered.status).toBe(200);
    const run = await trigger(server, "ghost/go", {}, "ghost-missing");
    expect(run.status).toBe("Failed");
    expect(run.error?.message).toMatch(/ghost-missing/);
    const attempts = (await stepsOf(server, run.run_id)).filter((s) => s.op === "Execution");
    expect(attempts.map((s) => s.status)).toEqual(["Errored", "Failed"]);
  });

  it("an app that is down: the call is retried, then the run fails saying why", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/api/inngest`;
    await api(server, "POST", "/fn/register", {
      url,
      appName: "down",
      sdk: "js:v4.24.0",
      functions: [
        {
          id: "down-fn",
          name: "fn",
          triggers: [{ event: "down/go" }],
          steps: {
            step: {
              id: "step",
              name: "step",
              runtime: { type: "http", url: `${url}?fnId=down-fn&stepId=step` },
              retries: { attempts: 2 },
            },
          },
        },
      ],
    });
    const run = await trigger(server, "down/go", {}, "down-fn");
    expect(run.status).toBe("Failed");
    expect(run.error?.message).toContain(`could not reach http://127.0.0.1:${port}`);
    const attempts = (await stepsOf(server, run.run_id)).filter((s) => s.op === "Execution");
    expect(attempts.map((s) => [s.status, s.attempt])).toEqual([
      ["Errored", 0],
      ["Errored", 1],
      ["Failed", 2],
    ]);
  });

  it("an answer without X-Inngest-SDK is an error, not a result", async () => {
    const plain = await startFunctionApp(() => ({ status: 200, body: { looks: "fine" } }));
    try {
      await api(server, "POST", "/fn/register", {
        url: `${plain.url}/api/inngest`,
        appName: "plain",
        functions: [
          {
            id: "plain-fn",
            name: "fn",
            triggers: [{ event: "plain/go" }],
            steps: {
              step: {
                id: "step",
                name: "step",
                runtime: { type: "http", url: `${plain.url}/api/inngest?fnId=plain-fn&stepId=step` },
                retries: { attempts: 0 },
              },
            },
          },
        ],
      });
      const run = await trigger(server, "plain/go", {}, "plain-fn");
      expect(run.status).toBe("Failed");
      expect(run.output).toBeNull();
      expect(run.error?.message).toContain("X-Inngest-SDK");
    } finally {
      await plain.close();
    }
  });

  it("/v1/checkpoint answers 409 for a call whose lease is not current, 404 for an unknown run", async () => {
    const v4 = apps.get(4) as SdkApp;
    const run = await trigger(server, v4.ev("memo"), { name: "x" }, `${v4.appId}-memo`);
    const op = { id: "0".repeat(40), op: "StepRun", name: "late", data: 1 };
    for (const qi of ["nope@1", `${run.run_id}@1`, "garbage"]) {
      const res = await api<{ status: number }>(server, "POST", `/v1/checkpoint/${run.run_id}/async`, { qi_id: qi, steps: [op] });
      expect(res.status, qi).toBe(409);
    }
    const unknown = await api(server, "POST", `/v1/checkpoint/01NOSUCHRUN0000000000000000/async`, { qi_id: "x@1", steps: [] });
    expect(unknown.status).toBe(404);
    expect((await stepsOf(server, run.run_id)).map((s) => s.name)).not.toContain("late");
  });

  it("a retried send with the same X-Inngest-Event-Id-Seed is stored once", async () => {
    const seed = `${Date.now()},${Buffer.from("0123456789").toString("base64")}`;
    const events = [{ name: "seeded/event", data: { n: 1 } }];
    const a = await sendEvents(server, events, "k", { "x-inngest-event-id-seed": seed });
    const b = await sendEvents(server, events, "k", { "x-inngest-event-id-seed": seed });
    expect(b).toEqual(a);
    const listed = await api<{ data: { id: string }[] }>(server, "GET", "/v1/events?name=seeded/event");
    expect(listed.body.data.filter((e) => e.id === a[0])).toHaveLength(1);
  });
});
