import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { V1Run } from "@/lib/contracts/v1";

import { skipWithoutDatabase } from "../support/db";
import { startFunctionApp, type FunctionApp, type RecordedCall, type Reply } from "../support/function-app";
import { api, startServer, waitFor, type TestServer } from "../support/server";
import { endedRun, getRun, query, register, send, sleep, unique } from "./helpers";

/**
 * Executing HTTP functions: retries with exponential backoff (the server runs with
 * --retry-base-ms 100), which statuses are retried, timeouts, network errors, and the run's
 * status and timestamps from Queued to Completed, Failed or Cancelled.
 */
const skip = await skipWithoutDatabase();
const BASE_MS = 100;

describe.skipIf(skip)("executing HTTP functions", () => {
  let server: TestServer;
  let app: FunctionApp;
  const handlers = new Map<string, (call: RecordedCall) => Reply>();

  beforeAll(async () => {
    [server, app] = await Promise.all([
      startServer(),
      startFunctionApp((call) => handlers.get(call.path.slice(1))?.(call) ?? { status: 404, body: { error: "no handler" } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([server?.dispose(), app?.close()]);
  });

  /** Registers a function whose endpoint behaves as `handler`; answers a send() for its event. */
  async function fn(config: Record<string, unknown>, handler: (call: RecordedCall) => Reply) {
    const name = unique("exec");
    handlers.set(name, handler);
    await register(server, { name, id: name, url: `${app.url}/${name}`, triggers: [{ event: name }], ...config });
    return {
      name,
      calls: () => app.calls.filter((c) => c.path === `/${name}`),
      trigger: async (data: Record<string, unknown> = {}) => (await send(server, { name, data }))[0] as string,
    };
  }

  const stepsOf = (runId: string) =>
    query<{ status: string; attempt: number; error: string | null }>(
      server,
      `SELECT status, attempt, error FROM steps WHERE run_id = ? ORDER BY seq`,
      [runId],
    );

  it("retries a failing call with exponential backoff until it succeeds", async () => {
    const f = await fn({}, (c) =>
      c.body.attempt < 3 ? { status: 500, body: { message: "try again" } } : { body: { done: c.body.attempt } },
    );
    const run = await endedRun(server, await f.trigger());
    expect(run.status).toBe("Completed");
    expect(run.output).toEqual({ done: 3 });
    const calls = f.calls();
    expect(calls.map((c) => c.body.attempt)).toEqual([0, 1, 2, 3]);
    expect(new Set(calls.map((c) => c.body.run_id))).toEqual(new Set([run.run_id]));
    // The wait before retry i is base·2^i with ±50% jitter, so at least half of it (50, 100,
    // 200 ms): the lower bounds prove the doubling; the machine's noise only adds time.
    const gaps = calls.slice(1).map((c, i) => c.at - (calls[i] as RecordedCall).at);
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual((BASE_MS * 2 ** i) / 2 - 10));
    expect(gaps.reduce((a, b) => a + b, 0)).toBeLessThan(BASE_MS * (1 + 2 + 4) * 1.5 + 2000);
    // One step row per attempt: three errored, then the result.
    expect((await stepsOf(run.run_id)).map((s) => [s.status, Number(s.attempt)])).toEqual([
      ["Errored", 0],
      ["Errored", 1],
      ["Errored", 2],
      ["Completed", 3],
    ]);
  });

  it("by default makes 5 attempts (4 retries), then fails the run with the error recorded", async () => {
    const f = await fn({}, () => ({ status: 503, body: { message: "database on fire" } }));
    const run = await endedRun(server, await f.trigger(), 30_000);
    expect(run.status).toBe("Failed");
    expect(f.calls().map((c) => c.body.attempt)).toEqual([0, 1, 2, 3, 4]);
    expect(run.error).toMatchObject({ name: "HTTPError", status: 503 });
    expect((run.error as { message: string }).message).toMatch(/HTTP 503: database on fire/);
    expect(run.output).toBeNull();
    const steps = await stepsOf(run.run_id);
    expect(steps.map((s) => s.status)).toEqual(["Errored", "Errored", "Errored", "Errored", "Failed"]);
  });

  it("`retries` per function sets the number of attempts", async () => {
    const none = await fn({ retries: 0 }, () => ({ status: 500 }));
    const two = await fn({ retries: 2 }, () => ({ status: 500 }));
    const [a, b] = await Promise.all([none.trigger(), two.trigger()]);
    expect((await endedRun(server, a)).status).toBe("Failed");
    expect((await endedRun(server, b)).status).toBe("Failed");
    expect(none.calls()).toHaveLength(1);
    expect(two.calls()).toHaveLength(3);
  });

  it("400 and 404 fail at once; 408 and 429 are retried", async () => {
    const results: Record<number, { calls: number; status: string }> = {};
    await Promise.all(
      [400, 404, 408, 429].map(async (status) => {
        const f = await fn({ retries: 2 }, () => ({ status, body: { message: `status ${status}` } }));
        const run = await endedRun(server, await f.trigger(), 30_000);
        results[status] = { calls: f.calls().length, status: run.status };
        expect((run.error as { message: string }).message).toContain(`HTTP ${status}`);
      }),
    );
    expect(results).toEqual({
      400: { calls: 1, status: "Failed" },
      404: { calls: 1, status: "Failed" },
      408: { calls: 3, status: "Failed" },
      429: { calls: 3, status: "Failed" },
    });
  });

  it("honours Retry-After on a 429", async () => {
    const f = await fn({ retries: 1 }, (c) =>
      c.body.attempt === 0 ? { status: 429, headers: { "retry-after": "1" } } : { body: "ok" },
    );
    const run = await endedRun(server, await f.trigger());
    expect(run.status).toBe("Completed");
    const [first, second] = f.calls();
    expect((second as RecordedCall).at - (first as RecordedCall).at).toBeGreaterThanOrEqual(950);
  });

  it("a call that outlives the function's timeout fails as a timeout (and is retried)", async () => {
    const f = await fn({ timeout: 300, retries: 1 }, () => ({ delayMs: 2500, body: { late: true } }));
    const started = Date.now();
    const run = await endedRun(server, await f.trigger());
    expect(run.status).toBe("Failed");
    expect(run.error).toMatchObject({ name: "TimeoutError" });
    expect((run.error as { message: string }).message).toMatch(/300ms/);
    expect(f.calls()).toHaveLength(2);
    // Two 300 ms attempts and a short backoff, not two 2.5 s answers.
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it("an unreachable endpoint is a retried network error", async () => {
    const name = unique("unreachable");
    await register(server, { name, id: name, url: "http://127.0.0.1:9/nothing", triggers: [{ event: name }], retries: 1 });
    const [id] = await send(server, { name });
    const run = await endedRun(server, id as string);
    expect(run.status).toBe("Failed");
    expect(run.error).toMatchObject({ name: "NetworkError" });
    const steps = await stepsOf(run.run_id);
    expect(steps.map((s) => s.status)).toEqual(["Errored", "Failed"]);
  });

  it("an empty 2xx answer completes the run with a null output", async () => {
    const f = await fn({}, () => ({ body: undefined }));
    const run = await endedRun(server, await f.trigger());
    expect(run).toMatchObject({ status: "Completed", output: null });
  });

  it("statuses and timestamps: Queued → Running → Completed, in order", async () => {
    // Concurrency 1 holds the second run in Queued while the first one is Running.
    const f = await fn({ concurrency: 1 }, () => ({ delayMs: 700, body: { ok: true } }));
    const first = await f.trigger();
    const second = await f.trigger();
    const running = await waitFor(async () => {
      const [r] = (await api<{ data: V1Run[] }>(server, "GET", `/v1/events/${first}/runs`)).body.data;
      return r?.status === "Running" ? r : null;
    }, 5000);
    expect(running.run_started_at).not.toBeNull();
    expect(running.ended_at).toBeNull();
    const [queued] = (await api<{ data: V1Run[] }>(server, "GET", `/v1/events/${second}/runs`)).body.data;
    expect(queued).toMatchObject({ status: "Queued", run_started_at: null, ended_at: null });

    for (const id of [first, second]) {
      const done = await endedRun(server, id);
      expect(done.status).toBe("Completed");
      const queuedAt = Date.parse(done.queued_at);
      const startedAt = Date.parse(done.run_started_at as string);
      const endedAt = Date.parse(done.ended_at as string);
      expect(queuedAt).toBeLessThanOrEqual(startedAt);
      expect(endedAt - startedAt).toBeGreaterThanOrEqual(650);
    }
    // The second started only after the first ended.
    const a = await endedRun(server, first);
    const b = await endedRun(server, second);
    expect(Date.parse(b.run_started_at as string)).toBeGreaterThanOrEqual(Date.parse(a.ended_at as string));
  });

  it("runs many calls at once, up to --workers", async () => {
    const limited = await startServer({ args: ["--workers", "3"] });
    try {
      let inFlight = 0;
      let most = 0;
      const counter = await startFunctionApp(async () => {
        most = Math.max(most, ++inFlight);
        await sleep(300);
        inFlight--;
        return { body: { ok: true } };
      });
      try {
        await register(limited, { name: "pooled", url: `${counter.url}/pooled`, triggers: [{ event: "pool/test" }] });
        const ids = await send(
          limited,
          Array.from({ length: 12 }, () => ({ name: "pool/test" })),
        );
        for (const id of ids) expect((await endedRun(limited, id)).status).toBe("Completed");
        expect(most).toBe(3);
      } finally {
        await counter.close();
      }
    } finally {
      await limited.dispose();
    }
  });

  it("Cancelled: a running run and a queued run, through DELETE /v1/runs/<id>", async () => {
    const f = await fn({ concurrency: 1 }, () => ({ delayMs: 800, body: { finished: true } }));
    const first = await f.trigger();
    const second = await f.trigger();
    const running = await waitFor(async () => {
      const [r] = (await api<{ data: V1Run[] }>(server, "GET", `/v1/events/${first}/runs`)).body.data;
      return r?.status === "Running" ? r : null;
    }, 5000);
    const [queued] = (await api<{ data: V1Run[] }>(server, "GET", `/v1/events/${second}/runs`)).body.data;

    const cancelQueued = await api<{ data: V1Run }>(server, "DELETE", `/v1/runs/${(queued as V1Run).run_id}`);
    expect(cancelQueued.status).toBe(200);
    expect(cancelQueued.body.data).toMatchObject({ status: "Cancelled", run_started_at: null });
    expect(cancelQueued.body.data.ended_at).not.toBeNull();

    const cancelRunning = await api<{ data: V1Run }>(server, "DELETE", `/v1/runs/${running.run_id}`);
    expect(cancelRunning.body.data.status).toBe("Cancelled");
    // The call in flight finishes, but its answer no longer changes the run.
    await waitFor(async () => f.calls().length === 1 && (await sleep(1200), true), 5000);
    expect(await getRun(server, running.run_id)).toMatchObject({ status: "Cancelled", output: null });
    expect(f.calls()).toHaveLength(1); // the queued run was never called
    // Cancelling an ended run changes nothing; an unknown run is a 404.
    expect((await api<{ data: V1Run }>(server, "DELETE", `/v1/runs/${running.run_id}`)).body.data.status).toBe("Cancelled");
    expect((await api(server, "DELETE", "/v1/runs/01NOTARUN")).status).toBe(404);
  });
});
