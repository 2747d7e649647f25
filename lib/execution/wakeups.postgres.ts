import type { Client } from "pg";

import type { PostgresSql } from "@/lib/db/postgres";
import { logger } from "@/lib/logger";

const QUEUE_CHANNEL = "stepwise_queue";

/**
 * Processes sharing a PostgreSQL database wake each other's leasers when they queue work that
 * is due now: one NOTIFY per turn of the event loop, carrying the engine's id so that each
 * engine ignores its own (its bus already woke it).
 */
export class PostgresWakeups {
  private listener: Client | null = null;
  private scheduled = false;

  constructor(
    private readonly sql: PostgresSql,
    private readonly owner: string,
  ) {}

  async listen(onWake: () => void): Promise<void> {
    try {
      this.listener = await this.sql.listenClient();
      this.listener.on("notification", (n) => {
        if (n.payload !== this.owner) onWake();
      });
      await this.listener.query(`LISTEN ${QUEUE_CHANNEL}`);
    } catch (error) {
      logger.warn({ err: error }, "LISTEN failed; other processes' work is picked up on the next tick");
    }
  }

  /** Tells the other processes, once for all units committed in this turn of the event loop. */
  notify(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.sql
        .run(`SELECT pg_notify(?, ?)`, [QUEUE_CHANNEL, this.owner])
        .catch((error: unknown) => logger.debug({ err: error }, "NOTIFY failed; other processes poll"));
    });
  }

  async stop(): Promise<void> {
    if (this.listener) await this.listener.end().catch(() => undefined);
  }
}
