import { postgresLocks } from "./locks.postgres";
import type { Sql } from "./sql";

/**
 * The clause that locks the rows a SELECT (or a sub-select) reads until the transaction ends:
 * `FOR UPDATE` on PostgreSQL, `FOR UPDATE SKIP LOCKED` to pass over rows another transaction
 * holds; nothing on SQLite, whose transactions hold the only write lock from their start.
 */
export function lockRows(sql: Sql, options: { skipLocked?: boolean } = {}): string {
  if (sql.dialect !== "postgres") return "";
  return options.skipLocked ? postgresLocks.forUpdateSkipLocked : postgresLocks.forUpdate;
}
