import { spawn } from "node:child_process";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { defineLeaseSuite, fill, partition } from "./support/lease-suite";
import { createTestSql, ROOT, type TestSql } from "./support/test-sql";

// lib/queue/lease.sqlite.ts against a real SQLite file. In one process, concurrent leasers share
// the connection (transactions are serialised); across processes, BEGIN IMMEDIATE must keep
// two leasers from claiming one item.
defineLeaseSuite("sqlite", false, (t) => [t.sql, t.sql, t.sql, t.sql]);

function leaseInChildProcess(dbFile: string, owner: string, startAt: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(import.meta.dirname, "support", "lease-worker.ts"), dbFile, owner, String(startAt)],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(`worker exited ${code}: ${err}`)),
    );
  });
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
    const startAt = Date.now() + 4000;
    const results = await Promise.all(["p1", "p2", "p3"].map((owner) => leaseInChildProcess(t.db.url, owner, startAt)));
    const all = results.flat();
    expect(all.length).toBe(expected.length);
    expect(new Set(all)).toEqual(new Set(expected));
    // Each process did part of the work (they really ran at the same time).
    for (const r of results) expect(r.length).toBeGreaterThan(0);
  });
});
