import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";

import Database from "better-sqlite3";
import pg from "pg";

import { api, waitFor } from "./server";

/**
 * The fixture app (tests/support/sdk-fixture-app.mjs) built with the real Inngest SDK, v3 or v4,
 * in its own process, configured only through the environment as users configure theirs:
 * - v4 dev: `INNGEST_DEV=<server url>`
 * - v3 dev: `INNGEST_DEV=1` + `INNGEST_BASE_URL=<server url>`
 * - signed (cloud mode, both): `INNGEST_SIGNING_KEY`, `INNGEST_EVENT_KEY`,
 *   `INNGEST_BASE_URL=<server url>`, `INNGEST_DEV=0`
 */
export type SdkVersion = 3 | 4;

export interface SdkAppSpec {
  version: SdkVersion;
  /** the Stepwise server the app talks to */
  serverUrl: string;
  appId?: string;
  /** cloud mode with these keys (for `stepwise start`) */
  signingKey?: string;
  eventKey?: string;
  variant?: "full" | "reduced" | "bad" | "cron";
  /** v4 only: false turns async checkpointing off */
  checkpointing?: boolean;
  port?: number;
  env?: Record<string, string>;
  /** no INNGEST_* settings at all: the SDK finds the server by itself (v3 probes :8288/dev) */
  autodetect?: boolean;
  /** another fixture app (an .mjs next to this file), configured the same way */
  script?: string;
}

export interface Stats {
  counts: Record<string, number>;
  marks: Record<string, number[]>;
  values: Record<string, unknown>;
  /** the SDK's requests to the server by kind: `checkpoint`, `v0:batch`, `v0:actions`, `send`, paths */
  serverCalls: Record<string, number>;
}

export interface SdkApp {
  version: SdkVersion;
  appId: string;
  /** the serve URL (what gets synced) */
  url: string;
  origin: string;
  port: number;
  /** event name within this app's namespace */
  ev(name: string): string;
  stats(): Promise<Stats>;
  /** inngest.send from inside the app */
  send(events: unknown): Promise<{ status: number; body: { ids?: string[]; error?: string } }>;
  logs(): string;
  stop(): Promise<void>;
  /** a new process on the same port (optionally another variant) */
  restart(change?: Partial<SdkAppSpec>): Promise<SdkApp>;
}

const FIXTURE = path.resolve(import.meta.dirname, "sdk-fixture-app.mjs");

export function sdkEnv(spec: SdkAppSpec): Record<string, string> {
  if (spec.signingKey)
    return {
      INNGEST_DEV: "0",
      INNGEST_BASE_URL: spec.serverUrl,
      INNGEST_SIGNING_KEY: spec.signingKey,
      INNGEST_EVENT_KEY: spec.eventKey ?? "",
    };
  return spec.version === 4 ? { INNGEST_DEV: spec.serverUrl } : { INNGEST_DEV: "1", INNGEST_BASE_URL: spec.serverUrl };
}

export async function startSdkApp(spec: SdkAppSpec): Promise<SdkApp> {
  const appId = spec.appId ?? `sdk-v${spec.version}`;
  const env: NodeJS.ProcessEnv = { NODE_ENV: "development" };
  // The app sees none of the test runner's INNGEST_* / STEPWISE_* settings, only its own.
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("INNGEST_") && !k.startsWith("STEPWISE_")) env[k] = v;
  Object.assign(env, spec.autodetect ? {} : sdkEnv(spec), {
    NODE_ENV: "development",
    SDK_VERSION: String(spec.version),
    APP_ID: appId,
    PORT: String(spec.port ?? 0),
    VARIANT: spec.variant ?? "full",
    CHECKPOINTING: spec.checkpointing === false ? "0" : "1",
    ...(spec.env ?? {}),
  });
  const script = spec.script ? path.resolve(import.meta.dirname, spec.script) : FIXTURE;
  const proc: ChildProcess = spawn(process.execPath, [script], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  proc.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`SDK app did not start in 20s:\n${output}`)), 20_000);
    proc.stdout?.on("data", () => {
      const m = /listening (\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`SDK app exited with ${code}:\n${output}`));
    });
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const origin = `http://127.0.0.1:${port}`;
  const app: SdkApp = {
    version: spec.version,
    appId,
    url: `${origin}/api/inngest`,
    origin,
    port,
    ev: (name) => `${appId}/${name}`,
    stats: async () => (await api<Stats>({ url: origin }, "GET", "/__stats")).body,
    send: (events) => api({ url: origin }, "POST", "/__send", events),
    logs: () => output,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
      await exited;
    },
    restart: async (change = {}) => {
      await app.stop();
      return startSdkApp({ ...spec, port, ...change });
    },
  };
  return app;
}

