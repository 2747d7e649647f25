import pg from "pg";

import { bindValue, DeferredWrites, type Sql } from "./sql";

const INT8 = 20;
const NUMERIC = 1700;

/** int8 and numeric as JS numbers: every BigInt column holds Unix milliseconds or a counter. */
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8 || oid === NUMERIC) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
  },
};

const placeholderCache = new Map<string, string>();

/** `?` → `$1…$n`. Our SQL never has a literal `?` in a string. */
export function toPgPlaceholders(sql: string): string {
  let cached = placeholderCache.get(sql);
  if (cached === undefined) {
    let n = 0;
    cached = sql.replace(/\?/g, () => `$${++n}`);
    placeholderCache.set(sql, cached);
  }
  return cached;
}

/**
 * Statements with a fixed shape run as named prepared statements: PostgreSQL parses and plans
 * each once per connection instead of on every call. The engine issues a dozen small
 * statements per run, and on a busy 2-core machine the server's parse/plan time was a real
 * share of the CPU. Statements with long generated lists (multi-row VALUES, IN lists) vary
 * in shape, so they stay unnamed rather than pile up prepared statements in every connection.
 */
const MAX_NAMED_PARAMS = 32;
const statementNames = new Map<string, string>();
let nextStatement = 0;

function queryConfig(sql: string, params: readonly unknown[]): pg.QueryConfig {
  const text = toPgPlaceholders(sql);
  const values = params.map(bindValue);
  if (params.length > MAX_NAMED_PARAMS) return { text, values, types } as pg.QueryConfig;
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `sw${(nextStatement++).toString(36)}`;
    statementNames.set(text, name);
  }
  return { name, text, values, types } as pg.QueryConfig;
}

const RETRYABLE = new Set(["40001", "40P01"]);

type Queryable = pg.Pool | pg.PoolClient;

class PgSession implements Sql {
  readonly dialect = "postgres" as const;
  /** writes merged until just before COMMIT (only in a transaction) */
  readonly writes: DeferredWrites | null;
  constructor(
    private readonly conn: Queryable,
    readonly inTransaction: boolean,
    private readonly root: PostgresSql,
  ) {
    this.writes = inTransaction ? new DeferredWrites() : null;
  }

  deferred<T>(key: symbol, create: () => T, flush: (state: T, tx: Sql) => Promise<void>): T | null {
    return this.writes ? this.writes.get(key, create, flush) : null;
  }

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const result = await this.conn.query(queryConfig(sql, params));
    return result.rows as T[];
  }

  async get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined> {
    const rows = await this.all<T>(sql, params);
    return rows[0];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    const result = await this.conn.query(queryConfig(sql, params));
    return result.rowCount ?? 0;
  }

  async exec(sql: string): Promise<void> {
    await this.conn.query(sql);
  }

  ping(): Promise<void> {
    return this.root.ping();
  }

  tx<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.inTransaction ? fn(this) : this.root.tx(fn);
  }

  close(): Promise<void> {
    return this.root.close();
  }
}

export class PostgresSql implements Sql {
  readonly dialect = "postgres" as const;
  readonly inTransaction = false;
  readonly pool: pg.Pool;
  private readonly session: PgSession;

  constructor(connectionString: string, max = 10) {
    this.pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000 });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    this.pool.on("error", () => undefined);
    this.session = new PgSession(this.pool, false, this);
  }

  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.session.all<T>(sql, params);
  }

  get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined> {
    return this.session.get<T>(sql, params);
  }

  run(sql: string, params?: readonly unknown[]): Promise<number> {
    return this.session.run(sql, params);
  }

  exec(sql: string): Promise<void> {
    return this.session.exec(sql);
  }

  /** A round trip on a pooled connection, bounded so a hung server answers "down", not nothing. */
  async ping(timeoutMs = 3000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the database did not answer within ${timeoutMs}ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.pool.query("SELECT 1"), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  deferred(): null {
    return null;
  }

  async tx<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const client = await this.pool.connect();
      let broken = false;
      try {
        await client.query("BEGIN");
        const session = new PgSession(client, true, this);
        const result = await fn(session);
        await session.writes?.flush(session);
        await client.query("COMMIT");
        return result;
      } catch (error) {
        try {
          await client.query("ROLLBACK");
        } catch {
          broken = true;
        }
        const code = (error as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < 5) continue;
        throw error;
      } finally {
        client.release(broken);
      }
    }
  }

  /** A dedicated connection for LISTEN (it must not go back to the pool). */
  async listenClient(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.pool.options.connectionString });
    client.on("error", () => undefined);
    await client.connect();
    return client;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
