import {
  Client,
  clock,
  completedRuns,
  cpuSeconds,
  type Dialect,
  fmtMs,
  fmtRate,
  type FunctionEndpoint,
  load,
  type LoadResult,
  percentile,
  type Proc,
  sleep,
  startBare,
  startFunctionEndpoint,
  startStepwise,
  type StepwiseServer,
  waitUntil,
} from "./support";

/**
 * The core benchmark of issue 2, each figure printed next to a bare node:http server doing the
 * same job in the same run (the machine is noisy; only ratios within one run are comparable):
 *  - ingest: events/s accepted by POST /e/<key>, one event per request and 100 per request,
 *    at 50 keep-alive connections (autocannon); no function is triggered, so this is the
 *    event API alone. Yardstick: parse the JSON and answer the ids.
 *  - latency: event→function-call delay at a fixed 200 events/s (one event per request), from
 *    just before the request is sent to the function endpoint receiving the call (both in this
 *    process, one clock). Yardstick: a server that answers and relays the event at once.
 *  - runs: one-call HTTP runs completed per second with a backlog (N events sent in batches of
 *    100, timed until N runs are Completed, read from /metrics). Yardstick: the same relay,
 *    timed until the endpoint has answered N calls.
 */
export const CORE_SECTIONS = ["ingest", "latency", "runs"] as const;
export type CoreSection = (typeof CORE_SECTIONS)[number];

export interface CoreOptions {
  sections: readonly CoreSection[];
  dialects: readonly Dialect[];
  seconds: number;
  connections: number;
  runs: number;
  print: (line: string) => void;
}

type Target = "bare" | Dialect;
type Figures = Partial<Record<Target, { value: number; detail?: string }>>;

export interface CoreResult {
  /** the figures the issue sets targets on, SQLite side */
  sqlite: { single?: number; singleBare?: number; batch?: number; p50?: number; runs?: number };
  /** one line per target: met or not */
  verdicts: string[];
}

const SINGLE = JSON.stringify({ name: "bench.ingest", data: { user_id: "u_123", plan: "pro", amount: 42 } });
const BATCH = JSON.stringify(
  Array.from({ length: 100 }, (_, i) => ({ name: "bench.ingest", data: { user_id: `u_${i}`, plan: "pro", amount: i } })),
);

