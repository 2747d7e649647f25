import { pathToFileURL } from "node:url";

import {
  buildOnce,
  type Client,
  clock,
  completedRuns,
  type Dialect,
  fmtMs,
  machine,
  postgresAvailable,
  registerFunction,
  startFunctionEndpoint,
  withStepwise,
  waitUntil,
} from "./support";

/**
 * Run creation in bulk, on SQLite and PostgreSQL: one request of 5,000 events, each starting a
 * run, timed from sending the request to its answer — the runs are committed with the events,
 * so the answer comes after the last run row (checked: every run is there when it arrives).
 * Once for a function without flow control, once with `concurrency {limit: 10, key}` over
 * 1,000 key values (a partition and a slot per key). The median of a few requests; the runs
 * of each request complete before the next is sent, so they do not compete with it.
 * `npx tsx bench/batch.ts` runs it alone; `npm run bench -- batch` within the bench suite.
 */
const EVENTS = Number(process.env.STEPWISE_BENCH_BATCH_EVENTS ?? 5000);
const REPEATS = Number(process.env.STEPWISE_BENCH_BATCH_REPEATS ?? 5);
const KEYS = 1000;

export async function runBatchBench(): Promise<string[]> {
  const dialects: Dialect[] = (await postgresAvailable()) ? ["sqlite", "postgres"] : ["sqlite"];
  const lines: string[] = [];
  const endpoint = await startFunctionEndpoint();
  try {
    for (const dialect of dialects) {
      await withStepwise(dialect, ["--max-request-bytes", String(4 * 1024 * 1024)], async (client) => {
        await registerFunction(client, endpoint, "plain", ["batch.plain"], {});
        await registerFunction(client, endpoint, "keyed", ["batch.keyed"], {
          concurrency: { limit: 10, key: "event.data.user" },
        });
        const plain = await timeBatches(client, "batch.plain");
        const keyed = await timeBatches(client, "batch.keyed");
        lines.push(
          `${dialect.padEnd(8)} ${EVENTS.toLocaleString("en-US")} events → ${EVENTS.toLocaleString("en-US")} runs in one request ` +
            `(median of ${REPEATS}): no flow control ${fmtMs(plain)} (${perRun(plain)}), ` +
            `concurrency {limit 10, key} over ${KEYS.toLocaleString("en-US")} keys ${fmtMs(keyed)} (${perRun(keyed)})`,
        );
      });
    }
  } finally {
    await endpoint.close();
  }
  lines.push(`(${machine()})`);
  return lines;
}

const perRun = (ms: number) => `${((ms * 1000) / EVENTS).toFixed(0)} µs/run`;

/** Median request→answer time of REPEATS requests (after one warm-up request). */
async function timeBatches(client: Client, name: string): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r <= REPEATS; r++) {
    const body = JSON.stringify(Array.from({ length: EVENTS }, (_, i) => ({ name, data: { user: `u${i % KEYS}`, i } })));
    const base = await completedRuns(client);
    const t0 = clock();
    const res = await client.post<{ ids: string[] }>("/e/bench-key", body);
    const elapsed = clock() - t0;
    if (res.status !== 200 || res.body.ids.length !== EVENTS)
      throw new Error(`${name}: the request failed: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    // Every run exists once the request is answered: the first event's and the last event's.
    for (const id of [res.body.ids[0], res.body.ids[EVENTS - 1]]) {
      const runs = JSON.parse(await client.get(`/v1/events/${id}/runs`)) as { data: unknown[] };
      if (runs.data.length !== 1) throw new Error(`${name}: event ${id} has ${runs.data.length} runs when answered`);
    }
    if (r > 0) times.push(elapsed);
    const done = await waitUntil(async () => (await completedRuns(client)) - base >= EVENTS, 600_000, 50);
    if (!done) throw new Error(`${name}: ${EVENTS} runs did not complete in 10 minutes`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  buildOnce();
  for (const line of await runBatchBench()) console.log(line);
}
