import http from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildTimeline } from "@/components/runs/timeline-model";
import type { RunDetail } from "@/lib/contracts/runs";

import { skipWithoutDatabase } from "../support/db";
import { freePort, sendEvents, startSyncedSdkApps, stepsOf, trigger, waitForRun, type SdkApp } from "../support/sdk-app";
import { api, startServer, waitFor, type TestServer } from "../support/server";

const skip = await skipWithoutDatabase();

const AI_KEY = `sk-stepwise-test-${Math.random().toString(36).slice(2)}`;

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A local HTTP server that records every request and answers with `reply`. */
async function recorder(reply: (req: Seen, res: http.ServerResponse) => void) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const r = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      seen.push(r);
      reply(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { seen, origin, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * The step tools the server carries out itself, with the real SDK: step.waitForSignal and
 * POST /v1/signals (inngest.sendSignal, step.sendSignal), step.fetch and step.ai.infer.
 */
describe.skipIf(skip)("SDK signals, step.fetch and step.ai.infer", () => {
  let server: TestServer;
  const apps = new Map<3 | 4, SdkApp>();
  let target: Awaited<ReturnType<typeof recorder>>;
  let provider: Awaited<ReturnType<typeof recorder>>;

  beforeAll(async () => {
    server = await startServer();
    target = await recorder((req, res) => {
      if (req.url === "/big") {
        // more than the 4 MiB cap, in chunks
        res.writeHead(200, { "content-type": "text/plain" });
        const chunk = "x".repeat(64 * 1024);
        for (let i = 0; i < 80; i++) res.write(chunk);
        res.end();
        return;
      }
      res.writeHead(201, { "content-type": "text/plain", "x-reply": "yes" });
      res.end(`echo:${req.method}:${req.body}`);
    });
    provider = await recorder((req, res) => {
      if (req.url.includes("fail")) {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: "bad model" } }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      const prompt = (JSON.parse(req.body) as { messages: { content: string }[] }).messages[0]?.content;
      res.end(JSON.stringify({ id: "cmpl-1", choices: [{ message: { role: "assistant", content: `you said ${prompt}` } }] }));
    });
    await startSyncedSdkApps(server, apps, (version) => ({
      appId: `steps-v${version}`,
      script: "steps-fixture-app.mjs",
      env: { AI_KEY },
    }));
  });
  afterAll(async () => {
    await Promise.all([...apps.values()].map((a) => a.stop()));
    await target?.close();
    await provider?.close();
    await server?.dispose();
  });

  it("POST /v1/signals: 404 JSON when nobody waits, 400 naming the field for bad bodies", async () => {
    const none = await api<{ error: string; code: string; field: string }>(server, "POST", "/v1/signals", {
      signal: "nobody-waits",
      data: {},
    });
    expect(none.status).toBe(404);
    expect(none.body.code).toBe("not_found");
    expect(none.body.error).toContain("nobody-waits");

    for (const body of [{ data: 1 }, { signal: 5 }, { signal: "" }]) {
      const bad = await api<{ code: string; field: string }>(server, "POST", "/v1/signals", body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body.field).toBe("signal");
    }
    const notJson = await api<{ code: string }>(server, "POST", "/v1/signals", "{oops");
    expect(notJson.status).toBe(400);
    expect(notJson.body.code).toBe("invalid_json");
  });

  describe.each([3, 4] as const)("v%i", (version) => {
    const app = () => apps.get(version) as SdkApp;
    const fnId = (id: string) => `${app().appId}-${id}`;
    const sig = (name: string) => `${name}-v${version}-${Math.random().toString(36).slice(2, 8)}`;

    /** starts a signal-waiter run and waits until its signal wait is registered */
    async function startWaiter(data: Record<string, unknown>) {
      const [eventId] = await sendEvents(server, { name: app().ev("signal-wait"), data });
      const running = await waitForRun(server, eventId as string, fnId("signal-waiter"), ["Running"]);
      await waitFor(
        async () => (await stepsOf(server, running.run_id)).some((s) => s.op === "WaitForSignal"),
        10_000,
        "the signal wait",
      );
      return { eventId: eventId as string, runId: running.run_id };
    }

    it("waitForSignal resumes with {signal, data} from POST /v1/signals", async () => {
      const signal = sig("resume");
      const waiter = await startWaiter({ signal });
      // the dashboard: the open wait names its signal, the timeline row says what the step is
      const waiting = (await api<RunDetail>(server, "GET", `/api/v1/runs/${waiter.runId}`)).body;
      expect(waiting.waits).toMatchObject([{ kind: "signal", signal }]);
      const row = buildTimeline(waiting, Date.now()).rows.find((r) => r.op === "WaitForSignal");
      expect(row?.sublabel).toBe("step.waitForSignal");
      expect(row?.summary).toMatch(/^waiting /);

      const res = await api<{ data: { run_id: string } }>(server, "POST", "/v1/signals", { signal, data: { ok: 1 } });
      expect(res.status).toBe(200);
      expect(res.body.data.run_id).toBe(waiter.runId);
      const run = await waitForRun(server, waiter.eventId, fnId("signal-waiter"));
      expect(run.status).toBe("Completed");
      expect(run.output).toEqual({ got: { signal, data: { ok: 1 } } });
      const done = (await api<RunDetail>(server, "GET", `/api/v1/runs/${waiter.runId}`)).body;
      const step = done.steps.find((s) => s.op === "WaitForSignal");
      expect(step).toMatchObject({
        status: "Completed",
        input: { signal, onConflict: "fail" },
        output: { signal, data: { ok: 1 } },
      });
      expect(buildTimeline(done, Date.now()).rows.find((r) => r.op === "WaitForSignal")?.summary).toMatch(/^waited /);
      // the signal was consumed
      expect((await api(server, "POST", "/v1/signals", { signal })).status).toBe(404);
    });

    it("inngest.sendSignal and step.sendSignal reach the waiting run", async () => {
      const signal = sig("sdk");
      const waiter = await startWaiter({ signal });
      const sender = await trigger(server, app().ev("signal-send"), { signal, data: { from: "step" } }, fnId("signal-sender"));
      expect(sender.status).toBe("Completed");
      expect(sender.output).toEqual({ sent: { runId: waiter.runId } });
      const run = await waitForRun(server, waiter.eventId, fnId("signal-waiter"));
      expect(run.output).toEqual({ got: { signal, data: { from: "step" } } });

      // the client call, and its "nobody waits" answer (the SDK reads 404 as no run)
      const second = await startWaiter({ signal });
      const sent = await api<{ runId?: string }>({ url: app().origin }, "POST", "/__signal", { signal, data: 2 });
      expect(sent.body.runId).toBe(second.runId);
      const none = await api<{ runId?: string }>({ url: app().origin }, "POST", "/__signal", { signal, data: 3 });
      expect(none.status).toBe(200);
      expect(none.body.runId).toBeUndefined();
    });

    it("waitForSignal resolves to null on timeout", async () => {
      const run = await trigger(
        server,
        app().ev("signal-wait"),
        { signal: sig("timeout"), timeout: "1s" },
        fnId("signal-waiter"),
      );
      expect(run.status).toBe("Completed");
      expect(run.output).toEqual({ got: null });
    });

    it('onConflict "fail": a second waiter fails with a clear error, the first keeps the signal', async () => {
      const signal = sig("fail");
      const first = await startWaiter({ signal });
      const [secondEvent] = await sendEvents(server, { name: app().ev("signal-wait"), data: { signal, onConflict: "fail" } });
      const second = await waitForRun(server, secondEvent as string, fnId("signal-waiter"));
      expect(second.status).toBe("Failed");
      expect(second.error?.message).toContain(`already waiting for signal "${signal}"`);
      const steps = await stepsOf(server, second.run_id);
      expect(steps.find((s) => s.op === "WaitForSignal")?.status).toBe("Failed");

      const res = await api<{ data: { run_id: string } }>(server, "POST", "/v1/signals", { signal, data: "first" });
      expect(res.body.data.run_id).toBe(first.runId);
      expect((await waitForRun(server, first.eventId, fnId("signal-waiter"))).output).toEqual({ got: { signal, data: "first" } });
    });

    it('onConflict "replace": the new waiter takes the signal, the old one times out with null', async () => {
      const signal = sig("replace");
      const old = await startWaiter({ signal, timeout: "3s" });
      const newer = await startWaiter({ signal, onConflict: "replace" });
      const res = await api<{ data: { run_id: string } }>(server, "POST", "/v1/signals", { signal, data: "new" });
      expect(res.body.data.run_id).toBe(newer.runId);
      expect((await waitForRun(server, newer.eventId, fnId("signal-waiter"))).output).toEqual({ got: { signal, data: "new" } });
      const oldRun = await waitForRun(server, old.eventId, fnId("signal-waiter"));
      expect(oldRun.status).toBe("Completed");
      expect(oldRun.output).toEqual({ got: null });
    });

    it("cancelling a run removes its signal wait", async () => {
      const signal = sig("cancel");
      const waiter = await startWaiter({ signal });
      const cancelled = await api<{ cancelled: boolean }>(server, "POST", `/api/v1/runs/${waiter.runId}/cancel`);
      expect(cancelled.body.cancelled).toBe(true);
      expect((await api(server, "POST", "/v1/signals", { signal })).status).toBe(404);
      // and the signal is free for another run
      const next = await startWaiter({ signal });
      expect((await api<{ data: { run_id: string } }>(server, "POST", "/v1/signals", { signal })).body.data.run_id).toBe(
        next.runId,
      );
    });

    it("step.fetch: the server makes the request and the run gets the response", async () => {
      const before = target.seen.length;
      const url = `${target.origin}/echo?v=${version}`;
      const run = await trigger(server, app().ev("fetch"), { url, body: `hello v${version}` }, fnId("fetcher"));
      expect(run.status).toBe("Completed");
      expect(run.output).toEqual({ status: 201, body: `echo:POST:hello v${version}`, reply: "yes" });
      const requests = target.seen.slice(before).filter((r) => r.url === `/echo?v=${version}`);
      expect(requests).toHaveLength(1);
      expect(requests[0]?.method).toBe("POST");
      expect(requests[0]?.headers["x-test"]).toBe("yes");
      expect(requests[0]?.body).toBe(`hello v${version}`);

      const detail = (await api<RunDetail>(server, "GET", `/api/v1/runs/${run.run_id}`)).body;
      const step = detail.steps.find((s) => s.op === "Gateway");
      expect(step?.status).toBe("Completed");
      expect(step?.input).toMatchObject({ url, method: "POST", body: `hello v${version}`, headers: { "x-test": "yes" } });
      expect(step?.output).toMatchObject({ url, status_code: 201, body: `echo:POST:hello v${version}` });
      expect((step?.output as { headers: Record<string, string> }).headers["x-reply"]).toBe("yes");
      expect(step?.endedAt).not.toBeNull();
      expect(buildTimeline(detail, Date.now()).rows.find((r) => r.op === "Gateway")?.sublabel).toBe("step.fetch");
    });

    it("step.fetch: a network error is retried as a step error, an oversized answer fails the step", async () => {
      const closed = await freePort();
      const down = await trigger(server, app().ev("fetch"), { url: `http://127.0.0.1:${closed}/x`, body: "b" }, fnId("fetcher"));
      expect(down.status).toBe("Failed");
      const downSteps = await stepsOf(server, down.run_id);
      const attempts = downSteps.filter((s) => s.op === "Gateway");
      expect(attempts.length).toBeGreaterThan(1);
      expect(attempts[0]?.status).toBe("Errored");
      expect(attempts[0]?.error).toContain("connection refused");
      expect(attempts.at(-1)?.status).toBe("Failed");

      const big = await trigger(server, app().ev("fetch"), { url: `${target.origin}/big`, method: "GET" }, fnId("fetcher"));
      expect(big.status).toBe("Failed");
      const bigSteps = (await stepsOf(server, big.run_id)).filter((s) => s.op === "Gateway");
      expect(bigSteps).toHaveLength(1);
      expect(bigSteps[0]?.error).toContain("4 MiB");
    });

    it("step.ai.infer: the server calls the provider with the key; the key is never shown", async () => {
      const before = provider.seen.length;
      const prompt = `ping v${version}`;
      const run = await trigger(server, app().ev("infer"), { baseUrl: `${provider.origin}/v1/`, prompt }, fnId("inferrer"));
      expect(run.status).toBe("Completed");
      const answer = { id: "cmpl-1", choices: [{ message: { role: "assistant", content: `you said ${prompt}` } }] };
      expect(run.output).toEqual({ out: answer });
      const calls = provider.seen.slice(before);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.url).toBe("/v1/chat/completions");
      expect(calls[0]?.headers.authorization).toBe(`Bearer ${AI_KEY}`);
      expect(JSON.parse(calls[0]?.body ?? "{}")).toMatchObject({
        model: "gpt-test",
        messages: [{ role: "user", content: prompt }],
      });

      const detail = await api<RunDetail>(server, "GET", `/api/v1/runs/${run.run_id}`);
      const step = detail.body.steps.find((s) => s.op === "AIGateway");
      expect(step?.status).toBe("Completed");
      expect(step?.output).toEqual(answer);
      expect(step?.input).toMatchObject({ auth_key: "[redacted]", format: "openai-chat" });
      expect(buildTimeline(detail.body, Date.now()).rows.find((r) => r.op === "AIGateway")?.sublabel).toBe("step.ai.infer");
      const v1 = await api(server, "GET", `/v1/runs/${run.run_id}`);
      for (const text of [
        JSON.stringify(detail.body),
        JSON.stringify(v1.body),
        JSON.stringify(await stepsOf(server, run.run_id)),
      ])
        expect(text).not.toContain(AI_KEY);
    });

    it("step.ai.infer: anthropic's key goes in x-api-key; a rejected request fails the step", async () => {
      const before = provider.seen.length;
      const run = await trigger(
        server,
        app().ev("infer"),
        { baseUrl: `${provider.origin}/anthropic/`, prompt: "hi", format: "anthropic" },
        fnId("inferrer"),
      );
      expect(run.status).toBe("Completed");
      const call = provider.seen.slice(before)[0];
      expect(call?.url).toBe("/anthropic/messages");
      expect(call?.headers["x-api-key"]).toBe(AI_KEY);
      expect(call?.headers["anthropic-version"]).toBe("2023-06-01");
      expect(call?.headers.authorization).toBeUndefined();

      const failed = await trigger(
        server,
        app().ev("infer"),
        { baseUrl: `${provider.origin}/fail/`, prompt: "x" },
        fnId("inferrer"),
      );
      expect(failed.status).toBe("Failed");
      const steps = (await stepsOf(server, failed.run_id)).filter((s) => s.op === "AIGateway");
      expect(steps).toHaveLength(1);
      expect(steps[0]?.status).toBe("Failed");
      expect(steps[0]?.error).toContain("HTTP 400");
      expect(JSON.stringify(steps)).not.toContain(AI_KEY);
    });
  });
});
