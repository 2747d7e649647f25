/**
 * Seeds an SQLite database with many runs (and their trigger events) for the dashboard
 * benchmark and for trying the dashboard at scale:
 *
 *   npx tsx bench/seed.ts [file] [runs]        # default: test-output/bench/dashboard-1m.db, 1,000,000
 *   npx tsx bin/stepwise.ts dev --db test-output/bench/dashboard-1m.db --no-discovery
 *
 * The schema comes from the real migrations; rows go in through better-sqlite3 directly in
 * large transactions (prepared statements, no per-row round trips): ~1M runs in well under a
 * minute. Ids are ULIDs made from each row's time, as the server makes them.
 */
import { existsSync, rmSync } from "node:fs";
import path from "node:path";

import { migrate } from "@/lib/db/migrate";
import { SqliteSql } from "@/lib/db/sqlite";
import { ulid } from "ulid";

export interface SeedSpec {
  file: string;
  runs: number;
  /** spread the runs over this many days back from now */
  days?: number;
  log?: (line: string) => void;
}

export interface SeedResult {
  file: string;
  runs: number;
  events: number;
  functions: string[];
  apps: string[];
  ms: number;
}

const ROOT = path.resolve(import.meta.dirname, "..");
const APPS = ["shop", "billing", "notifications"];
const FUNCTIONS = [
  { id: "shop-send-receipt", app: "shop", name: "Send receipt", event: "shop/order.paid" },
  { id: "shop-sync-inventory", app: "shop", name: "Sync inventory", event: "shop/order.created" },
  { id: "shop-abandoned-cart", app: "shop", name: "Abandoned cart reminder", event: "shop/cart.abandoned" },
  { id: "billing-charge", app: "billing", name: "Charge subscription", event: "billing/invoice.due" },
  { id: "billing-dunning", app: "billing", name: "Dunning emails", event: "billing/payment.failed" },
  { id: "billing-usage-rollup", app: "billing", name: "Usage rollup", event: null, cron: "*/5 * * * *" },
  { id: "notifications-welcome", app: "notifications", name: "Welcome email", event: "user/signed.up" },
  { id: "notifications-digest", app: "notifications", name: "Weekly digest", event: null, cron: "0 9 * * 1" },
  { id: "image-resize", app: null, name: "Resize image", event: "media/image.uploaded" },
  { id: "webhook-forward", app: null, name: "Forward webhook", event: "webhook/received" },
];
/** cumulative weights: mostly completed, some failures, a few in flight */
const STATUSES: [string, number][] = [
  ["Completed", 0.9],
  ["Failed", 0.95],
  ["Cancelled", 0.97],
  ["Skipped", 0.98],
  ["Running", 0.99],
  ["Queued", 1],
];

