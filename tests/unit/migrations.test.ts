import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

import { afterAll, describe, expect, it } from "vitest";

import { migrate } from "@/lib/db/migrate";
import type { Dialect, Sql } from "@/lib/db/sql";

import { createTestDatabase, type TestDatabase } from "../support/db";
import { openSql, postgresMissing, ROOT } from "./support/test-sql";

/**
 * The committed migrations (applied by our in-process migrator, lib/db/migrate.ts) must build
 * exactly the schema in prisma/<dialect>/schema.prisma, and Prisma's own `migrate status` must
 * agree that everything was applied.
 */
const run = promisify(execFile);
const PRISMA = path.join(ROOT, "node_modules", ".bin", "prisma");

function prismaEnv(dialect: Dialect, url: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    STEPWISE_PRISMA_DIALECT: dialect,
    DATABASE_URL: dialect === "sqlite" ? `file:${url}` : url,
  };
}

async function prisma(dialect: Dialect, url: string, args: string[]): Promise<{ code: number; stdout: string; out: string }> {
  try {
    const { stdout, stderr } = await run(PRISMA, args, { cwd: ROOT, env: prismaEnv(dialect, url), timeout: 60_000 });
    return { code: 0, stdout, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : 1, stdout: e.stdout ?? "", out: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

/** Tables, columns, indexes and constraints, in a form that ignores how the DDL was spelled. */
async function describeSchema(sql: Sql): Promise<unknown> {
  if (sql.dialect === "sqlite") {
    const tables = await sql.all<{ name: string }>(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations' ORDER BY name`,
    );
    const out: Record<string, unknown> = {};
    for (const { name } of tables) {
      const columns = await sql.all(`SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_xinfo(?) ORDER BY cid`, [
        name,
      ]);
      const indexes = await sql.all<{ name: string; unique: number; origin: string }>(
        `SELECT name, "unique", origin FROM pragma_index_list(?) ORDER BY name`,
        [name],
      );
      const withColumns = [];
      for (const index of indexes)
        withColumns.push({
          ...index,
          columns: (await sql.all<{ name: string }>(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`, [index.name])).map(
            (c) => c.name,
          ),
        });
      const foreignKeys = await sql.all(`SELECT "table", "from", "to", on_delete FROM pragma_foreign_key_list(?)`, [name]);
      out[name] = { columns, indexes: withColumns, foreignKeys };
    }
    return out;
  }
  const columns = await sql.all(
    `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY table_name, ordinal_position`,
  );
  const indexes = await sql.all(
    `SELECT tablename, indexname, indexdef FROM pg_indexes
     WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY tablename, indexname`,
  );
  const constraints = await sql.all(
    `SELECT c.conrelid::regclass::text AS table_name, c.conname, c.contype, pg_get_constraintdef(c.oid) AS def
     FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
     WHERE n.nspname = 'public' AND c.conrelid::regclass::text <> '"_prisma_migrations"' AND c.conrelid::regclass::text <> '_prisma_migrations'
     ORDER BY 1, 2`,
  );
  return { columns, indexes, constraints };
}

async function fresh(dialect: Dialect, dbs: TestDatabase[]): Promise<{ db: TestDatabase; sql: Sql }> {
  const db = await createTestDatabase(dialect);
  dbs.push(db);
  return { db, sql: openSql(dialect, db.url, 2) };
}

const skipPostgres = await postgresMissing();

describe.concurrent.each([
  ["sqlite", false],
  ["postgres", skipPostgres],
] as const)("migrations on %s", (dialect, skip) => {
  const dbs: TestDatabase[] = [];
  const conns: Sql[] = [];
  afterAll(async () => {
    for (const c of conns) await c.close().catch(() => undefined);
    for (const d of dbs) await d.drop();
  });

  it.skipIf(skip)(
    "applying the migrations yields exactly the schema in schema.prisma, and Prisma agrees they are applied",
    async () => {
      const schemaFile = path.join("prisma", dialect, "schema.prisma");
      const migrated = await fresh(dialect, dbs);
      conns.push(migrated.sql);
      const { applied } = await migrate(migrated.sql, path.join(ROOT, "prisma", dialect, "migrations"));
      expect(applied.length).toBeGreaterThan(0);
      // A second start applies nothing.
      expect((await migrate(migrated.sql, path.join(ROOT, "prisma", dialect, "migrations"))).applied).toEqual([]);

      // What the schema asks for today, as Prisma writes it from an empty database.
      const expected = await fresh(dialect, dbs);
      conns.push(expected.sql);
      const diff = await prisma(dialect, expected.db.url, [
        "migrate",
        "diff",
        "--from-empty",
        "--to-schema-datamodel",
        schemaFile,
        "--script",
      ]);
      expect(diff.code, diff.out).toBe(0);
      const script = diff.stdout;
      expect(script).toContain("CREATE TABLE");
      await expected.sql.exec(script);
      expect(await describeSchema(migrated.sql)).toEqual(await describeSchema(expected.sql));

      if (dialect === "sqlite") {
        // And as `prisma db push` builds it (PostgreSQL's db push does not run on the JS engine).
        const pushed = await fresh(dialect, dbs);
        conns.push(pushed.sql);
        const push = await prisma(dialect, pushed.db.url, ["db", "push", "--skip-generate"]);
        expect(push.code, push.out).toBe(0);
        expect(await describeSchema(migrated.sql)).toEqual(await describeSchema(pushed.sql));
      }

      const status = await prisma(dialect, migrated.db.url, ["migrate", "status"]);
      expect(status.code, status.out).toBe(0);
      expect(status.out).toContain("Database schema is up to date");

      // The check can fail: without our migrator's records, Prisma reports the migration as pending.
      await migrated.sql.run(`DELETE FROM "_prisma_migrations"`);
      const behind = await prisma(dialect, migrated.db.url, ["migrate", "status"]);
      expect(behind.code).not.toBe(0);
      expect(behind.out).toMatch(/not yet been applied/);
    },
    120_000,
  );
});
