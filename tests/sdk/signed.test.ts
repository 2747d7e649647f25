import { createHash, randomBytes } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { AppDto } from "@/lib/contracts/apps";

import { skipWithoutDatabase } from "../support/db";
import { startFunctionApp, type FunctionApp } from "../support/function-app";
import { sendEvents, startSdkApp, stepsOf, waitForRun, type SdkApp } from "../support/sdk-app";
import { api, startServer, type TestServer } from "../support/server";

const skip = await skipWithoutDatabase();

const newKey = () => `signkey-test-${randomBytes(32).toString("hex")}`;
/** What SDKs send as Bearer (reference §1.4). */
const hashed = (key: string) => {
  const [, prefix = "", hex = ""] = /^(signkey-\w+-)(.*)$/.exec(key) ?? [];
  return prefix + createHash("sha256").update(Buffer.from(hex, "hex")).digest("hex");
};

/**
 * `stepwise start` with a signing key and an event key, and apps in cloud mode with the same
 * keys (INNGEST_SIGNING_KEY, INNGEST_EVENT_KEY, INNGEST_BASE_URL, INNGEST_DEV=0): every call is
 * signed and every answer verified, both ways; unsigned or forged traffic is refused.
 */
describe.skipIf(skip)("signed mode (stepwise start)", () => {
  const signingKey = newKey();
  const eventKey = `evt-${randomBytes(8).toString("hex")}`;
  let server: TestServer;
  const apps = new Map<3 | 4, SdkApp>();
  let impostor: FunctionApp;

  beforeAll(async () => {
    server = await startServer({ mode: "start", args: ["--event-key", eventKey, "--signing-key", signingKey, "--no-poll"] });
    for (const version of [3, 4] as const)
      apps.set(version, await startSdkApp({ version, serverUrl: server.url, appId: `signed-v${version}`, signingKey, eventKey }));
    // Answers like an SDK, but cannot sign.
    impostor = await startFunctionApp(() => ({
      status: 200,
      body: { stolen: true },
      headers: { "x-inngest-sdk": "js:v4.24.0" },
    }));
  });
  afterAll(async () => {
    await Promise.all([...apps.values()].map((a) => a.stop()));
    await impostor?.close();
    await server?.dispose();
  });

  describe.each([3, 4] as const)("v%i", (version) => {
    const app = () => apps.get(version) as SdkApp;

    it("syncs with a signed PUT (in-band) and runs steps over signed calls", async () => {
      const added = await api<AppDto>(server, "POST", "/api/v1/apps", { url: app().url });
      expect(added.status).toBe(201);
      expect(added.body.syncError).toBeNull();
      expect(added.body.syncKind).toBe("in_band");

      const [id] = (await app().send({ name: app().ev("memo"), data: { name: "signed" } })).body.ids ?? [];
      const run = await waitForRun(server, id as string, `${app().appId}-memo`);
      expect(run.status).toBe("Completed");
      expect(run.output).toEqual({ c: "ABC", name: "signed" });
      // v4 checkpointed its steps (accepted: the whole run took one call); v3 made one call per step.
      const stats = await app().stats();
      if (version === 4) {
        expect(stats.serverCalls.checkpoint).toBeGreaterThanOrEqual(2);
        expect(stats.counts[`calls:${run.run_id}`]).toBe(1);
      } else expect(stats.counts[`calls:${run.run_id}`]).toBe(4);
    });

    it("the SDK's own out-of-band registration carries the hashed key", async () => {
      const put = await fetch(app().url, { method: "PUT" });
      const body = (await put.json()) as { message: string };
      expect(put.status, body.message).toBe(200);
      const apps = await api<{ data: AppDto[] }>(server, "GET", "/api/v1/apps");
      expect(apps.body.data.find((a) => a.id === app().appId)?.syncKind).toBe("out_of_band");
    });

    it("waits work signed too; /e/ refuses another event key", async () => {
      const data = { id: "s", timeout: "1s" };
      const wrong = await api(server, "POST", "/e/not-the-key", { name: app().ev("wait"), data });
      expect(wrong.status).toBe(401);
      const [id] = await sendEvents(server, { name: app().ev("wait"), data }, eventKey);
      const done = await waitForRun(server, id as string, `${app().appId}-waiter`);
      expect(done.output).toEqual({ approved: null });
    });
  });

  it("refuses /fn/register without the hashed signing key, or with another one", async () => {
    const body = { url: "http://127.0.0.1:1/api/inngest", appName: "intruder", functions: [] };
    for (const authorization of [undefined, "Bearer undefined", `Bearer ${hashed(newKey())}`]) {
      const res = await api<{ status: number; error: string }>(server, "POST", "/fn/register", body, {
        authorization: authorization ?? "",
      });
      expect(res.status).toBe(401);
      expect(res.body.status).toBe(401);
    }
    const ok = await api(server, "POST", "/fn/register", body, { authorization: `Bearer ${hashed(signingKey)}` });
    expect(ok.status).toBe(200);
  });

  it("refuses the SDK REST endpoints without the key", async () => {
    for (const [method, path] of [
      ["GET", "/v0/runs/01ABC/batch"],
      ["GET", "/v0/runs/01ABC/actions"],
      ["POST", "/v1/checkpoint/01ABC/async"],
      ["POST", "/v1/signals"],
    ] as const) {
      const res = await api(server, method, path, method === "POST" ? { qi_id: "x", steps: [], signal: "s" } : undefined, {
        authorization: "",
      });
      expect(res.status, path).toBe(401);
    }
    // the SDK's own key gets through to the handler (nobody waits for this signal)
    const signal = await api<{ code: string }>(
      server,
      "POST",
      "/v1/signals",
      { signal: "s", data: 1 },
      { authorization: `Bearer ${hashed(signingKey)}` },
    );
    expect(signal.status).toBe(404);
    expect(signal.body.code).toBe("not_found");
  });

  it("an app with another signing key cannot sync", async () => {
    const other = await startSdkApp({ version: 4, serverUrl: server.url, appId: "wrong-key", signingKey: newKey(), eventKey });
    try {
      const added = await api<AppDto>(server, "POST", "/api/v1/apps", { url: other.url });
      expect(added.body.syncError).toMatch(/signing key/);
      expect(added.body.functionCount).toBe(0);

      // Registered anyway (by someone holding the server's key): its calls are refused, and the run says why.
      const fnUrl = `${other.url}?fnId=wrong-key-memo&stepId=step`;
      const step = { id: "step", name: "step", runtime: { type: "http", url: fnUrl }, retries: { attempts: 0 } };
      await api(
        server,
        "POST",
        "/fn/register",
        {
          url: other.url,
          appName: "wrong-key",
          functions: [{ id: "wrong-key-memo", name: "memo", triggers: [{ event: "wrong-key/go" }], steps: { step } }],
        },
        { authorization: `Bearer ${hashed(signingKey)}` },
      );
      const [id] = await sendEvents(server, { name: "wrong-key/go", data: {} }, eventKey);
      const run = await waitForRun(server, id as string, "wrong-key-memo");
      expect(run.status).toBe("Failed");
      expect(run.error?.message).toMatch(/rejected the call's signature/);
    } finally {
      await other.stop();
    }
  });

  it("an answer that is not signed with the key is not trusted", async () => {
    const registered = await api(
      server,
      "POST",
      "/fn/register",
      {
        url: `${impostor.url}/api/inngest`,
        appName: "impostor",
        functions: [
          {
            id: "impostor-fn",
            name: "fn",
            triggers: [{ event: "impostor/go" }],
            steps: {
              step: {
                id: "step",
                name: "step",
                runtime: { type: "http", url: `${impostor.url}/api/inngest?fnId=impostor-fn&stepId=step` },
                retries: { attempts: 0 },
              },
            },
          },
        ],
      },
      { authorization: `Bearer ${hashed(signingKey)}` },
    );
    expect(registered.status).toBe(200);
    const sent = await api<{ ids: string[] }>(server, "POST", `/e/${eventKey}`, { name: "impostor/go", data: {} });
    const run = await waitForRun(server, sent.body.ids[0] as string, "impostor-fn");
    expect(run.status).toBe("Failed");
    expect(run.error?.message).toMatch(/signature/);
    expect(run.output).toBeNull();
    // The call it got was signed.
    expect(String(impostor.calls[0]?.headers["x-inngest-signature"])).toMatch(/^t=\d+&s=[0-9a-f]{64}$/);
    expect((await stepsOf(server, run.run_id)).map((s) => s.status)).toEqual(["Failed"]);
  });

  it("keys never appear in logs or API output", async () => {
    const outputs = await Promise.all(
      ["/api/v1/apps", "/api/v1/functions", "/health"].map(async (p) => JSON.stringify((await api(server, "GET", p)).body)),
    );
    const hex = signingKey.replace(/^signkey-\w+-/, "");
    for (const text of [...outputs, server.logs()]) {
      expect(text).not.toContain(hex);
      expect(text).not.toContain(hashed(signingKey).replace(/^signkey-\w+-/, ""));
      expect(text).not.toContain(eventKey);
    }
  });
});
