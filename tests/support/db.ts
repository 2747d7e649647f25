import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";

import pg from "pg";

/**
 * A fresh database per test server: an SQLite file under test-output/, or a new PostgreSQL
 * database created on the local server (dropped afterwards). Which one comes from the vitest
 * project (STEPWISE_TEST_DIALECT). Outside CI a missing PostgreSQL skips loudly; in CI it fails.
 */
export const dialect = (process.env.STEPWISE_TEST_DIALECT ?? "sqlite") as "sqlite" | "postgres";
export const PG_ADMIN_URL = process.env.STEPWISE_TEST_PG ?? "postgresql://postgres@127.0.0.1:5432/test";
export const inCI = process.env.CI === "true" || process.env.CI === "1";

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

let pgAvailable: Promise<boolean> | undefined;

export function postgresAvailable(): Promise<boolean> {
  pgAvailable ??= (async () => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return pgAvailable;
}

/** True when this file's tests must be skipped (PostgreSQL project without a server, outside CI). */
export async function skipWithoutDatabase(): Promise<boolean> {
  if (dialect !== "postgres") return false;
  if (await postgresAvailable()) return false;
  if (inCI) throw new Error(`PostgreSQL is not reachable at ${PG_ADMIN_URL}, and CI must run the PostgreSQL suite`);
  console.warn(`\n*** SKIPPING PostgreSQL tests: no server at ${PG_ADMIN_URL} (start it, or set STEPWISE_TEST_PG) ***\n`);
  return true;
}

/** A fresh database of the project's dialect (or the one asked for: unit tests cover both). */
export async function createTestDatabase(of: "sqlite" | "postgres" = dialect): Promise<TestDatabase> {
  const name = `sw_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  if (of === "sqlite") {
    const dir = path.resolve("test-output", "db");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name}.db`);
    return {
      url: file,
      drop: () => {
        for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
        return Promise.resolve();
      },
    };
  }
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await c.end();
    },
  };
}