export async function runCoreBench(options: CoreOptions): Promise<CoreResult> {
  const { print } = options;
  const columns: Target[] = ["bare", ...options.dialects];
  const result: CoreResult = { sqlite: {}, verdicts: [] };

  const endpoint = await startFunctionEndpoint();
  const bare = await startBare();
  const relay = await startBare(`${endpoint.url}/fn`);
  const servers = new Map<Dialect, StepwiseServer & { dispose(): Promise<void> }>();
  try {
    for (const d of options.dialects) servers.set(d, await startStepwise(d));
    const clients = new Map<Target, Client>();
    clients.set("bare", new Client(bare.url));
    for (const [d, s] of servers) clients.set(d, new Client(s.url));

    const table = (title: string, figures: Figures, unit: (v: number) => string, ratio: "higher" | "lower" | "none") => {
      const base = figures.bare?.value;
      const cells = columns.map((c) => {
        const f = figures[c];
        if (!f) return "—".padEnd(30);
        let text = unit(f.value);
        if (c !== "bare" && ratio !== "none" && base && Number.isFinite(f.value))
          text +=
            ratio === "higher" ? ` (${Math.round((f.value / base) * 100)}% of bare)` : ` (${(f.value / base).toFixed(1)}× bare)`;
        if (f.detail) text += ` ${f.detail}`;
        return text.padEnd(30);
      });
      print(`  ${title.padEnd(42)}${cells.join("")}`);
    };
    print(`  ${"".padEnd(42)}${columns.map((c) => (c === "bare" ? "bare node:http" : c).padEnd(30)).join("")}`);

    if (options.sections.includes("ingest")) {
      const targets = new Map<Target, Proc>([["bare", bare], ...servers]);
      for (const [label, body, perRequest] of [
        ["1 event/request", SINGLE, 1],
        ["100 events/request", BATCH, 100],
      ] as const) {
        const rows = new Map<Target, LoadResult>();
        for (const [t, proc] of targets)
          rows.set(
            t,
            await load(proc, "/e/bench-key", body, {
              connections: options.connections,
              seconds: options.seconds,
              warmupSeconds: 1,
            }),
          );
        const pick = (f: (r: LoadResult) => number): Figures =>
          Object.fromEntries([...rows].map(([t, r]) => [t, { value: f(r), detail: r.errors ? `[${r.errors} errors]` : "" }]));
        table(
          `ingest ${label}: events/s`,
          pick((r) => r.rps * perRequest),
          fmtRate,
          "higher",
        );
        table(
          `  request latency p50 / p99`,
          Object.fromEntries([...rows].map(([t, r]) => [t, { value: r.p50, detail: `/ ${r.p99} ms` }])),
          (v) => `${v} ms`,
          "none",
        );
        table(
          `  server CPU per request`,
          pick((r) => r.serverCpuUs),
          (v) => `${Math.round(v)} µs`,
          "lower",
        );
        table(
          `  load generator CPU`,
          pick((r) => r.loadGenCpu * 100),
          (v) => `${Math.round(v)}% of a core`,
          "none",
        );
        const sq = rows.get("sqlite");
        if (sq && perRequest === 1) {
          result.sqlite.single = sq.rps;
          result.sqlite.singleBare = rows.get("bare")?.rps;
        }
        if (sq && perRequest === 100) result.sqlite.batch = sq.rps * 100;
      }
    }

    if (options.sections.includes("latency")) {
      const figures50: Figures = {};
      const figures99: Figures = {};
      for (const t of columns) {
        const client = t === "bare" ? new Client(relay.url) : (clients.get(t) as Client);
        if (t !== "bare") {
          await register(client, "bench-latency", ["bench.latency", "bench.latency.warm"], endpoint);
        }
        const delays = await paced(client, endpoint, "bench.latency", 200, options.seconds);
        figures50[t] = {
          value: percentile(delays.values, 50),
          detail: delays.missing ? `[${delays.missing} calls missing]` : "",
        };
        figures99[t] = { value: percentile(delays.values, 99) };
        if (t === "bare") await client.close();
        if (t === "sqlite") result.sqlite.p50 = figures50[t].value;
      }
      table("event→call latency p50 @200/s", figures50, fmtMs, "lower");
      table("event→call latency p99 @200/s", figures99, fmtMs, "lower");
    }

    if (options.sections.includes("runs")) {
      const figures: Figures = {};
      const cpu: Figures = {};
      for (const t of columns) {
        const client = t === "bare" ? new Client(relay.url) : (clients.get(t) as Client);
        const pid = t === "bare" ? relay.pid : (servers.get(t) as StepwiseServer).pid;
        if (t !== "bare") await register(client, "bench-runs", ["bench.run"], endpoint);
        // Warm-up: a tenth of the runs, untimed.
        const warm = Math.max(100, Math.round(options.runs / 10));
        const measure = async (name: string, n: number) => {
          const startCount = endpoint.count(name);
          const base = t === "bare" ? 0 : await completedRuns(client);
          const t0 = clock();
          await sendInBatches(client, name, n);
          const ok = await waitUntil(
            t === "bare" ? () => endpoint.count(name) - startCount >= n : async () => (await completedRuns(client)) - base >= n,
            120_000,
          );
          return { seconds: (clock() - t0) / 1000, ok };
        };
        await measure("bench.run", warm);
        const cpu0 = cpuSeconds(pid);
        const m = await measure("bench.run", options.runs);
        figures[t] = { value: options.runs / m.seconds, detail: m.ok ? "" : "[timed out]" };
        cpu[t] = { value: ((cpuSeconds(pid) - cpu0) / options.runs) * 1e6 };
        if (t === "bare") await client.close();
        if (t === "sqlite") result.sqlite.runs = figures[t].value;
      }
      table(`runs completed/s (${options.runs.toLocaleString("en-US")} queued)`, figures, fmtRate, "higher");
      table(`  server CPU per run (incl. its ingest)`, cpu, (v) => `${Math.round(v)} µs`, "lower");
    }

    for (const c of clients.values()) await c.close();
  } finally {
    for (const s of servers.values()) await s.dispose();
    await bare.stop();
    await relay.stop();
    await endpoint.close();
  }

  const s = result.sqlite;
  const verdict = (ok: boolean | undefined, text: string) =>
    ok !== undefined && result.verdicts.push(`${ok ? "MET " : "MISS"}  ${text}`);
  verdict(
    s.batch === undefined ? undefined : s.batch >= 50_000,
    `SQLite batch ingest ≥ 50,000 events/s: ${fmtRate(s.batch ?? NaN)}`,
  );
  verdict(
    s.single === undefined || !s.singleBare ? undefined : s.single >= 0.25 * s.singleBare,
    `SQLite single-event ingest ≥ 25% of bare: ${fmtRate(s.single ?? NaN)} = ${Math.round(((s.single ?? 0) / (s.singleBare ?? 1)) * 100)}% of ${fmtRate(s.singleBare ?? NaN)}`,
  );
  verdict(s.p50 === undefined ? undefined : s.p50 <= 10, `SQLite p50 event→call latency ≤ 10 ms: ${fmtMs(s.p50 ?? NaN)}`);
  verdict(s.runs === undefined ? undefined : s.runs >= 1000, `SQLite ≥ 1,000 completed runs/s: ${fmtRate(s.runs ?? NaN)}`);
  return result;
}

