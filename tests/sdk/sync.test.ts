import net from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { AppDto } from "@/lib/contracts/apps";
import type { FunctionDto } from "@/lib/contracts/functions";

import { skipWithoutDatabase } from "../support/db";
import { freePort, runsOf, startSdkApp, trigger, type SdkApp } from "../support/sdk-app";
import { api, startServer, waitFor, type TestServer } from "../support/server";

const skip = await skipWithoutDatabase();

async function functionsOf(server: TestServer, appId: string): Promise<FunctionDto[]> {
  const res = await api<{ data: FunctionDto[] }>(server, "GET", "/api/v1/functions");
  return res.body.data.filter((f) => f.appId === appId);
}

describe.skipIf(skip)("app sync", () => {
  let server: TestServer;
  const apps: SdkApp[] = [];

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await server?.dispose();
  });

  it("GET /dev answers JSON (v3 SDKs probe it to find a dev server)", async () => {
    const res = await api<{ mode: string }>(server, "GET", "/dev");
    expect(res.status).toBe(200);
    expect(res.body.mode).toBe("dev");
  });

  it.each([3, 4] as const)("v%i: a PUT to the app makes the SDK register out-of-band; its functions run", async (version) => {
    const app = await startSdkApp({ version, serverUrl: server.url, appId: `put-v${version}` });
    apps.push(app);
    const put = await fetch(app.url, { method: "PUT" });
    const body = (await put.json()) as { message: string };
    expect(put.status, body.message).toBe(200);
    expect(put.headers.get("x-inngest-sync-kind")).toBe("out_of_band");

    const listed = await api<{ data: AppDto[] }>(server, "GET", "/api/v1/apps");
    const dto = listed.body.data.find((a) => a.id === app.appId);
    expect(dto).toMatchObject({
      url: app.url,
      sdkLanguage: "js",
      framework: "nodejs",
      syncKind: "out_of_band",
      syncError: null,
    });
    expect(dto?.sdkVersion).toMatch(new RegExp(`^${version}\\.`));
    const fns = await functionsOf(server, app.appId);
    expect(fns.map((f) => f.id)).toContain(`${app.appId}-memo`);
    expect(fns.every((f) => f.kind === "sdk")).toBe(true);
    const flaky = fns.find((f) => f.id === `${app.appId}-flaky`);
    expect(flaky?.config.retries).toBe(3);
    expect(flaky?.url).toBe(`${app.url}?fnId=${app.appId}-flaky&stepId=step`);

    const run = await trigger(server, app.ev("memo"), { name: "Ada" }, `${app.appId}-memo`);
    expect(run.status).toBe("Completed");
    expect(run.output).toEqual({ c: "ABC", name: "Ada" });
  });

  it.each([3, 4] as const)(
    "v%i: POST /api/v1/apps syncs in-band; a resync removes functions the app dropped",
    async (version) => {
      let app = await startSdkApp({ version, serverUrl: server.url, appId: `inband-v${version}` });
      apps.push(app);
      const added = await api<AppDto>(server, "POST", "/api/v1/apps", { url: app.url });
      expect(added.status).toBe(201);
      expect(added.body).toMatchObject({ id: app.appId, syncKind: "in_band", syncError: null, url: app.url });
      expect(added.body.functionCount).toBeGreaterThan(10);
      expect((await functionsOf(server, app.appId)).length).toBe(added.body.functionCount);

      // Same code again: nothing changes.
      const same = await api<AppDto>(server, "POST", `/api/v1/apps/${app.appId}/sync`);
      expect(same.status).toBe(200);
      expect(same.body.functionCount).toBe(added.body.functionCount);

      app = await app.restart({ variant: "reduced" });
      apps.push(app);
      const resynced = await api<AppDto>(server, "POST", `/api/v1/apps/${app.appId}/sync`);
      expect(resynced.status).toBe(200);
      expect(resynced.body.functionCount).toBe(1);
      expect((await functionsOf(server, app.appId)).map((f) => f.id)).toEqual([`${app.appId}-memo`]);

      const deleted = await api<{ deleted: boolean }>(server, "DELETE", `/api/v1/apps/${app.appId}`);
      expect(deleted.body).toEqual({ deleted: true });
      expect(await functionsOf(server, app.appId)).toEqual([]);
      expect((await api(server, "GET", `/api/v1/apps/${app.appId}`)).status).toBe(404);
    },
  );

  it("a function config the server cannot run fails the sync, naming the function and field", async () => {
    const app = await startSdkApp({ version: 4, serverUrl: server.url, appId: "bad-v4", variant: "bad" });
    apps.push(app);
    const put = await fetch(app.url, { method: "PUT" });
    const body = (await put.json()) as { message: string };
    expect(put.status).toBe(400);
    expect(body.message).toContain('"bad-v4-bad"');
    expect(body.message).toContain("concurrency.limit");

    const added = await api<AppDto>(server, "POST", "/api/v1/apps", { url: app.url });
    expect(added.status).toBe(201);
    expect(added.body.syncError).toContain("concurrency.limit");
    expect(await functionsOf(server, "bad-v4")).toEqual([]);

    // The same through /fn/register directly, for the other validators.
    const base = {
      url: "http://127.0.0.1:1/api/inngest",
      appName: "raw",
      sdk: "js:v4.24.0",
      framework: "nodejs",
      functions: [] as unknown[],
    };
    const fnWith = (extra: Record<string, unknown>) => ({
      id: "raw-f",
      name: "f",
      triggers: [{ event: "raw/e" }],
      steps: {
        step: {
          id: "step",
          name: "step",
          runtime: { type: "http", url: "http://127.0.0.1:1/api/inngest?fnId=raw-f&stepId=step" },
        },
      },
      ...extra,
    });
    const cases: [Record<string, unknown>, string][] = [
      [{ concurrency: { limit: 2, key: "event.data.(" } }, "functions[0].concurrency.key"],
      [{ throttle: { limit: 1, period: "soon" } }, "functions[0].throttle.period"],
      [{ triggers: [{ event: "raw/e", expression: "event.data ==" }] }, "functions[0].triggers[0].expression"],
      [{ rateLimit: { limit: 0, period: "1m" } }, "functions[0].rateLimit.limit"],
    ];
    for (const [extra, field] of cases) {
      const res = await api<{ error: string; status: number; field: string }>(server, "POST", "/fn/register", {
        ...base,
        functions: [fnWith(extra)],
      });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.status).toBe(400);
      expect(res.body.field).toBe(field);
      expect(res.body.error).toContain('"raw-f"');
    }
    const ok = await api<{ ok: boolean; modified: boolean; app_id: string }>(server, "POST", "/fn/register", {
      ...base,
      functions: [fnWith({})],
    });
    expect(ok.body).toEqual({ ok: true, modified: true, app_id: "raw" });
    const again = await api<{ modified: boolean }>(server, "POST", "/fn/register", { ...base, functions: [fnWith({})] });
    expect(again.body.modified).toBe(false);
  });

  it.each([3, 4] as const)("v%i: a cron-triggered SDK function runs with inngest/scheduled.timer", async (version) => {
    const app = await startSdkApp({ version, serverUrl: server.url, appId: `cron-v${version}`, variant: "cron" });
    apps.push(app);
    await api(server, "POST", "/api/v1/apps", { url: app.url });
    try {
      const run = await waitFor(async () => {
        const events = await api<{ data: { id: string }[] }>(server, "GET", "/v1/events?name=inngest/scheduled.timer");
        for (const e of events.body.data) {
          const runs = await runsOf(server, e.id);
          const done = runs.find((r) => r.function_id === `${app.appId}-tick` && r.status === "Completed");
          if (done) return done;
        }
        return null;
      }, 10_000);
      expect(run.output).toEqual({ name: "inngest/scheduled.timer", cron: "* * * * * *" });
    } finally {
      await api(server, "DELETE", `/api/v1/apps/${app.appId}`);
    }
  });

  it("an unreachable app is stored with its sync error", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/api/inngest`;
    const added = await api<AppDto>(server, "POST", "/api/v1/apps", { url });
    expect(added.status).toBe(201);
    expect(added.body.url).toBe(url);
    expect(added.body.syncError).toMatch(/could not reach/);
    const bad = await api<{ field: string }>(server, "POST", "/api/v1/apps", { url: "ftp://x" });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("url");
  });
});

describe.skipIf(skip)("-u/--sdk-url", () => {
  it.each([3, 4] as const)("v%i: the app given with -u is synced at start, and re-polled", async (version) => {
    const port = await freePort();
    const serverUrl = `http://127.0.0.1:${port}`;
    let app = await startSdkApp({ version, serverUrl, appId: `flag-v${version}`, variant: "reduced" });
    const server = await startServer({ port, poll: true, args: ["-u", app.url, "--poll-interval", "0.5"] });
    try {
      const synced = await waitFor(async () => {
        const res = await api<{ data: AppDto[] }>(server, "GET", "/api/v1/apps");
        return res.body.data.find((a) => a.id === app.appId && a.functionCount === 1);
      });
      expect(synced.syncError).toBeNull();
      // The app gains functions; polling notices without being asked.
      app = await app.restart({ variant: "full" });
      await waitFor(
        async () => (await functionsOf(server, app.appId)).length > 10,
        15_000,
        "the poller to pick up the new functions",
      );
    } finally {
      await app.stop();
      await server.dispose();
    }
  });
});