export async function seedRuns(spec: SeedSpec): Promise<SeedResult> {
  const started = Date.now();
  const log = spec.log ?? (() => undefined);
  for (const suffix of ["", "-wal", "-shm"]) rmSync(spec.file + suffix, { force: true });
  const sql = SqliteSql.open(spec.file);
  await migrate(sql, path.join(ROOT, "prisma", "sqlite", "migrations"));
  const db = sql.db;
  db.pragma("synchronous = OFF");
  db.pragma("cache_size = -200000");

  const now = Date.now();
  const t0 = BigInt(now);
  const insertApp = db.prepare(
    `INSERT INTO apps (id, name, url, sdk_language, sdk_version, framework, sync_kind, last_synced_at, created_at, updated_at)
     VALUES (?, ?, ?, 'js', '3.54.2', 'express', 'manual', ?, ?, ?)`,
  );
  const insertFn = db.prepare(
    `INSERT INTO functions (id, app_id, kind, name, url, triggers, config, paused, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
  );
  db.transaction(() => {
    for (const app of APPS) insertApp.run(app, app, `http://127.0.0.1:3999/api/inngest?app=${app}`, t0, t0, t0);
    for (const fn of FUNCTIONS)
      insertFn.run(
        fn.id,
        fn.app,
        fn.app ? "sdk" : "http",
        fn.name,
        `http://127.0.0.1:3999/${fn.id}`,
        JSON.stringify(fn.event ? [{ event: fn.event }] : [{ cron: fn.cron }]),
        JSON.stringify({ retries: 3 }),
        t0,
        t0,
      );
    db.prepare(
      `INSERT INTO meta (key, value) VALUES ('registry_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    ).run(ulid());
  })();

  const insertRun = db.prepare(
    `INSERT INTO runs (id, function_id, app_id, event_id, event_ids, trigger, cron, status, status_reason, request_version,
                       disable_immediate, queued_at, started_at, ended_at, updated_at, output, error)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 0, ?, ?, ?, ?, ?, ?)`,
  );
  const insertEvent = db.prepare(
    `INSERT INTO events (id, name, data, "user", ts, v, external_id, received_at) VALUES (?, ?, ?, NULL, ?, NULL, NULL, ?)`,
  );

  const span = (spec.days ?? 30) * 86_400_000;
  const step = span / spec.runs;
  let events = 0;
  let seed = 42;
  const random = () => {
    // xorshift: deterministic data for comparable runs of the benchmark
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return ((seed >>> 0) % 1_000_000) / 1_000_000;
  };
  const BATCH = 20_000;
  for (let start = 0; start < spec.runs; start += BATCH) {
    db.transaction(() => {
      for (let i = start; i < Math.min(spec.runs, start + BATCH); i++) {
        const at = Math.round(now - span + i * step);
        const fn = FUNCTIONS[i % FUNCTIONS.length] as (typeof FUNCTIONS)[number];
        const r = random();
        const status = STATUSES.find(([, w]) => r < w)?.[0] ?? "Completed";
        let eventId: string | null = null;
        if (fn.event) {
          eventId = ulid(at, random);
          insertEvent.run(
            eventId,
            fn.event,
            JSON.stringify({
              userId: String(i % 5000),
              orderId: `ord_${i}`,
              amount: (i % 977) * 3,
              plan: i % 3 ? "pro" : "free",
            }),
            at,
            at,
          );
          events++;
        }
        // ulid(at), not the server's monotonic newId: that one never goes back in time
        const runId = ulid(at, random);
        const running = status === "Running" || status === "Queued";
        const ended = running ? null : at + 40 + Math.round(r * 2000);
        insertRun.run(
          runId,
          fn.id,
          fn.app,
          eventId,
          JSON.stringify(eventId ? [eventId] : []),
          fn.event ?? "cron",
          fn.cron ?? null,
          status,
          status === "Skipped" ? "rate limit" : status === "Cancelled" ? "cancelled through the API" : null,
          at,
          status === "Queued" ? null : at + 5,
          ended,
          ended ?? at,
          status === "Completed" ? JSON.stringify({ ok: true, n: i }) : null,
          status === "Failed" ? JSON.stringify({ name: "Error", message: "upstream returned 502" }) : null,
        );
      }
    })();
    if ((start / BATCH) % 10 === 0) log(`seeded ${Math.min(spec.runs, start + BATCH).toLocaleString("en-US")} runs`);
  }
  db.pragma("synchronous = NORMAL");
  db.exec("ANALYZE");
  await sql.close();
  return {
    file: spec.file,
    runs: spec.runs,
    events,
    functions: FUNCTIONS.map((f) => f.id),
    apps: APPS,
    ms: Date.now() - started,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const file = path.resolve(process.argv[2] ?? path.join(ROOT, "test-output", "bench", "dashboard-1m.db"));
  const runs = Number(process.argv[3] ?? 1_000_000);
  if (existsSync(file)) console.log(`replacing ${file}`);
  const result = await seedRuns({ file, runs, log: (l) => console.log(l) });
  console.log(
    `seeded ${result.runs.toLocaleString("en-US")} runs and ${result.events.toLocaleString("en-US")} events in ${(result.ms / 1000).toFixed(1)} s → ${file}`,
  );
}
