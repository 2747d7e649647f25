import { mkdirSync, statSync } from "node:fs";
import path from "node:path";

import Database from "better-sqlite3";

import { SAFETY_NET_CHECKPOINT_PAGES, SqliteCheckpointer } from "./sqlite-checkpointer";
import { bindValue, DeferredWrites, type Sql } from "./sql";

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
 * connection as long as no `await` on real I/O happens inside; transaction bodies run one at a
 * time (a body that does await real I/O holds the others back until it ends).
 *
 * Transactions are group-committed: those requested during one turn of the event loop run
 * one after another inside a single BEGIN … COMMIT, each in its own SAVEPOINT, so a failing
 * one rolls back alone while the others commit. The COMMIT (writing every changed page to
 * the WAL) was a third of the engine's CPU at a transaction per unit; the engine's units come
 * in bursts (a leased batch of items completing together), so one commit serves many. Each
 * caller's promise still settles only after the commit that made its work durable.
 */
interface QueuedTx {
  fn: (tx: Sql) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Bounds how long the first transaction of a group waits for the commit. */
const MAX_GROUP = 256;

export class SqliteSql implements Sql {
  readonly dialect = "sqlite" as const;
  private readonly statements = new Map<string, Statement>();
  private queue: QueuedTx[] = [];
  private scheduled = false;
  private running = false;
  private depth = 0;
  /** writes merged until the end of the current transaction body (see Sql.deferred) */
  private readonly writes = new DeferredWrites();

  /** the file and its inode at open: a deleted or replaced file is a dead database */
  private readonly origin: { file: string; ino: number } | null;

  constructor(
    readonly db: Database.Database,
    file?: string,
  ) {
    this.origin = file && file !== ":memory:" ? { file: path.resolve(file), ino: statSync(file).ino } : null;
  }

  /** checkpoints on a worker thread (the server's connection; see SqliteCheckpointer) */
  private checkpointer: SqliteCheckpointer | null = null;

  static open(file: string, options: { backgroundCheckpoints?: boolean } = {}): SqliteSql {
    const sql = new SqliteSql(openSqliteFile(file), file);
    if (options.backgroundCheckpoints && file !== ":memory:") {
      sql.db.pragma(`wal_autocheckpoint = ${SAFETY_NET_CHECKPOINT_PAGES}`);
      sql.checkpointer = new SqliteCheckpointer(path.resolve(file));
    }
    return sql;
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

  deferred<T>(key: symbol, create: () => T, flush: (state: T, tx: Sql) => Promise<void>): T | null {
    return this.depth > 0 ? this.writes.get(key, create, flush) : null;
  }

  /** One member of a group: its body, then its deferred writes, inside the group's transaction. */
  private async body(item: QueuedTx): Promise<unknown> {
    this.writes.clear();
    try {
      const value = await item.fn(this);
      await this.writes.flush(this);
      return value;
    } finally {
      this.writes.clear();
    }
  }

  tx<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    if (this.depth > 0) return fn(this);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      this.scheduleGroup();
    });
  }

  private scheduleGroup(): void {
    if (this.scheduled || this.running || this.queue.length === 0) return;
    this.scheduled = true;
    // setImmediate, not a microtask: everything requested in this turn of the loop joins.
    setImmediate(() => {
      this.scheduled = false;
      void this.runGroup();
    });
  }

  private control(sql: string): void {
    this.prepare(sql).run();
  }

  private async runGroup(): Promise<void> {
    if (this.running) return;
    const group = this.queue.splice(0, MAX_GROUP);
    if (group.length === 0) return;
    this.running = true;
    this.depth++;
    let settled: Settled[] = [];
    try {
      this.control("BEGIN IMMEDIATE");
      if (group.length === 1) {
        settled.push({ ok: true, value: await this.body(group[0] as QueuedTx) });
      } else {
        for (const item of group) settled.push(await this.inSavepoint(item));
      }
      this.control("COMMIT");
    } catch (error) {
      // Nothing of the group was committed: every member fails with the cause.
      if (this.db.inTransaction) this.control("ROLLBACK");
      settled = group.map(() => ({ ok: false, error }));
    } finally {
      this.depth--;
      this.running = false;
    }
    group.forEach((item, i) => {
      const s = settled[i] as Settled;
      if (s.ok) item.resolve(s.value);
      else item.reject(s.error);
    });
    this.scheduleGroup();
  }

  private async inSavepoint(item: QueuedTx): Promise<Settled> {
    this.control("SAVEPOINT unit");
    try {
      const value = await this.body(item);
      this.control("RELEASE unit");
      return { ok: true, value };
    } catch (error) {
      // Some errors (disk full, I/O) end the whole transaction; then the group fails as one.
      if (!this.db.inTransaction) throw error;
      this.control("ROLLBACK TO unit");
      this.control("RELEASE unit");
      return { ok: false, error };
    }
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    this.checkpointer = null;
    this.statements.clear();
    if (this.db.open) this.db.close();
  }
}
