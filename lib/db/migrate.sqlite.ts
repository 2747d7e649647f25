import type { MigrationDialect } from "./migrate";

/** Prisma's migrations table as Prisma creates it on SQLite; one writer, so no lock is needed. */
export const sqliteMigrations: MigrationDialect = {
  table: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL,
    "checksum" TEXT NOT NULL,
    "finished_at" DATETIME,
    "migration_name" TEXT NOT NULL,
    "logs" TEXT,
    "rolled_back_at" DATETIME,
    "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
  )`,
  now: () => Date.now(),
  lock: null,
};
