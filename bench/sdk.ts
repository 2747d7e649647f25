import { type ChildProcess, execSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { Inngest } from "inngest-v4";
import { serve } from "inngest-v4/node";
import pg from "pg";

/**
 * SDK path benchmark (`npx tsx bench/sdk.ts`, or `npm run bench` through bench/run.ts):
 *
 * - per-step overhead: wall time of a 10-step function written with the real v4 SDK (queued →
 *   ended, server clock) minus the time the app itself spent handling the calls (excluding the
 *   time it waited on checkpoint requests to the server), divided by 10; p50/p99 over sequential
 *   runs, with checkpointing off (`checkpointing: false`: one call per step) and on (v4's
 *   default: steps reported to /v1/checkpoint while the call goes on);
 * - throughput: steps completed per second with 100 runs in flight at once.
 *
 * The server runs in its own process (the built dist/stepwise.js, as users run it); the app and
 * the load run here, so each gets one core of a 2-core machine.
 */
const ROOT = path.resolve(import.meta.dirname, "..");
const PG_ADMIN_URL = process.env.STEPWISE_BENCH_PG ?? "postgresql://postgres@127.0.0.1:5432/test";
const SEQUENTIAL_RUNS = Number(process.env.SDK_BENCH_RUNS ?? 60);
const CONCURRENT_RUNS = 100;
const STEPS = 10;

type Dialect = "sqlite" | "postgres";

interface Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

async function startServer(dialect: Dialect): Promise<Server> {
  const name = `sw_sdkbench_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  let dbUrl: string;
  let drop: () => Promise<void>;
  if (dialect === "sqlite") {
    const dir = path.join(ROOT, "test-output", "bench");
    mkdirSync(dir, { recursive: true });
    dbUrl = path.join(dir, `${name}.db`);
    drop = () => Promise.resolve(["", "-wal", "-shm"].forEach((s) => rmSync(dbUrl + s, { force: true })));
  } else {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(PG_ADMIN_URL);
    u.pathname = `/${name}`;
    dbUrl = u.toString();
    drop = async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await c.end();
    };
  }
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("STEPWISE_")));
  const args = [path.join(ROOT, "dist", "stepwise.js"), "dev", "--port", "0", "--db", dbUrl, "--log-level", "warn"];
  const nodeArgs = process.env.SDK_BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const proc: ChildProcess = spawn(process.execPath, [...nodeArgs, ...args, "--no-discovery", "--no-poll"], {
    cwd: ROOT,
    env: { ...env, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  proc.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    proc.stdout?.on("data", () => {
      const m = /ready on (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve((m[1] as string).replace("localhost", "127.0.0.1"));
      }
    });
    proc.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  return {
    url,
    pid: proc.pid as number,
    stop: async () => {
      proc.kill("SIGTERM");
      await exited;
      await drop();
    },
  };
}

/** Per run: the app's own handling time, and the time it spent waiting on checkpoint calls. */
interface RunTiming {
  handlerMs: number;
  checkpointMs: number;
}

interface BenchApp {
  url: string;
  timings: Map<string, RunTiming>;
  /** resolves when `count` more runs have completed (their last call answered) */
  completions(count: number): Promise<string[]>;
  close(): Promise<void>;
}

async function startApp(serverUrl: string): Promise<BenchApp> {
  const timings = new Map<string, RunTiming>();
  const timing = (runId: string) => {
    let t = timings.get(runId);
    if (!t) timings.set(runId, (t = { handlerMs: 0, checkpointMs: 0 }));
    return t;
  };
  // The SDK binds fetch when the client is created: wrap it first to time checkpoint calls.
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const m = /\/v1\/checkpoint\/([^/]+)\/async/.exec(url);
    if (!m) return realFetch(input, init);
    const t0 = performance.now();
    try {
      return await realFetch(input, init);
    } finally {
      timing(decodeURIComponent(m[1] as string)).checkpointMs += performance.now() - t0;
    }
  };

  const inngest = new Inngest({ id: "bench", isDev: true, baseUrl: serverUrl });
  const tenSteps = async ({ step }: { step: { run: (id: string, fn: () => number) => Promise<number> } }) => {
    let n = 0;
    for (let i = 0; i < STEPS; i++) n = await step.run(`s${i}`, () => n + 1);
    return n;
  };
  const functions = [
    inngest.createFunction({ id: "ten-cp", triggers: [{ event: "bench/ten-cp" }] }, tenSteps),
    inngest.createFunction({ id: "ten-nocp", checkpointing: false, triggers: [{ event: "bench/ten-nocp" }] }, tenSteps),
  ];
  const handler = serve({ client: inngest, functions });

  let waiters: { count: number; done: string[]; resolve: (ids: string[]) => void }[] = [];
  const server = http.createServer((req, res) => {
    const runId = req.headers["x-run-id"];
    const t0 = performance.now();
    let finished = false;
    const end = res.end.bind(res) as (chunk?: unknown, ...rest: unknown[]) => http.ServerResponse;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) ? chunk.toString() : "";
      finished = res.statusCode === 200 || text.includes('"RunComplete"');
      return end(chunk, ...rest);
    }) as typeof res.end;
    res.once("finish", () => {
      if (typeof runId !== "string" || req.method !== "POST") return;
      timing(runId).handlerMs += performance.now() - t0;
      if (!finished) return;
      for (const w of waiters) w.done.push(runId);
      waiters = waiters.filter((w) => {
        if (w.done.length < w.count) return true;
        w.resolve(w.done);
        return false;
      });
    });
    void handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/api/inngest`,
    timings,
    completions: (count) => new Promise((resolve) => waiters.push({ count, done: [], resolve })),
    close: () =>
      new Promise<void>((r) => {
        globalThis.fetch = realFetch;
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function post(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = (await res.json()) as unknown;
  if (!res.ok) throw new Error(`${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function runTimes(serverUrl: string, runId: string): Promise<{ queued: number; ended: number }> {
  const res = await fetch(`${serverUrl}/v1/runs/${runId}`);
  const { data } = (await res.json()) as { data: { queued_at: string; ended_at: string | null; status: string } };
  if (data.status !== "Completed" || !data.ended_at) throw new Error(`run ${runId} is ${data.status}`);
  return { queued: Date.parse(data.queued_at), ended: Date.parse(data.ended_at) };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? NaN;
const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));

interface Variant {
  label: string;
  event: string;
}

const VARIANTS: Variant[] = [
  { label: "checkpointing off", event: "bench/ten-nocp" },
  { label: "checkpointing on ", event: "bench/ten-cp" },
];

async function sequential(serverUrl: string, app: BenchApp, v: Variant, runs: number) {
  const perStep: number[] = [];
  const walls: number[] = [];
  const checkpoints: number[] = [];
  for (let i = 0; i < runs; i++) {
    const done = app.completions(1);
    await post(`${serverUrl}/e/bench`, { name: v.event, data: { i } });
    const [runId] = await done;
    const t = await waitForEnd(serverUrl, runId as string);
    const own = app.timings.get(runId as string) ?? { handlerMs: 0, checkpointMs: 0 };
    const wall = t.ended - t.queued;
    walls.push(wall);
    perStep.push((wall - (own.handlerMs - own.checkpointMs)) / STEPS);
    checkpoints.push(own.checkpointMs / STEPS);
  }
  for (const list of [perStep, walls, checkpoints]) list.sort((a, b) => a - b);
  return {
    p50: percentile(perStep, 0.5),
    p99: percentile(perStep, 0.99),
    wallP50: percentile(walls, 0.5),
    checkpointP50: percentile(checkpoints, 0.5),
  };
}

/** The app saw the last answer; the server records the end in the same breath. */
async function waitForEnd(serverUrl: string, runId: string) {
  for (let i = 0; ; i++) {
    try {
      return await runTimes(serverUrl, runId);
    } catch (error) {
      if (i > 200) throw error;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

async function concurrent(server: Server, app: BenchApp, v: Variant) {
  const serverUrl = server.url;
  const done = app.completions(CONCURRENT_RUNS);
  const cpu0 = cpuSeconds(server.pid);
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  await post(
    `${serverUrl}/e/bench`,
    Array.from({ length: CONCURRENT_RUNS }, (_, i) => ({ name: v.event, data: { i } })),
  );
  await done;
  const seconds = (performance.now() - t0) / 1000;
  const self = process.cpuUsage(self0);
  return {
    stepsPerSecond: (CONCURRENT_RUNS * STEPS) / seconds,
    serverCpuMsPerStep: ((cpuSeconds(server.pid) - cpu0) * 1000) / (CONCURRENT_RUNS * STEPS),
    appCpuMsPerStep: (self.user + self.system) / 1000 / (CONCURRENT_RUNS * STEPS),
  };
}

async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function runSdkBench(dialects: Dialect[] = ["sqlite", "postgres"]): Promise<string[]> {
  execSync("node scripts/build-server.mjs", { cwd: ROOT, stdio: "ignore" });
  const lines = [
    `SDK path (inngest v4, ${STEPS}-step function; overhead = wall − app's own time, per step; ${SEQUENTIAL_RUNS} sequential runs)`,
  ];
  for (const dialect of dialects) {
    if (dialect === "postgres" && !(await postgresAvailable())) {
      lines.push(`  postgres: skipped (no server at ${PG_ADMIN_URL})`);
      continue;
    }
    const server = await startServer(dialect);
    const app = await startApp(server.url);
    try {
      const synced = (await post(`${server.url}/api/v1/apps`, { url: app.url })) as { syncError: string | null };
      if (synced.syncError) throw new Error(synced.syncError);
      for (const v of VARIANTS) await sequential(server.url, app, v, 5); // warm-up
      for (const v of VARIANTS) {
        const s = await sequential(server.url, app, v, SEQUENTIAL_RUNS);
        const c = await concurrent(server, app, v);
        lines.push(
          `  ${dialect.padEnd(8)} ${v.label}: overhead p50 ${ms(s.p50)} ms, p99 ${ms(s.p99)} ms per step` +
            ` (run wall p50 ${ms(s.wallP50)} ms${s.checkpointP50 > 0 ? `, checkpoint request ${ms(s.checkpointP50)} ms` : ""});` +
            ` ${CONCURRENT_RUNS} concurrent runs: ${Math.round(c.stepsPerSecond)} steps/s` +
            ` (CPU per step: server ${ms(c.serverCpuMsPerStep)} ms, app+SDK ${ms(c.appCpuMsPerStep)} ms)`,
        );
      }
    } finally {
      await app.close();
      await server.stop();
    }
  }
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const dialects = (process.argv.includes("--db") ? process.argv[process.argv.indexOf("--db") + 1] : undefined)?.split(",") as
    Dialect[] | undefined;
  runSdkBench(dialects).then(
    (lines) => {
      console.log(lines.join("\n"));
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
