import type { ServerOptions } from "@/lib/config/options";
import type { Sql } from "@/lib/db/sql";
import { deferPartitionTouches, flushPartitionTouches } from "@/lib/queue/queue";
import type { Bus, BusMessage } from "@/lib/realtime/bus";
import type { FunctionRegistry } from "@/lib/registry/registry";

/** What engine code needs from the process: the hot-path database, the registry and the bus. */
export interface EngineContext {
  sql: Sql;
  registry: FunctionRegistry;
  bus: Bus;
  options: Pick<ServerOptions, "mode" | "retryBaseMs" | "signingKey" | "signingKeyFallback" | "port">;
  /** the origin apps can reach this server at (for use_api / checkpoint URLs) */
  publicUrl: () => string;
  /** reports the duration of one call to an app (metrics) */
  observeCall: (kind: "sdk" | "http", seconds: number) => void;
}

/**
 * A unit of work: one transaction plus what to announce after it commits. Engine functions
 * take a Unit so that everything one decision writes (run, steps, queue items, events) commits
 * together, and listeners hear about it only once it is durable.
 */
export interface Unit {
  readonly tx: Sql;
  readonly now: number;
  readonly ctx: EngineContext;
  readonly messages: BusMessage[];
  /** set when the unit enqueued work that is due now */
  wake: boolean;
}

export const QUEUE_CHANNEL = "stepwise_queue";

export async function inUnit<T>(ctx: EngineContext, fn: (u: Unit) => Promise<T>): Promise<T> {
  let unit: Unit | undefined;
  const result = await ctx.sql.tx(async (tx) => {
    unit = { tx, now: Date.now(), ctx, messages: [], wake: false };
    deferPartitionTouches(tx);
    const value = await fn(unit);
    await flushPartitionTouches(tx);
    // Other processes' leasers hear about due work when this commits.
    if (unit.wake && tx.dialect === "postgres") await tx.run(`NOTIFY ${QUEUE_CHANNEL}`);
    return value;
  });
  if (unit) {
    ctx.bus.publishAll(unit.messages);
    if (unit.wake) ctx.bus.publish("queue.ready", { at: unit.now });
  }
  return result;
}
