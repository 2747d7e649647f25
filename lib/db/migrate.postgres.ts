import type { MigrationDialect } from "./migrate";

/** Prisma's advisory lock key, so our migrator and `prisma migrate deploy` exclude each other. */
const PRISMA_LOCK = 72707369;

/** Prisma's migrations table as Prisma creates it on PostgreSQL, and Prisma's migration lock. */
export const postgresMigrations: MigrationDialect = {
  table: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
  )`,
  now: () => new Date().toISOString(),
  lock: `SELECT pg_advisory_xact_lock(${PRISMA_LOCK})`,
};
