import path from "node:path";

import { migrate } from "@/lib/db/migrate";
import { PostgresSql } from "@/lib/db/postgres";
import type { Dialect, Sql } from "@/lib/db/sql";
import { SqliteSql } from "@/lib/db/sqlite";

import { createTestDatabase, postgresAvailable, type TestDatabase } from "../../support/db";

/** A fresh, migrated database of one dialect, opened with the engine's own driver seam. */
export interface TestSql {
  sql: Sql;
  db: TestDatabase;
  /** another connection (pool) to the same database */
  open(poolSize?: number): Sql;
  close(): Promise<void>;
}

export const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");

export function openSql(dialect: Dialect, url: string, poolSize = 10): Sql {
  return dialect === "postgres" ? new PostgresSql(url, poolSize) : SqliteSql.open(url);
}

export async function createTestSql(dialect: Dialect): Promise<TestSql> {
  const db = await createTestDatabase(dialect);
  const sql = openSql(dialect, db.url);
  await migrate(sql, path.join(ROOT, "prisma", dialect, "migrations"));
  const others: Sql[] = [];
  return {
    sql,
    db,
    open(poolSize) {
      const other = openSql(dialect, db.url, poolSize);
      others.push(other);
      return other;
    },
    async close() {
      for (const o of others) await o.close();
      await sql.close();
      await db.drop();
    },
  };
}

/** PostgreSQL unit tests run whenever a server is reachable (and must, in CI). */
export async function postgresMissing(): Promise<boolean> {
  if (await postgresAvailable()) return false;
  if (process.env.CI === "true" || process.env.CI === "1") throw new Error("CI must run the PostgreSQL unit tests");
  console.warn("\n*** SKIPPING PostgreSQL unit tests: no server reachable ***\n");
  return true;
}
