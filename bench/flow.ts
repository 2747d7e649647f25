import { pathToFileURL } from "node:url";

import {
  buildOnce,
  type Client,
  clock,
  completedRuns,
  type Dialect,
  fmtMs,
  fmtRate,
  type FunctionEndpoint,
  machine,
  percentile,
  postgresAvailable,
  registerFunction,
  sleep,
  startFunctionEndpoint,
  withStepwise,
  waitUntil,
} from "./support";

/**
 * Flow-control benchmark (issue 5), on SQLite and PostgreSQL:
 *  - fairness: with `concurrency: {limit: 10, key: "event.data.user"}`, one user floods 10,000
 *    events while another sends 10, 100 ms apart; the small user's event→call latency
 *    (p50/p99), and how much of the flood was still waiting when the small user was done.
 *  - throughput: 1-step HTTP runs completed per second with that keyed limit over 100 users,
 *    next to the same runs with no flow control, both with a backlog sent in batches of 100.
 * `npx tsx bench/flow.ts` runs it alone; `npm run bench -- flow` within the bench suite.
 */
const FLOOD = 10_000;
const SMALL = 10;
const RUNS = Number(process.env.STEPWISE_BENCH_FLOW_RUNS ?? 5000);
const KEYS = 100;

export async function runFlowBench(): Promise<string[]> {
  const dialects: Dialect[] = (await postgresAvailable()) ? ["sqlite", "postgres"] : ["sqlite"];
  const lines: string[] = [];
  const endpoint = await startFunctionEndpoint();
  try {
    for (const dialect of dialects) {
      // Fairness on a server of its own: the rest of the flood goes away with it.
      await withStepwise(dialect, [], async (client) => {
        await register(client, endpoint, "fair", ["flow.fair.big", "flow.fair.small"], {
          concurrency: { limit: 10, key: "event.data.user" },
        });
        const fair = await fairness(client, endpoint);
        lines.push(
          `${dialect.padEnd(8)} fairness: small user's event→call p50 ${fmtMs(fair.p50)}, p99 ${fmtMs(fair.p99)} ` +
            `(${SMALL} events during a ${FLOOD.toLocaleString("en-US")}-event flood by another user, ` +
            `${fair.floodLeft.toLocaleString("en-US")} of it still waiting when the small user was done)`,
        );
      });

      await withStepwise(dialect, [], async (client) => {
        await register(client, endpoint, "keyed", ["flow.keyed"], { concurrency: { limit: 10, key: "event.data.user" } });
        await register(client, endpoint, "plain", ["flow.plain"], {});
        const plain = await throughput(client, "flow.plain", RUNS);
        const keyed = await throughput(client, "flow.keyed", RUNS);
        lines.push(
          `${dialect.padEnd(8)} 1-step runs completed/s (${RUNS.toLocaleString("en-US")} queued): ` +
            `no flow control ${fmtRate(plain)}, concurrency {limit 10, key} over ${KEYS} keys ${fmtRate(keyed)} ` +
            `(${Math.round((keyed / plain) * 100)}%)`,
        );
      });
    }
  } finally {
    await endpoint.close();
  }
  lines.push(`(${machine()})`);
  return lines;
}

/** Registers the function and waits until a probe event reaches it (the server is warm). */
async function register(
  client: Client,
  endpoint: FunctionEndpoint,
  id: string,
  events: string[],
  config: Record<string, unknown>,
): Promise<void> {
  await registerFunction(client, endpoint, id, events, config);
  const probe = events[0] as string;
  const before = endpoint.count(probe);
  await client.post("/e/bench-key", { name: probe, data: { user: "probe" } });
  if (!(await waitUntil(() => endpoint.count(probe) > before, 10_000))) throw new Error(`${id} was never called`);
}

async function fairness(client: Client, endpoint: FunctionEndpoint) {
  const bigBefore = endpoint.count("flow.fair.big");
  const flood = sendInBatches(client, FLOOD, 500, () => ({ name: "flow.fair.big", data: { user: "big" } }));
  // The small user starts once the flood is being worked on.
  await waitUntil(() => endpoint.count("flow.fair.big") - bigBefore >= 100, 60_000, 5);
  const before = endpoint.delays("flow.fair.small").length;
  for (let i = 0; i < SMALL; i++) {
    await client.post("/e/bench-key", { name: "flow.fair.small", data: { user: "small", t: clock(), i } });
    await sleep(100);
  }
  await waitUntil(() => endpoint.delays("flow.fair.small").length - before >= SMALL, 60_000, 5);
  const floodLeft = FLOOD - (endpoint.count("flow.fair.big") - bigBefore);
  const delays = endpoint.delays("flow.fair.small").slice(before);
  // All of the flood is in (its runs are not waited for).
  await flood;
  return { p50: percentile(delays, 50), p99: percentile(delays, 99), floodLeft };
}

async function throughput(client: Client, name: string, n: number): Promise<number> {
  const warm = Math.max(200, Math.round(n / 10));
  const measure = async (count: number) => {
    const base = await completedRuns(client);
    const t0 = clock();
    await sendInBatches(client, count, 100, (i) => ({ name, data: { user: `u${i % KEYS}` } }));
    const ok = await waitUntil(async () => (await completedRuns(client)) - base >= count, 300_000, 20);
    if (!ok) throw new Error(`${name}: ${count} runs did not complete in 5 minutes`);
    return count / ((clock() - t0) / 1000);
  };
  await measure(warm);
  return measure(n);
}

/** `n` events in requests of `size`, four requests in flight. */
async function sendInBatches(
  client: Client,
  n: number,
  size: number,
  event: (i: number) => { name: string; data: Record<string, unknown> },
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const start = next;
      const count = Math.min(size, n - next);
      next += count;
      const res = await client.post(
        "/e/bench-key",
        Array.from({ length: count }, (_, i) => event(start + i)),
      );
      if (res.status !== 200) throw new Error(`sending failed: ${res.status}`);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  buildOnce();
  console.log("flow");
  for (const line of await runFlowBench()) console.log(`  ${line}`);
}
