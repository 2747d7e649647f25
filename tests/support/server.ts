import { spawn } from "node:child_process";
import path from "node:path";

import { createTestDatabase, type TestDatabase } from "./db";

/**
 * A real Stepwise server (the built dist/stepwise.js) in a child process, on a free port, with
 * its own database. Retries back off from 100 ms so tests stay fast.
 */
export interface TestServer {
  url: string;
  port: number;
  db: string;
  mode: "dev" | "start";
  /**
   * production: the admin credential (the --admin-password, else the --signing-key); `api()`
   * sends it as a Bearer token unless the call passes its own `authorization`
   */
  credential?: string;
  logs(): string;
  /** graceful stop (SIGTERM) */
  stop(): Promise<void>;
  /** crash (SIGKILL): nothing is flushed or released */
  kill(): Promise<void>;
  /** starts a new process on the same database (and the same flags) */
  restart(): Promise<TestServer>;
  /** stops the server and drops its database */
  dispose(): Promise<void>;
}

export interface ServerSpec {
  mode?: "dev" | "start";
  args?: string[];
  env?: Record<string, string>;
  /** reuse a database instead of creating one */
  database?: TestDatabase;
  port?: number;
  /** dev mode: keep polling apps (the default here is --no-poll) */
  poll?: boolean;
  /** dev mode: probe the usual local ports for apps (the default here is --no-discovery) */
  discovery?: boolean;
}

const ROOT = path.resolve(import.meta.dirname, "..", "..");

export async function startServer(spec: ServerSpec = {}): Promise<TestServer> {
  const database = spec.database ?? (await createTestDatabase());
  const mode = spec.mode ?? "dev";
  const args = [
    path.join(ROOT, "dist", "stepwise.js"),
    mode,
    "--port",
    String(spec.port ?? 0),
    "--db",
    database.url,
    "--retry-base-ms",
    "100",
    "--log-level",
    "warn",
    ...(mode === "dev" ? [...(spec.discovery ? [] : ["--no-discovery"]), ...(spec.poll ? [] : ["--no-poll"])] : []),
    ...(spec.args ?? []),
  ];
  const env: NodeJS.ProcessEnv = { NODE_ENV: "production" };
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("STEPWISE_")) env[k] = v;
  Object.assign(env, { NODE_ENV: "production" }, spec.env ?? {});
  const proc = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  proc.stdout.on("data", (d: Buffer) => (output += d.toString()));
  proc.stderr.on("data", (d: Buffer) => (output += d.toString()));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30s:\n${output}`)), 30_000);
    const onData = () => {
      const m = /ready on (http:\/\/[^\s]+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve((m[1] as string).replace("localhost", "127.0.0.1"));
      }
    };
    proc.stdout.on("data", onData);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  const port = Number(new URL(url).port);
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const signal = async (sig: NodeJS.Signals) => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(sig);
    await exited;
  };
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const server: TestServer = {
    url,
    port,
    db: database.url,
    mode,
    credential: mode === "start" ? (flag("--admin-password") ?? flag("--signing-key")) : undefined,
    logs: () => output,
    stop: () => signal("SIGTERM"),
    kill: () => signal("SIGKILL"),
    restart: () => startServer({ ...spec, database, port }),
    dispose: async () => {
      await signal("SIGTERM");
      if (!spec.database) await database.drop();
    },
  };
  return server;
}

/** fetch + JSON against a server, failing loudly on network errors. */
export async function api<T = unknown>(
  server: { url: string; credential?: string },
  method: string,
  pathname: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(server.url + pathname, {
    method,
    headers: {
      "content-type": "application/json",
      ...(server.credential ? { authorization: `Bearer ${server.credential}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** Polls `fn` until it returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 15_000,
  label = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${label}${last ? `: ${last instanceof Error ? last.message : JSON.stringify(last)}` : ""}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}
