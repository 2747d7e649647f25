import type { Client } from "pg";

import type { PostgresSql } from "@/lib/db/postgres";
import { randomToken } from "@/lib/ids";
import { logger } from "@/lib/logger";

import type { Bus, BusMessage, BusTopic } from "./bus";

/**
 * Carries bus messages between processes that share a PostgreSQL database, so a dashboard
 * served by one process sees runs another process executes. Messages are batched for up to
 * `flushMs` into `NOTIFY stepwise_bus` payloads (each under PostgreSQL's 8000-byte limit);
 * messages from other processes are re-published locally as remote.
 */
const CHANNEL = "stepwise_bus";
const FORWARDED: readonly BusTopic[] = ["run.changed", "step.changed", "events.received", "apps.changed", "registry.changed"];
const MAX_PAYLOAD = 7000;

export class PostgresBusBridge {
  private readonly origin = randomToken(6);
  private pending: BusMessage[] = [];
  private timer: NodeJS.Timeout | null = null;
  private client: Client | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly sql: PostgresSql,
    private readonly bus: Bus,
    private readonly flushMs = 50,
  ) {}

  async start(): Promise<void> {
    this.client = await this.sql.listenClient();
    this.client.on("notification", (n) => {
      if (!n.payload) return;
      try {
        const { origin, messages } = JSON.parse(n.payload) as { origin: string; messages: BusMessage[] };
        if (origin === this.origin) return;
        for (const m of messages) this.bus.publishRemote(m);
      } catch (error) {
        logger.warn({ err: error }, "ignored a malformed bus notification");
      }
    });
    await this.client.query(`LISTEN ${CHANNEL}`);
    this.unsubscribe = this.bus.subscribeAll((m) => {
      if (m.remote || !FORWARDED.includes(m.topic)) return;
      this.pending.push({ topic: m.topic, payload: m.payload } as BusMessage);
      this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
    });
  }

  private async flush(): Promise<void> {
    this.timer = null;
    const messages = this.pending;
    this.pending = [];
    let batch: BusMessage[] = [];
    let size = 0;
    const send = async () => {
      if (!batch.length) return;
      const payload = JSON.stringify({ origin: this.origin, messages: batch });
      batch = [];
      size = 0;
      await this.sql.run(`SELECT pg_notify(?, ?)`, [CHANNEL, payload]).catch((error: unknown) => {
        logger.warn({ err: error }, "could not forward bus messages to other processes");
      });
    };
    for (const m of messages) {
      const length = JSON.stringify(m).length;
      if (length > MAX_PAYLOAD) continue;
      if (size + length > MAX_PAYLOAD) await send();
      batch.push(m);
      size += length;
    }
    await send();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    await this.flush();
    await this.client?.end().catch(() => undefined);
  }
}
