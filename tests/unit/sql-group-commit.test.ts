import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";

import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { PostgresSql } from "@/lib/db/postgres";
import type { Sql } from "@/lib/db/sql";
import { SqliteSql } from "@/lib/db/sqlite";
import { PG_ADMIN_URL, postgresAvailable } from "../support/db";

// SQLite transactions requested in the same turn of the event loop share one COMMIT, each in
// its own savepoint; Sql.deferred writes run at the end of each transaction body. These are
// the guarantees the engine relies on: a failing unit rolls back alone, every promise settles
// only after its work is committed, and deferred writes belong to their own unit.

const KEY = Symbol("test.deferred");

async function createTable(sql: Sql) {
  await sql.exec(`CREATE TABLE items (id TEXT PRIMARY KEY, note TEXT)`);
}

const count = async (sql: Sql, where = "1 = 1") =>
  Number((await sql.get<{ n: number }>(`SELECT count(*) AS n FROM items WHERE ${where}`))?.n);

describe("SQLite group commit", () => {
  let sql: SqliteSql;
  let other: SqliteSql;
  let file: string;

  beforeAll(async () => {
    const dir = path.resolve("test-output", "unit");
    mkdirSync(dir, { recursive: true });
    file = path.join(dir, `group-${randomBytes(4).toString("hex")}.db`);
    sql = SqliteSql.open(file, { backgroundCheckpoints: true });
    other = SqliteSql.open(file);
    await createTable(sql);
  });
  afterAll(async () => {
    await other.close();
    await sql.close();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
  });

  it("commits concurrent transactions together, and a failing one rolls back alone", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        sql.tx(async (tx) => {
          await tx.run(`INSERT INTO items (id, note) VALUES (?, ?)`, [`a${i}`, "group"]);
          if (i % 5 === 3) throw new Error(`unit ${i} fails`);
          return i;
        }),
      ),
    );
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(4);
    expect(results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []))).toEqual(
      Array.from({ length: 20 }, (_, i) => i).filter((i) => i % 5 !== 3),
    );
    // Seen from another connection: exactly the units that succeeded are durable.
    expect(await count(other, `note = 'group'`)).toBe(16);
    expect(await count(other, `id = 'a3'`)).toBe(0);
  });

  it("settles each transaction only once its work is visible to other connections", async () => {
    const seen = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        sql
          .tx((tx) => tx.run(`INSERT INTO items (id, note) VALUES (?, ?)`, [`b${i}`, "durable"]))
          .then(() => count(other, `id = 'b${i}'`)),
      ),
    );
    expect(seen).toEqual([1, 1, 1, 1, 1]);
  });

  it("nested transactions join the unit they run in", async () => {
    await expect(
      sql.tx(async (tx) => {
        await tx.run(`INSERT INTO items (id, note) VALUES ('c1', 'nested')`);
        await tx.tx((inner) => inner.run(`INSERT INTO items (id, note) VALUES ('c2', 'nested')`));
        throw new Error("the outer unit fails");
      }),
    ).rejects.toThrow("the outer unit fails");
    expect(await count(other, `note = 'nested'`)).toBe(0);
  });

  it("runs deferred writes at the end of their own unit, merged, and never for a failed unit", async () => {
    const defer = (tx: Sql, id: string) => {
      const ids = tx.deferred(
        KEY,
        () => new Set<string>(),
        async (pending, t) => {
          for (const x of pending) await t.run(`INSERT INTO items (id, note) VALUES (?, 'deferred')`, [x]);
        },
      );
      ids?.add(id);
    };
    const results = await Promise.allSettled([
      sql.tx(async (tx) => {
        defer(tx, "d1");
        defer(tx, "d1");
        defer(tx, "d2");
        // Not written yet: deferred to the end of this unit.
        expect(await count(tx, `id IN ('d1', 'd2')`)).toBe(0);
      }),
      sql.tx((tx) => {
        defer(tx, "d3");
        return Promise.reject(new Error("fails before its end"));
      }),
      sql.tx((tx) => {
        defer(tx, "d4");
        return Promise.resolve();
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const rows = await other.all<{ id: string }>(`SELECT id FROM items WHERE note = 'deferred' ORDER BY id`);
    expect(rows.map((r) => r.id)).toEqual(["d1", "d2", "d4"]);
    // Outside a transaction there is nothing to defer to.
    expect(
      sql.deferred(
        KEY,
        () => 1,
        () => Promise.resolve(),
      ),
    ).toBeNull();
  });
});

const pgUp = await postgresAvailable();

describe.skipIf(!pgUp)("PostgreSQL deferred writes", () => {
  const name = `sw_unit_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  let sql: PostgresSql;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    sql = new PostgresSql(url.toString(), 4);
    await createTable(sql);
  });
  afterAll(async () => {
    await sql?.close();
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it("are written just before COMMIT, inside the transaction", async () => {
    await sql.tx(async (tx) => {
      const ids = tx.deferred(
        KEY,
        () => [] as string[],
        async (pending, t) => {
          for (const id of pending) await t.run(`INSERT INTO items (id, note) VALUES (?, 'pg')`, [id]);
        },
      );
      ids?.push("p1", "p2");
      expect(await count(tx, `note = 'pg'`)).toBe(0);
    });
    expect(await count(sql, `note = 'pg'`)).toBe(2);
    await expect(
      sql.tx((tx) => {
        tx.deferred(
          KEY,
          () => ["p3"],
          async (pending, t) => {
            for (const id of pending) await t.run(`INSERT INTO items (id, note) VALUES (?, 'pg')`, [id]);
          },
        );
        return Promise.reject(new Error("rolled back"));
      }),
    ).rejects.toThrow("rolled back");
    expect(await count(sql, `note = 'pg'`)).toBe(2);
  });
});