/** A port nothing listens on right now (for a server started later, or an app that is down). */
/**
 * Starts the fixture app of each SDK version and adds it to the server by URL (a PUT sync, as
 * the dashboard's "Add app" does); a sync error fails the setup with its message. Each app goes
 * into `apps` as soon as it runs, so the suite's teardown stops it even when a later step fails.
 */
export async function startSyncedSdkApps(
  server: { url: string },
  apps: Map<SdkVersion, SdkApp>,
  spec: (version: SdkVersion) => Omit<SdkAppSpec, "version" | "serverUrl"> = () => ({}),
): Promise<void> {
  for (const version of [3, 4] as const) {
    const app = await startSdkApp({ ...spec(version), version, serverUrl: server.url });
    apps.set(version, app);
    const added = await api<{ syncError: string | null }>(server, "POST", "/api/v1/apps", { url: app.url });
    if (added.body.syncError) throw new Error(added.body.syncError);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

// ---- reading runs back -------------------------------------------------------------------

export interface V1Run {
  run_id: string;
  function_id: string;
  status: string;
  status_reason: string | null;
  output: unknown;
  error: { name?: string; message?: string } | null;
  event_id: string | null;
  queued_at: string;
  run_started_at: string | null;
  ended_at: string | null;
}

/** Sends events straight to the server (as any HTTP client would); answers their ids. */
export async function sendEvents(
  server: { url: string },
  events: unknown,
  key = "test-key",
  headers: Record<string, string> = {},
) {
  const res = await api<{ ids: string[]; status: number }>(server, "POST", `/e/${key}`, events, headers);
  if (res.status !== 200) throw new Error(`send failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.ids;
}

export async function runsOf(server: { url: string }, eventId: string): Promise<V1Run[]> {
  return (await api<{ data: V1Run[] }>(server, "GET", `/v1/events/${eventId}/runs`)).body.data;
}

/** Waits for the event's run of `functionId` to reach one of `statuses` (default: any end state). */
export async function waitForRun(
  server: { url: string },
  eventId: string,
  functionId: string,
  statuses: string[] = ["Completed", "Failed", "Cancelled"],
  timeoutMs = 20_000,
): Promise<V1Run> {
  return waitFor(
    async () => (await runsOf(server, eventId)).find((r) => r.function_id === functionId && statuses.includes(r.status)),
    timeoutMs,
    `${functionId} run of event ${eventId} to be ${statuses.join("|")}`,
  );
}

export async function getRun(server: { url: string }, runId: string): Promise<V1Run> {
  return (await api<{ data: V1Run }>(server, "GET", `/v1/runs/${runId}`)).body.data;
}

/** Sends one event and waits for `functionId`'s run to end. */
export async function trigger(
  server: { url: string },
  name: string,
  data: Record<string, unknown>,
  functionId: string,
  timeoutMs?: number,
): Promise<V1Run> {
  const [id] = await sendEvents(server, { name, data });
  return waitForRun(server, id as string, functionId, undefined, timeoutMs);
}

export interface StepRow {
  seq: number;
  op: string;
  status: string;
  name: string | null;
  attempt: number;
  error: string | null;
}

/**
 * A run's step rows, read from the server's database (there is no public step API in this
 * suite's scope; the dashboard reads the same rows).
 */
export async function stepsOf(server: { db: string }, runId: string): Promise<StepRow[]> {
  const query = `SELECT seq, op, status, name, attempt, error FROM steps WHERE run_id = $1 ORDER BY seq`;
  if (/^postgres(ql)?:\/\//.test(server.db)) {
    const client = new pg.Client({ connectionString: server.db });
    await client.connect();
    try {
      return (await client.query<StepRow>(query, [runId])).rows;
    } finally {
      await client.end();
    }
  }
  const db = new Database(server.db, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(query.replace("$1", "?")).all(runId) as StepRow[];
  } finally {
    db.close();
  }
}
