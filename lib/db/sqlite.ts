import { mkdirSync, statSync } from "node:fs";
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
  db.pragma("cache_size = -65536");
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

  /** the file and its inode at open: a deleted or replaced file is a dead database */
  private readonly origin: { file: string; ino: number } | null;

  constructor(
    readonly db: Database.Database,
    file?: string,
  ) {
    this.origin = file && file !== ":memory:" ? { file: path.resolve(file), ino: statSync(file).ino } : null;
  }

  static open(file: string): SqliteSql {
    return new SqliteSql(openSqliteFile(file), file);
  }

  /**
   * SQLite keeps working on an open file that was deleted or replaced, silently writing where
   * nobody will read again; so the check also asks whether the path still holds our file, and
   * reads a real page instead of `SELECT 1` (which never touches the file).
   */
  ping(): Promise<void> {
    if (this.origin) {
      let ino: number | null = null;
      try {
        ino = statSync(this.origin.file).ino;
      } catch {
        // missing: reported below
      }
      if (ino !== this.origin.ino)
        return Promise.reject(new Error(`the database file ${this.origin.file} was deleted or replaced`));
    }
    try {
      this.db.prepare(`SELECT count(*) AS n FROM sqlite_schema`).get();
      this.db.prepare(`SELECT value FROM meta LIMIT 1`).get();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
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
