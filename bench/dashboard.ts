/**
 * Dashboard list endpoints at scale: seeds (once, cached) an SQLite database with 1,000,000
 * runs, starts the real built server on it and measures p50/p95 of `GET /api/v1/runs` and
 * `GET /api/v1/events` for the cases the dashboard issues: the first page, filters by status,
 * function and app, a time range, a page deep in the cursor chain, and the CEL search.
 * Target: p95 ≤ 100 ms for each.
 *
 *   npx tsx bench/dashboard.ts            # STEPWISE_BENCH_RUNS=200000 for a quicker pass
 */
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

import { startServer } from "../tests/support/server";

import { seedRuns } from "./seed";

const ROOT = path.resolve(import.meta.dirname, "..");
const TARGET_P95_MS = 100;

interface Case {
  label: string;
  path: string;
}

const formatCount = (n: number) => n.toLocaleString("en-US");

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Seeds the database unless a seed of the same size and schema is already there. */
async function seededDatabase(runs: number, log: (l: string) => void): Promise<string> {
  const file = path.join(ROOT, "test-output", "bench", `dashboard-${runs}.db`);
  const marker = `${file}.seeded`;
  const migration = path.join(ROOT, "prisma", "sqlite", "migrations");
  const schemaStamp = String(statSync(path.join(ROOT, "prisma", "schema.prisma")).mtimeMs) + existsSync(migration);
  if (existsSync(file) && existsSync(marker) && readFileSync(marker, "utf8") === schemaStamp) return file;
  log(`seeding ${runs.toLocaleString("en-US")} runs (once; cached in ${path.relative(ROOT, file)})…`);
  const result = await seedRuns({ file, runs });
  log(`seeded in ${(result.ms / 1000).toFixed(1)} s`);
  writeFileSync(marker, schemaStamp);
  return file;
}

async function timed(url: string): Promise<{ ms: number; body: unknown }> {
  const t = performance.now();
  const res = await fetch(url);
  const body = (await res.json()) as unknown;
  const ms = performance.now() - t;
  if (!res.ok) throw new Error(`${url} → ${res.status}: ${JSON.stringify(body)}`);
  return { ms, body };
}

export async function runDashboardBench(options: { runs?: number; samples?: number } = {}): Promise<string[]> {
  const runs = options.runs ?? Number(process.env.STEPWISE_BENCH_RUNS ?? 1_000_000);
  const samples = options.samples ?? 100;
  const lines: string[] = [];
  const log = (l: string) => process.stderr.write(`${l}\n`);
  const file = await seededDatabase(runs, log);
  // the bench's database is kept between runs, so the server must not drop it
  const server = await startServer({ database: { url: file, drop: () => Promise.resolve() } });
  try {
    const base = `${server.url}/api/v1`;
    // A cursor deep in the list: the id of a run about two thirds of the way back.
    const deep = (await timed(`${base}/runs?limit=1&to=${Date.now() - 20 * 86_400_000}`)).body as { data: { id: string }[] };
    const deepCursor = deep.data[0]?.id ?? "";
    const deepEvents = (await timed(`${base}/events?limit=1&cursor=${deepCursor}`)).body as { data: { id: string }[] };
    // The seed is cached, so "the last hour" is the hour before its newest run (not a cron run made since).
    const newest = (await timed(`${base}/runs?functionId=image-resize&limit=1`)).body as { data: { queuedAt: string }[] };
    const hour = Date.parse(newest.data[0]?.queuedAt ?? new Date().toISOString()) - 3_600_000;
    const cases: Case[] = [
      { label: "runs: first page", path: "/runs?limit=50" },
      { label: "runs: status=Failed", path: "/runs?status=Failed" },
      { label: "runs: status=Running,Queued", path: "/runs?status=Running,Queued" },
      { label: "runs: function", path: "/runs?functionId=billing-charge" },
      { label: "runs: function + status=Failed", path: "/runs?functionId=billing-charge&status=Failed" },
      { label: "runs: app + status=Failed", path: "/runs?appId=shop&status=Failed" },
      { label: "runs: last hour of the seed", path: `/runs?from=${hour}` },
      { label: "runs: deep cursor page", path: `/runs?cursor=${deepCursor}` },
      { label: "runs: deep cursor + Failed", path: `/runs?cursor=${deepCursor}&status=Failed` },
      { label: "runs: CEL search", path: `/runs?q=${encodeURIComponent('event.data.userId == "42"')}` },
      {
        label: "runs: CEL search + fn",
        path: `/runs?functionId=shop-send-receipt&q=${encodeURIComponent("event.data.amount > 2900")}`,
      },
      { label: "runs: status=Queued", path: "/runs?status=Queued" },
      { label: "events: first page", path: "/events?limit=50" },
      { label: "events: home panel (with runs)", path: "/events?limit=20&runs=1" },
      { label: "events: name filter", path: `/events?name=${encodeURIComponent("billing/invoice.due")}` },
      { label: "events: deep cursor page", path: `/events?cursor=${deepEvents.data[0]?.id ?? ""}` },
      { label: "events: CEL search", path: `/events?q=${encodeURIComponent('event.data.userId == "42"')}` },
    ];
    lines.push(
      `dashboard lists, ${runs.toLocaleString("en-US")} runs in SQLite, ${samples} sequential requests each (target p95 ≤ ${TARGET_P95_MS} ms)`,
    );
    for (const c of cases) {
      for (let i = 0; i < 5; i++) await timed(base + c.path);
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < samples; i++) {
        const { ms, body } = await timed(base + c.path);
        times.push(ms);
        rows = (body as { data: unknown[] }).data.length;
      }
      times.sort((a, b) => a - b);
      const p50 = percentile(times, 50);
      const p95 = percentile(times, 95);
      lines.push(
        `  ${c.label.padEnd(32)} p50 ${p50.toFixed(1).padStart(6)} ms   p95 ${p95.toFixed(1).padStart(6)} ms   ${String(rows).padStart(3)} rows ${p95 <= TARGET_P95_MS ? "" : "  ← over target"}`,
      );
    }
    // The whole CEL search, slice after slice, as the dashboard follows it to the end.
    const q = encodeURIComponent('event.data.userId == "42"');
    let cursor: string | null = null;
    let requests = 0;
    let found = 0;
    let scanned = 0;
    const t = performance.now();
    do {
      const { body } = await timed(`${base}/runs?limit=200&q=${q}${cursor ? `&cursor=${cursor}` : ""}`);
      const page = body as { data: unknown[]; nextCursor: string | null; search: { scanned: number } };
      requests++;
      found += page.data.length;
      scanned += page.search.scanned;
      cursor = page.nextCursor;
    } while (cursor && requests < 1000);
    lines.push(
      `  CEL search to the end: ${formatCount(scanned)} runs scanned, ${found} found, ${requests} requests, ${((performance.now() - t) / 1000).toFixed(2)} s`,
    );
  } finally {
    await server.stop();
  }
  return lines;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  for (const line of await runDashboardBench()) console.log(line);
}
