import net from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { inCI } from "../support/db";
import { startSdkApp, waitForRun, type SdkApp } from "../support/sdk-app";
import { api, startServer, type TestServer } from "../support/server";

/**
 * A v3 app with no INNGEST_* settings at all infers dev mode and looks for a dev server at
 * http://localhost:8288 (`GET /dev`) before it registers or sends. That only works on the real
 * port, so this file needs 8288 free (SQLite project only, so the two dialects never race for it).
 */
const DEV_PORT = 8288;

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

const busy = !(await portFree(DEV_PORT));
if (busy) {
  if (inCI) throw new Error(`port ${DEV_PORT} is taken, and CI must run the dev-server autodetection test`);
  console.warn(`\n*** SKIPPING the v3 dev-server autodetection test: port ${DEV_PORT} is taken (is a Stepwise running?) ***\n`);
}

describe.skipIf(busy)("v3 finds the dev server on :8288 by itself", () => {
  let server: TestServer;
  let app: SdkApp | undefined;

  beforeAll(async () => {
    server = await startServer({ port: DEV_PORT });
  });
  afterAll(async () => {
    await app?.stop();
    await server?.dispose();
  });

  it("syncs on PUT and sends events with no INNGEST_DEV or INNGEST_BASE_URL", async () => {
    app = await startSdkApp({ version: 3, serverUrl: server.url, appId: "autodetect-v3", autodetect: true });
    const put = await fetch(app.url, { method: "PUT" });
    expect(put.status, await put.clone().text()).toBe(200);

    const fns = await api<{ data: { id: string }[] }>(server, "GET", "/api/v1/functions");
    expect(fns.body.data.map((f) => f.id)).toContain("autodetect-v3-memo");

    const sent = await app.send({ name: app.ev("memo"), data: { n: 1 } });
    expect(sent.status).toBe(200);
    const eventId = sent.body.ids?.[0];
    expect(eventId, "the SDK's send returns the stored event id").toBeTypeOf("string");
    const run = await waitForRun(server, eventId as string, "autodetect-v3-memo");
    expect(run.status).toBe("Completed");
  });
});
