import { spawn } from "node:child_process";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { defineLeaseSuite, fill, partition } from "./support/lease-suite";
import { createTestSql, ROOT, type TestSql } from "./support/test-sql";

// lib/queue/lease.sqlite.ts against a real SQLite file. In one process, concurrent leasers share
// the connection (transactions are serialised); across processes, BEGIN IMMEDIATE must keep
// two leasers from claiming one item.
defineLeaseSuite("sqlite", false, (t) => [t.sql, t.sql, t.sql, t.sql]);

interface Worker {
  ready: Promise<void>;
  start(): void;
  done: Promise<string[]>;
}

function leaseInChildProcess(dbFile: string, owner: string): Worker {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(import.meta.dirname, "support", "lease-worker.ts"), dbFile, owner],
    {
      cwd: ROOT,
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    if (out.startsWith("ready\n")) markReady();
  });
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const done = new Promise<string[]>((resolve, reject) =>
    child.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out.slice("ready\n".length)) as string[])
        : reject(new Error(`worker exited ${code}: ${err}`)),
    ),
  );
  return { ready, start: () => child.stdin.write("go\n"), done };
}

describe("leasing on sqlite across processes", () => {
  let t: TestSql;
  beforeAll(async () => {
    t = await createTestSql("sqlite");
  });
  afterAll(async () => {
    await t?.close();
  });

  it("three processes draining one file never claim an item twice", async () => {
    const expected: string[] = [];
    for (const id of ["x1", "x2", "x3", "x4"]) expected.push(...(await fill(t.sql, partition(id), 150)));
    const workers = ["p1", "p2", "p3"].map((owner) => leaseInChildProcess(t.db.url, owner));
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.start();
    const results = await Promise.all(workers.map((w) => w.done));
    const all = results.flat();
    expect(all.length).toBe(expected.length);
    expect(new Set(all)).toEqual(new Set(expected));
    // Several processes did part of the work (they really leased at the same time).
    expect(results.filter((r) => r.length > 0).length).toBeGreaterThanOrEqual(2);
  });
});
