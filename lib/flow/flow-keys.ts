import type { Sql } from "@/lib/db/sql";

/**
 * Keyed flow-control state (GCRA arrival times, idempotency keys, debounce and batch buffers)
 * in the flow_keys table. `lockKey` creates the row if needed and, on PostgreSQL, locks it so
 * two transactions deciding on the same key serialise.
 */
export interface FlowKeyRow {
  key: string;
  value: string | null;
  tat: number | null;
  expires_at: number | null;
}

/**
 * `expiresAt` is given to a row created only to serialise decisions (purged once expired).
 * One upsert both creates and locks the row: a separate INSERT … DO NOTHING then SELECT … FOR
 * UPDATE lost decisions on PostgreSQL when another transaction deleted the row in between (a
 * debounce timer firing as an event arrived): the SELECT found nothing and the later UPDATE
 * wrote nothing. ON CONFLICT DO UPDATE waits for such a transaction and inserts afresh.
 */
export async function lockKey(tx: Sql, key: string, expiresAt: number | null = null): Promise<FlowKeyRow> {
  const row = await tx.get<FlowKeyRow>(
    `INSERT INTO flow_keys (key, expires_at) VALUES (?, ?)
     ON CONFLICT (key) DO UPDATE SET expires_at = flow_keys.expires_at
     RETURNING key, value, tat, expires_at`,
    [key, expiresAt],
  );
  return row ?? { key, value: null, tat: null, expires_at: null };
}

export async function writeKey(
  tx: Sql,
  key: string,
  change: { value?: string | null; tat?: number | null; expiresAt?: number | null },
): Promise<void> {
  await tx.run(`UPDATE flow_keys SET value = ?, tat = ?, expires_at = ? WHERE key = ?`, [
    change.value ?? null,
    change.tat ?? null,
    change.expiresAt ?? null,
    key,
  ]);
}

export async function deleteKey(tx: Sql, key: string): Promise<void> {
  await tx.run(`DELETE FROM flow_keys WHERE key = ?`, [key]);
}

/** Drops expired keys (old idempotency keys and GCRA states). */
export async function purgeExpiredKeys(sql: Sql, now: number): Promise<number> {
  return sql.run(`DELETE FROM flow_keys WHERE expires_at IS NOT NULL AND expires_at < ?`, [now]);
}

/**
 * GCRA over a stored theoretical arrival time. `throttle` (lossless) answers when the run may
 * start: `limit + burst` start at once, then one per period/limit. `rateLimit` (lossy) answers
 * whether it may start at all: at most `limit` in any period.
 */
export async function throttleStart(
  tx: Sql,
  key: string,
  now: number,
  rule: { limit: number; periodMs: number; burst: number },
): Promise<number> {
  const interval = rule.periodMs / rule.limit;
  const tolerance = (rule.limit + rule.burst - 1) * interval;
  const row = await lockKey(tx, key);
  const tat = Math.max(Number(row.tat ?? 0), now);
  const start = Math.max(now, Math.ceil(tat - tolerance));
  await writeKey(tx, key, { tat: tat + interval, expiresAt: Math.ceil(tat + interval + rule.periodMs) });
  return start;
}

export async function rateLimitAllows(
  tx: Sql,
  key: string,
  now: number,
  rule: { limit: number; periodMs: number },
): Promise<boolean> {
  const interval = rule.periodMs / rule.limit;
  const tolerance = rule.periodMs - interval;
  const row = await lockKey(tx, key);
  const tat = Math.max(Number(row.tat ?? 0), now);
  if (tat - now > tolerance) return false;
  await writeKey(tx, key, { tat: tat + interval, expiresAt: Math.ceil(tat + interval) });
  return true;
}