async function register(client: Client, id: string, events: string[], endpoint: FunctionEndpoint): Promise<void> {
  const res = await client.post("/api/v1/functions", {
    id,
    name: id,
    triggers: events.map((event) => ({ event })),
    url: `${endpoint.url}/fn`,
  });
  if (res.status !== 201) throw new Error(`registering ${id} failed: ${res.status} ${JSON.stringify(res.body)}`);
  // The registry reloads on the change; a probe event proves routing sees the function.
  const probe = events[events.length - 1] as string;
  const before = endpoint.count(probe);
  await client.post("/e/bench-key", { name: probe, data: {} });
  if (!(await waitUntil(() => endpoint.count(probe) > before, 10_000))) throw new Error(`${id} was never called`);
}

/** Sends one event per request at `rate`/s for `seconds` (after a 2 s warm-up) and collects delays. */
async function paced(client: Client, endpoint: FunctionEndpoint, name: string, rate: number, seconds: number) {
  const send = async (eventName: string, count: number) => {
    const interval = 1000 / rate;
    const start = clock();
    const inflight: Promise<unknown>[] = [];
    for (let i = 0; i < count; i++) {
      const due = start + i * interval;
      const wait = due - clock();
      if (wait > 1) await sleep(wait);
      inflight.push(client.post("/e/bench-key", { name: eventName, data: { t: clock(), i } }));
    }
    await Promise.all(inflight);
  };
  const warm = `${name}.warm`;
  // Two seconds of warm-up: a fresh server compiles its hot paths (JIT) during the first hundreds of calls.
  await send(warm, rate * 2);
  const before = endpoint.delays(name).length;
  const count = Math.round(rate * seconds);
  await send(name, count);
  await waitUntil(() => endpoint.delays(name).length - before >= count, 10_000);
  const values = endpoint.delays(name).slice(before);
  return { values, missing: count - values.length };
}

/** N events in requests of 100, four requests in flight. */
async function sendInBatches(client: Client, name: string, n: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const size = Math.min(100, n - next);
      next += size;
      const res = await client.post(
        "/e/bench-key",
        Array.from({ length: size }, () => ({ name, data: {} })),
      );
      if (res.status !== 200) throw new Error(`sending ${name} failed: ${res.status}`);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}
