import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { skipWithoutDatabase } from "../support/db";
import { startFunctionApp, type FunctionApp } from "../support/function-app";
import { sendEvents } from "../support/sdk-app";
import { api, startServer, waitFor, type TestServer } from "../support/server";

const skip = await skipWithoutDatabase();

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
};

// With a per-user concurrency key, one user flooding 10,000 events must not starve another
// user who sends 10: each key is its own virtual queue, and leasing serves queues, not items.
describe.skipIf(skip)("flow control: fairness between concurrency keys", () => {
  let server: TestServer;
  let fnApp: FunctionApp;

  beforeAll(async () => {
    server = await startServer();
    fnApp = await startFunctionApp(async () => {
      await new Promise((r) => setTimeout(r, 10));
      return { body: { ok: true } };
    });
  });
  afterAll(async () => {
    await fnApp?.close();
    await server?.dispose();
  });

  it("a user sending 10 events starts them promptly while another floods 10,000", async () => {
    const created = await api(server, "POST", "/api/v1/functions", {
      id: "fair",
      name: "fair",
      triggers: [{ event: "fair/job" }],
      url: `${fnApp.url}/fair`,
      concurrency: { limit: 5, key: "event.data.user" },
    });
    expect(created.status).toBe(201);

    let floodSent = 0;
    const flood = (async () => {
      for (let batch = 0; batch < 20; batch++) {
        await sendEvents(
          server,
          Array.from({ length: 500 }, (_, i) => ({ name: "fair/job", data: { user: "big", n: batch * 500 + i } })),
        );
        floodSent += 500;
      }
    })();
    // Settled at the end (the server may be gone by then if the test failed).
    flood.catch(() => undefined);
    // The small user starts once the flood is under way: being sent and being worked on.
    await waitFor(() => Promise.resolve(floodSent >= 1000 && fnApp.calls.length >= 20), 60_000, "the flood to be running");
    const sentAt = new Map<number, number>();
    const smallIds = new Map<number, string>();
    for (let n = 0; n < 10; n++) {
      sentAt.set(n, Date.now());
      const [id] = await sendEvents(server, { name: "fair/job", data: { user: "small", n } });
      smallIds.set(n, id as string);
      await new Promise((r) => setTimeout(r, 100));
    }
    const small = await waitFor(
      () => {
        const calls = fnApp.calls.filter((c) => c.body.event.data.user === "small");
        return Promise.resolve(calls.length === 10 ? calls : null);
      },
      30_000,
      "the small user's 10 runs",
    );
    const bigDone = fnApp.calls.filter((c) => c.body.event.data.user === "big").length;
    const latencies = small.map((c) => c.at - (sentAt.get(c.body.event.data.n as number) as number));
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log(
      `[fairness] small user's event→start: p50 ${p50} ms, p99 ${p99} ms, while the big user had ${10_000 - bigDone} of 10,000 still to start`,
    );
    // Where the slowest one's time went (received → run created → run started → call).
    const slowest = small.reduce((a, b) =>
      a.at - (sentAt.get(a.body.event.data.n as number) as number) > b.at - (sentAt.get(b.body.event.data.n as number) as number)
        ? a
        : b,
    );
    const n = slowest.body.event.data.n as number;
    const event = await api<{ data: { received_at: string } }>(server, "GET", `/v1/events/${smallIds.get(n)}`);
    const run = await api<{ data: { queued_at: string; run_started_at: string } }>(
      server,
      "GET",
      `/v1/runs/${slowest.body.run_id}`,
    );
    const sent = sentAt.get(n) as number;
    console.log(
      `[fairness] slowest small event: received +${Date.parse(event.body.data.received_at) - sent} ms, run created ` +
        `+${Date.parse(run.body.data.queued_at) - sent} ms, started +${Date.parse(run.body.data.run_started_at) - sent} ms, ` +
        `called +${slowest.at - sent} ms`,
    );
    // The big user's backlog was still there: the small user did not wait behind it.
    expect(bigDone).toBeLessThan(9000);
    expect(p50).toBeLessThan(1000);
    expect(p99).toBeLessThan(3000);
    // The rest of the flood is not waited for: the server goes away with it.
  }, 120_000);
});
