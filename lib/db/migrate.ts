import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { postgresMigrations } from "./migrate.postgres";
import { sqliteMigrations } from "./migrate.sqlite";
import type { Sql } from "./sql";

/** What differs by dialect (migrate.sqlite.ts, migrate.postgres.ts). */
export interface MigrationDialect {
  /** creates Prisma's `_prisma_migrations` table if it is missing */
  table: string;
  /** the value of its time columns now */
  now: () => number | string;
  /** a statement that keeps other migrators (other processes, `prisma migrate deploy`) out until commit */
  lock: string | null;
}

export interface MigrationResult {
  applied: string[];
}

/**
 * Applies Prisma Migrate's migration folders at start, recording them in Prisma's own
 * `_prisma_migrations` table (same columns and checksums), so `prisma migrate status` and
 * `migrate deploy` agree with what the server did. In-process because spawning the Prisma CLI
 * costs seconds on every start.
 */
export async function migrate(sql: Sql, migrationsDir: string): Promise<MigrationResult> {
  const names = existsSync(migrationsDir)
    ? readdirSync(migrationsDir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(path.join(migrationsDir, d.name, "migration.sql")))
        .map((d) => d.name)
        .sort()
    : [];
  const dialect = sql.dialect === "postgres" ? postgresMigrations : sqliteMigrations;
  const applied: string[] = [];
  const apply = async (db: Sql) => {
    await db.exec(dialect.table);
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
      const now = dialect.now();
      await db.run(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
         VALUES (?, ?, ?, ?, ?, 1)`,
        [randomUUID(), checksum, now, name, now],
      );
      applied.push(name);
    }
  };

  await sql.tx(async (tx) => {
    if (dialect.lock) await tx.run(dialect.lock);
    await apply(tx);
  });
  return { applied };
}
