import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import type { Sql } from "./sql";

/**
 * Applies Prisma Migrate's migration folders at start, recording them in Prisma's own
 * `_prisma_migrations` table (same columns and checksums), so `prisma migrate status` and
 * `migrate deploy` agree with what the server did. In-process because spawning the Prisma CLI
 * costs seconds on every start.
 */
const TABLE = {
  sqlite: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL,
    "checksum" TEXT NOT NULL,
    "finished_at" DATETIME,
    "migration_name" TEXT NOT NULL,
    "logs" TEXT,
    "rolled_back_at" DATETIME,
    "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
  )`,
  postgres: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
  )`,
};

/** Prisma's advisory lock key, so our migrator and `prisma migrate deploy` exclude each other. */
const PG_LOCK = 72707369;

export interface MigrationResult {
  applied: string[];
}

export async function migrate(sql: Sql, migrationsDir: string): Promise<MigrationResult> {
  const names = existsSync(migrationsDir)
    ? readdirSync(migrationsDir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(path.join(migrationsDir, d.name, "migration.sql")))
        .map((d) => d.name)
        .sort()
    : [];
  const applied: string[] = [];
  const apply = async (db: Sql) => {
    await db.exec(TABLE[db.dialect]);
    const done = new Set(
      (
        await db.all<{ migration_name: string }>(
          `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
        )
      ).map((r) => r.migration_name),
    );
    for (const name of names) {
      if (done.has(name)) continue;
      const script = readFileSync(path.join(migrationsDir, name, "migration.sql"), "utf8");
      const checksum = createHash("sha256").update(script).digest("hex");
      await db.exec(script);
      const now = db.dialect === "sqlite" ? Date.now() : new Date().toISOString();
      await db.run(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
         VALUES (?, ?, ?, ?, ?, 1)`,
        [randomUUID(), checksum, now, name, now],
      );
      applied.push(name);
    }
  };

  if (sql.dialect === "sqlite") {
    await sql.tx(apply);
  } else {
    await sql.tx(async (tx) => {
      await tx.run(`SELECT pg_advisory_xact_lock(${PG_LOCK})`);
      await apply(tx);
    });
  }
  return { applied };
}
