import { mkdirSync } from "node:fs";
import path from "node:path";

import Database from "better-sqlite3";

import { bindValue, type Sql } from "./sql";

type Statement = Database.Statement<unknown[], unknown>;

/** Opens an SQLite file with the settings every connection here uses. */
export function openSqliteFile(file: string): Database.Database {
  if (file !== ":memory:") mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 10000");
  db.pragma("foreign_keys = ON");
  return db;
}

/**
 * better-sqlite3 is synchronous, so a transaction cannot interleave with another on the same
 * connection as long as no `await` on real I/O happens inside; the mutex makes that hold even
 * when a transaction body awaits (it serialises transaction bodies, not single statements).
 */
export class SqliteSql implements Sql {
  readonly dialect = "sqlite" as const;
  private readonly statements = new Map<string, Statement>();
  private txTail: Promise<void> = Promise.resolve();
  private depth = 0;

  constructor(readonly db: Database.Database) {}

  static open(file: string): SqliteSql {
    return new SqliteSql(openSqliteFile(file));
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  private prepare(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  allSync<T>(sql: string, params: readonly unknown[] = []): T[] {
    return this.prepare(sql).all(...params.map(bindValue)) as T[];
  }

  runSync(sql: string, params: readonly unknown[] = []): number {
    const stmt = this.prepare(sql);
    if (stmt.reader) {
      stmt.all(...params.map(bindValue));
      return 0;
    }
    return stmt.run(...params.map(bindValue)).changes;
  }

  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return Promise.resolve(this.allSync<T>(sql, params));
  }

  get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined> {
    return Promise.resolve(this.prepare(sql).get(...(params ?? []).map(bindValue)) as T | undefined);
  }

  run(sql: string, params?: readonly unknown[]): Promise<number> {
    return Promise.resolve(this.runSync(sql, params));
  }

  exec(sql: string): Promise<void> {
    this.db.exec(sql);
    return Promise.resolve();
  }

  async tx<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    if (this.depth > 0) return fn(this);
    const previous = this.txTail;
    let release!: () => void;
    this.txTail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    this.depth++;
    try {
      this.db.exec("BEGIN IMMEDIATE");
      try {
        const result = await fn(this);
        this.db.exec("COMMIT");
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
        throw error;
      }
    } finally {
      this.depth--;
      release();
    }
  }

  close(): Promise<void> {
    this.statements.clear();
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }
}
