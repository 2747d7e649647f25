import { type ChildProcess, execSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism } from "node:os";
import path from "node:path";

import autocannon from "autocannon";
import pg from "pg";
import { Pool } from "undici";

/**
 * What every bench needs: the real built server (or the bare yardstick) in a child process,
 * a plain HTTP function endpoint in this process, an autocannon run, CPU accounting and
 * formatting. Servers run in their own processes so the load generator (this process) and
 * the server each get a core on a 2-core machine.
 */
export const ROOT = path.resolve(import.meta.dirname, "..");
export const PG_ADMIN_URL = process.env.STEPWISE_BENCH_PG ?? "postgresql://postgres@127.0.0.1:5432/test";

export type Dialect = "sqlite" | "postgres";

/** Builds dist/stepwise.js (always: it is quick and must match the sources) and the pages once. */
export function buildOnce(): void {
  execSync("node scripts/build-server.mjs", { cwd: ROOT, stdio: "inherit" });
  if (!existsSync(path.join(ROOT, ".next", "BUILD_ID"))) execSync("npx next build", { cwd: ROOT, stdio: "inherit" });
}

export interface Proc {
  url: string;
  pid: number;
  logs(): string;
  stop(): Promise<void>;
}

async function spawnReady(args: string[], env: Record<string, string> = {}): Promise<Proc> {
  // The flags decide; STEPWISE_* variables of the caller's shell must not.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("STEPWISE_")));
  const proc: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...inherited, ...env, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  proc.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not start in 60s:\n${output}`)), 60_000);
    proc.stdout?.on("data", () => {
      const m = /ready on (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve((m[1] as string).replace("localhost", "127.0.0.1"));
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${output}`));
    });
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  return {
    url,
    pid: proc.pid as number,
    logs: () => output,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      await exited;
    },
  };
}

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createDatabase(dialect: Dialect): Promise<BenchDatabase> {
  const name = `sw_bench_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  if (dialect === "sqlite") {
    const dir = path.join(ROOT, "test-output", "bench");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name}.db`);
    return { url: file, drop: () => Promise.resolve(["", "-wal", "-shm"].forEach((s) => rmSync(file + s, { force: true }))) };
  }
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await c.end();
    },
  };
}

