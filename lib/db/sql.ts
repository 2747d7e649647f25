/**
 * The engine's hot-path database seam: plain SQL on the driver (better-sqlite3 or pg), used
 * where Prisma's per-statement cost matters (ingest, leasing, state changes). SQL is written
 * once with `?` placeholders and portable syntax (ON CONFLICT, RETURNING); the PostgreSQL
 * driver rewrites placeholders. Dialect-specific statements live in `*.sqlite.ts` /
 * `*.postgres.ts` files beside the code that needs them.
 */
export type Dialect = "sqlite" | "postgres";

export type Row = Record<string, unknown>;

export interface Sql {
  readonly dialect: Dialect;
  all<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  get<T = Row>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** Runs a statement and answers the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction; inside, `fn`'s argument is the transaction. Nested calls join it. */
  tx<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  readonly inTransaction: boolean;
  /** Throws unless the database answers and is still the one opened (health checks). */
  ping(): Promise<void>;
  /**
   * Per-transaction state for `key`: created on first use in this transaction, and handed to
   * `flush` just before the transaction commits (the same for every caller with that key).
   * Lets hot paths merge many small writes of one transaction into one statement issued at the
   * end. Outside a transaction: null (the caller writes at once).
   */
  deferred<T>(key: symbol, create: () => T, flush: (state: T, tx: Sql) => Promise<void>): T | null;
  close(): Promise<void>;
}

/** Booleans become 1/0 (SQLite cannot bind booleans; PostgreSQL reads '1'/'0' as booleans). */
export function bindValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}

/** `(?, ?, ?), (?, ?, ?)` for a multi-row VALUES list. */
export function valuesList(rows: number, columns: number): string {
  const one = `(${new Array<string>(columns).fill("?").join(", ")})`;
  return new Array<string>(rows).fill(one).join(", ");
}

/** `?, ?, ?` for an IN list. */
export function placeholders(count: number): string {
  return new Array<string>(count).fill("?").join(", ");
}

/** What an implementation keeps per transaction for `Sql.deferred`. */
export class DeferredWrites {
  private readonly entries = new Map<symbol, { state: unknown; flush: (state: unknown, tx: Sql) => Promise<void> }>();

  get<T>(key: symbol, create: () => T, flush: (state: T, tx: Sql) => Promise<void>): T {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { state: create(), flush: flush as (state: unknown, tx: Sql) => Promise<void> };
      this.entries.set(key, entry);
    }
    return entry.state as T;
  }

  /** Runs the flushes (in the order their keys were first used) and forgets them. */
  async flush(tx: Sql): Promise<void> {
    while (this.entries.size > 0) {
      const [key, entry] = this.entries.entries().next().value as [
        symbol,
        { state: unknown; flush: (s: unknown, tx: Sql) => Promise<void> },
      ];
      this.entries.delete(key);
      await entry.flush(entry.state, tx);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/** Splits rows into chunks so one statement stays under the drivers' parameter limits. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function asBool(value: unknown): boolean {
  return value === true || value === 1 || value === "1" || value === "t";
}

export function asNumber(value: unknown): number {
  return typeof value === "number" ? value : Number(value);
}

export function asOptionalNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : asNumber(value);
}
