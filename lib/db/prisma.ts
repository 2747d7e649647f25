import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";

import { PrismaClient as PostgresClient } from "./generated/postgres/client";
import { PrismaClient as SqliteClient } from "./generated/sqlite/client";
import type { Dialect } from "./sql";

/**
 * Prisma owns the schema, the migrations and the API/page queries. Both dialects are generated
 * from one model source, so their client APIs are identical; the SQLite client's type stands
 * for both.
 */
export type PrismaDb = InstanceType<typeof SqliteClient>;

export function createPrisma(dialect: Dialect, url: string): PrismaDb {
  if (dialect === "postgres") {
    const adapter = new PrismaPg({ connectionString: url, max: 5 });
    return new PostgresClient({ adapter }) as unknown as PrismaDb;
  }
  const adapter = new PrismaBetterSQLite3({ url, timeout: 10_000 });
  return new SqliteClient({ adapter });
}

export type { App, Cancellation, Event, Function as FunctionRow, Run, Step } from "./generated/sqlite/client";