export async function postgresAvailable(): Promise<boolean> {
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

export interface StepwiseServer extends Proc {
  dialect: Dialect;
}

/** The real server, as users run it: `node dist/stepwise.js dev --port 0 --db …`. */
export async function startStepwise(
  dialect: Dialect,
  extraArgs: string[] = [],
): Promise<StepwiseServer & { dispose(): Promise<void> }> {
  const db = await createDatabase(dialect);
  const args = [
    ...(process.env.STEPWISE_BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
    path.join(ROOT, "dist", "stepwise.js"),
    "dev",
    "--port",
    "0",
    "--db",
    db.url,
    "--log-level",
    "warn",
    "--no-discovery",
    "--no-poll",
    ...extraArgs,
  ];
  const proc = await spawnReady(args);
  return {
    ...proc,
    dialect,
    dispose: async () => {
      await proc.stop();
      await db.drop();
    },
  };
}

/** The bare node:http yardstick (bench/bare-server.mjs); with `fnUrl` it relays each event there. */
export function startBare(fnUrl?: string): Promise<Proc> {
  return spawnReady([path.join(ROOT, "bench", "bare-server.mjs")], fnUrl ? { FN_URL: fnUrl } : {});
}

/** User and system CPU seconds of a process so far, from /proc. */
export function cpuSplit(pid: number): { user: number; system: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
  } catch {
    return { user: NaN, system: NaN };
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[11], fields[12] are utime and stime (the 14th and 15th of the full line), in ticks of 1/100 s.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

export interface LoadResult {
  /** requests answered 2xx per second */
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** server CPU per request, µs */
  serverCpuUs: number;
  /** share of one core this process (the load generator) used */
  loadGenCpu: number;
}

/** Drives `url` with autocannon (keep-alive, pre-built request bytes: cheap per request). */
export async function load(
  target: { url: string; pid: number },
  pathname: string,
  body: string,
  options: { connections: number; seconds: number; warmupSeconds?: number },
): Promise<LoadResult> {
  const opts = {
    url: target.url + pathname,
    method: "POST",
    body,
    headers: { "content-type": "application/json" },
    connections: options.connections,
  };
  if (options.warmupSeconds) await autocannon({ ...opts, duration: options.warmupSeconds });
  const cpu0 = cpuSeconds(target.pid);
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await autocannon({ ...opts, duration: options.seconds });
  const wall = (performance.now() - t0) / 1000;
  const self = process.cpuUsage(self0);
  const ok = r["2xx"];
  return {
    rps: ok / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx + r.timeouts,
    serverCpuUs: ((cpuSeconds(target.pid) - cpu0) / Math.max(1, ok)) * 1e6,
    loadGenCpu: (self.user + self.system) / 1e6 / wall,
  };
}

/** Milliseconds on a clock shared by this process's sender and function endpoint. */
export const clock = (): number => performance.timeOrigin + performance.now();

export interface FunctionEndpoint {
  url: string;
  /** calls received, by event name */
  count(name: string): number;
  /** event→call delays (ms) of events carrying `data.t` (sent at clock()), by event name */
  delays(name: string): number[];
  close(): Promise<void>;
}

/** A plain HTTP function endpoint answering `{ok: true}` at once and recording arrivals. */
export async function startFunctionEndpoint(): Promise<FunctionEndpoint> {
  const counts = new Map<string, number>();
  const delays = new Map<string, number[]>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = clock();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { event?: { name?: string; data?: { t?: number } } };
        const name = body.event?.name ?? "";
        counts.set(name, (counts.get(name) ?? 0) + 1);
        const t = body.event?.data?.t;
        if (typeof t === "number") {
          const list = delays.get(name) ?? [];
          list.push(at - t);
          delays.set(name, list);
        }
      } catch {
        // counted as nothing
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: (name) => counts.get(name) ?? 0,
    delays: (name) => delays.get(name) ?? [],
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A keep-alive client for the bench's own requests (setup, paced sends, batch floods). */
export class Client {
  private readonly pool: Pool;
  constructor(readonly url: string) {
    this.pool = new Pool(url, { connections: 16 });
  }

  async post<T = unknown>(pathname: string, body: unknown): Promise<{ status: number; body: T }> {
    const res = await this.pool.request({
      method: "POST",
      path: pathname,
      body: typeof body === "string" ? body : JSON.stringify(body),
      headers: { "content-type": "application/json" },
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: (text ? JSON.parse(text) : null) as T };
  }

  async get(pathname: string): Promise<string> {
    const res = await this.pool.request({ method: "GET", path: pathname });
    return res.body.text();
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** Completed-run transitions this process has committed (from /metrics). */
/** Registers an HTTP function served by `endpoint` at `/<id>`, triggered by `events`. */
export async function registerFunction(
  client: Client,
  endpoint: FunctionEndpoint,
  id: string,
  events: string[],
  config: Record<string, unknown>,
): Promise<void> {
  const res = await client.post("/api/v1/functions", {
    id,
    name: id,
    triggers: events.map((event) => ({ event })),
    url: `${endpoint.url}/${id}`,
    ...config,
  });
  if (res.status !== 201) throw new Error(`registering ${id} failed: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Runs `fn` against a fresh server of `dialect` and a client of it; both are closed after. */
export async function withStepwise<T>(dialect: Dialect, extraArgs: string[], fn: (client: Client) => Promise<T>): Promise<T> {
  const server = await startStepwise(dialect, extraArgs);
  const client = new Client(server.url);
  try {
    return await fn(client);
  } finally {
    await client.close();
    await server.dispose();
  }
}

export async function completedRuns(client: Client): Promise<number> {
  const text = await client.get("/metrics");
  const m = /stepwise_run_transitions_total\{status="Completed"\} (\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export function fmtRate(n: number): string {
  if (!Number.isFinite(n)) return "—";
  return `${Math.round(n).toLocaleString("en-US")}/s`;
}

export function fmtMs(n: number): string {
  if (!Number.isFinite(n)) return "—";
  return n < 10 ? `${n.toFixed(2)} ms` : `${n.toFixed(1)} ms`;
}

export function machine(): string {
  let cpu = "unknown CPU";
  try {
    cpu = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpu;
  } catch {
    // not Linux
  }
  return `${cpu}, ${availableParallelism()} cores, Node ${process.version}`;
}