describe.skipIf(skip)("dev discovery", () => {
  it("finds an app serving /api/inngest on one of the usual local ports", async () => {
    const port = await firstFreeDiscoveryPort();
    if (port === null) return console.warn("no free discovery port: skipping the discovery check");
    const serverPort = await freePort();
    const appId = `discovered-${Date.now().toString(36)}`;
    const app = await startSdkApp({ version: 4, serverUrl: `http://127.0.0.1:${serverPort}`, appId, port, variant: "reduced" });
    const server = await startServer({ port: serverPort, discovery: true, args: ["--poll-interval", "0.5"] });
    try {
      const found = await waitFor(async () => {
        const res = await api<{ data: AppDto[] }>(server, "GET", "/api/v1/apps");
        return res.body.data.find((a) => a.id === appId);
      }, 15_000);
      expect(found).toMatchObject({ url: `http://127.0.0.1:${port}/api/inngest`, functionCount: 1, syncError: null });
    } finally {
      await app.stop();
      await server.dispose();
    }
  });
});

/** A port from the discovery list nothing listens on (3000-3010, 8910-8915, …), or null. */
async function firstFreeDiscoveryPort(): Promise<number | null> {
  for (const port of [3003, 3004, 3005, 3006, 3007, 3008, 3009, 3010, 8911, 8912, 8913, 8914, 8915]) {
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
  return null;
}
