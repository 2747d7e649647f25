import {
  STATS_RANGES,
  type FunctionActivity,
  type FunctionStats,
  type StatsBucket,
  type StatsRange,
} from "@/lib/contracts/functions";
import { asNumber, type Sql } from "@/lib/db/sql";
import { notFound } from "@/lib/errors";
import { idFloor } from "@/lib/ids";
import type { FunctionRegistry } from "@/lib/registry/registry";

/**
 * Run counts for the functions pages. Aggregates by time bucket cannot be written with Prisma,
 * so they use the driver with portable SQL; the time window is an id range (ids sort by
 * creation time), walked on `runs(function_id, id)`.
 */
export interface StatsDeps {
  sql: Sql;
  registry: FunctionRegistry;
}

interface CountRow {
  bucket: unknown;
  status: string;
  n: unknown;
}

export async function functionStats(
  deps: StatsDeps,
  functionId: string,
  range: StatsRange,
  now = Date.now(),
): Promise<FunctionStats> {
  if (!deps.registry.get(functionId)) throw notFound("function", functionId);
  const { span, bucket } = STATS_RANGES[range];
  const first = Math.floor((now - span) / bucket) * bucket + bucket;
  // bucket is a constant from STATS_RANGES, never user input
  const rows = await deps.sql.all<CountRow>(
    `SELECT queued_at / ${bucket} AS bucket, status, count(*) AS n FROM runs
     WHERE function_id = ? AND id >= ? GROUP BY queued_at / ${bucket}, status`,
    [functionId, idFloor(first)],
  );
  const buckets = new Map<number, StatsBucket>();
  for (let at = first; at <= now; at += bucket)
    buckets.set(at / bucket, { at: new Date(at).toISOString(), total: 0, completed: 0, failed: 0, cancelled: 0, active: 0 });
  const totals = { total: 0, completed: 0, failed: 0, cancelled: 0, active: 0 };
  for (const row of rows) {
    const b = buckets.get(asNumber(row.bucket));
    if (!b) continue;
    const n = asNumber(row.n);
    for (const target of [b, totals]) {
      target.total += n;
      if (row.status === "Completed") target.completed += n;
      else if (row.status === "Failed") target.failed += n;
      else if (row.status === "Cancelled") target.cancelled += n;
      else if (row.status === "Queued" || row.status === "Running") target.active += n;
    }
  }
  return { functionId, range, bucketMs: bucket, buckets: [...buckets.values()], totals };
}

/** Runs per function over the last hour (total, failed, in flight), for the functions list. */
export async function functionActivity(sql: Sql, now = Date.now()): Promise<FunctionActivity> {
  const rows = await sql.all<{ function_id: string; status: string; n: unknown }>(
    `SELECT function_id, status, count(*) AS n FROM runs WHERE id >= ? GROUP BY function_id, status`,
    [idFloor(now - 3_600_000)],
  );
  const byFn = new Map<string, { functionId: string; total: number; failed: number; active: number }>();
  for (const row of rows) {
    const entry = byFn.get(row.function_id) ?? { functionId: row.function_id, total: 0, failed: 0, active: 0 };
    const n = asNumber(row.n);
    entry.total += n;
    if (row.status === "Failed") entry.failed += n;
    if (row.status === "Queued" || row.status === "Running") entry.active += n;
    byFn.set(row.function_id, entry);
  }
  return { data: [...byFn.values()] };
}
