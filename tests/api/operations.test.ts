import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { renameSync } from "node:fs";
import path from "node:path";

import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTestDatabase, dialect, PG_ADMIN_URL, skipWithoutDatabase } from "../support/db";
import { startFunctionApp, type FunctionApp } from "../support/function-app";
import { api, startServer, waitFor, type TestServer } from "../support/server";
import { countRows, endedRun, register, send, sleep, unique, type ErrorBody } from "./helpers";

/** Running it: `stepwise start` and its keys, /health, /metrics, and the database going away. */
const skip = await skipWithoutDatabase();
const ROOT = path.resolve(import.meta.dirname, "..", "..");
const SIGNING_KEY = "signkey-test-00112233445566778899aabbccddeeff";

describe.skipIf(skip)("operations", () => {
  let app: FunctionApp;
  beforeAll(async () => {
    app = await startFunctionApp((c) => ({ body: { ok: c.body.event.name } }));
  });
  afterAll(async () => {
    await app?.close();
  });

  it("`stepwise start` refuses to start without its keys, with a clear message and a non-zero exit", async () => {
    const db = await createTestDatabase();
    try {
      const run = (args: string[]) =>
        new Promise<{ code: number | null; output: string }>((resolve) => {
          const env: NodeJS.ProcessEnv = { NODE_ENV: "production" };
          for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("STEPWISE_")) env[k] = v;
          const child = spawn(
            process.execPath,
            [path.join(ROOT, "dist", "stepwise.js"), "start", "--port", "0", "--db", db.url, ...args],
            {
              cwd: ROOT,
              env,
            },
          );
          let output = "";
          child.stdout.on("data", (d: Buffer) => (output += d.toString()));
          child.stderr.on("data", (d: Buffer) => (output += d.toString()));
          child.on("exit", (code) => resolve({ code, output }));
        });
      const none = await run([]);
      expect(none.code).toBe(2);
      expect(none.output).toMatch(/stepwise start needs at least one --event-key \(or STEPWISE_EVENT_KEY\)/);
      expect(none.output).toMatch(/stepwise start needs --signing-key \(or STEPWISE_SIGNING_KEY\)/);
      const noSigning = await run(["--event-key", "k"]);
      expect(noSigning.code).toBe(2);
      expect(noSigning.output).toMatch(/--signing-key/);
      expect(noSigning.output).not.toMatch(/ready on/);
    } finally {
      await db.drop();
    }
  });

  describe("a production server", () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer({
        mode: "start",
        args: ["--event-key", "key-one", "--event-key", "key-two", "--signing-key", SIGNING_KEY],
      });
    });
    afterAll(async () => {
      await server?.dispose();
    });

    it("accepts only its event keys: 401 for any other, and nothing stored", async () => {
      const before = await countRows(server, "events");
      for (const key of ["test-key", "key-on", "key-one-more", "KEY-ONE"]) {
        const res = await api<ErrorBody>(server, "POST", `/e/${key}`, { name: "user.created" });
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ status: 401, code: "event_key_not_found" });
      }
      expect(await countRows(server, "events")).toBe(before);
      await send(server, { name: "user.created" }, "key-one");
      await send(server, [{ name: "user.created" }], "key-two");
      expect(await countRows(server, "events")).toBe(before + 2);
    });

    it("signs every call to a function with the signing key", async () => {
      const name = unique("signed");
      await register(server, { name, id: name, url: `${app.url}/signed`, triggers: [{ event: name }] });
      const [id] = await send(server, { name }, "key-one");
      expect((await endedRun(server, id as string)).status).toBe("Completed");
      const call = app.calls.find((c) => c.body.event.id === id);
      const header = String(call?.headers["x-inngest-signature"] ?? "");
      const params = new URLSearchParams(header);
      const t = params.get("t") ?? "";
      expect(Math.abs(Number(t) - Date.now() / 1000)).toBeLessThan(60);
      // HMAC-SHA256 over the exact body and t, keyed with the key minus its signkey-<env>- prefix.
      const expected = createHmac("sha256", SIGNING_KEY.replace(/^signkey-test-/, ""))
        .update((call?.raw ?? "") + t)
        .digest("hex");
      expect(params.get("s")).toBe(expected);
    });
  });

  describe("a dev server", () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer();
    });
    afterAll(async () => {
      await server?.dispose();
    });

    it("/health answers 200 with the database's state", async () => {
      const res = await api<{ status: string; mode: string; database: { dialect: string; ok: boolean } }>(
        server,
        "GET",
        "/health",
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: "ok", mode: "dev", database: { dialect, ok: true } });
    });

    it("/metrics is Prometheus text: events received, runs by status, queue depth, call latency", async () => {
      const name = unique("metered");
      await register(server, { name, id: name, url: `${app.url}/metered`, triggers: [{ event: name }] });
      const ids = await send(server, [{ name }, { name }, { name }]);
      for (const id of ids) await endedRun(server, id);
      const res = await fetch(`${server.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      expect(text).toMatch(/# TYPE stepwise_events_received_total counter/);
      // Three sent, plus an inngest/function.finished event per run.
      expect(Number(/^stepwise_events_received_total (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(6);
      expect(text).toMatch(/stepwise_run_transitions_total\{status="Completed"\} [3-9]/);
      expect(text).toMatch(/stepwise_run_transitions_total\{status="Queued"\} [3-9]/);
      expect(text).toMatch(/stepwise_queue_depth\{state="waiting"\} \d+/);
      expect(text).toMatch(/stepwise_queue_depth\{state="leased"\} \d+/);
      expect(text).toMatch(/stepwise_step_call_duration_seconds_count\{kind="http"\} [3-9]/);
      expect(text).toMatch(/stepwise_step_call_duration_seconds_bucket\{le="0\.1",kind="http"\} \d+/);
    });

    it("/health answers 503 once the database is gone, and the server keeps answering", async () => {
      if (dialect === "postgres") {
        const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
        await admin.connect();
        await admin.query(`DROP DATABASE ${new URL(server.db).pathname.slice(1)} WITH (FORCE)`);
        await admin.end();
      } else {
        // The file moved away: the open handle still works, but nothing written reaches it any more.
        renameSync(server.db, `${server.db}.moved`);
      }
      const down = await waitFor(async () => {
        const res = await api<{ status: string; database: { ok: boolean; error: string } }>(server, "GET", "/health");
        return res.status === 503 ? res : null;
      }, 10_000);
      expect(down.body).toMatchObject({ status: "unavailable", database: { ok: false } });
      expect(down.body.database.error.length).toBeGreaterThan(0);
      // Requests that need the database fail cleanly instead of crashing the process.
      const send = await api<ErrorBody>(server, "POST", "/e/test-key", { name: "after.outage" });
      if (dialect === "postgres") expect(send.status).toBe(500);
      expect((await api(server, "GET", "/health")).status).toBe(503);
      // The engine reports the outage once and backs off, rather than logging every tick.
      await sleep(1500);
      expect(server.logs().match(/leasing failed/g)?.length ?? 0).toBeLessThanOrEqual(1);
      if (dialect === "sqlite") renameSync(`${server.db}.moved`, server.db);
    });
  });
});
