import type { ServerOptions } from "@/lib/config/options";
import type { Sql } from "@/lib/db/sql";
import type { EventInput, StoredEvent } from "@/lib/events/event-schema";
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
  /**
   * Stores and routes events the engine emits (a run finished, failed or was cancelled) in the
   * caller's unit: the ingest path's `recordEvents`, passed in by the runtime because run state
   * sits below ingest (ingest starts and resumes runs; it is never imported from here).
   */
  recordEvents: RecordEvents;
}

export type RecordEvents = (
  u: Unit,
  inputs: readonly EventInput[],
  options?: { ids?: (string | undefined)[] },
) => Promise<{ ids: string[]; stored: StoredEvent[] }>;

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

export async function inUnit<T>(ctx: EngineContext, fn: (u: Unit) => Promise<T>): Promise<T> {
  let unit: Unit | undefined;
  const result = await ctx.sql.tx(async (tx) => {
    unit = { tx, now: Date.now(), ctx, messages: [], wake: false };
    return fn(unit);
  });
  if (unit) {
    ctx.bus.publishAll(unit.messages);
    // Wakes this process's leaser; the engine tells other processes (PostgreSQL NOTIFY, sent
    // after commit and coalesced, rather than a round trip inside every unit).
    if (unit.wake) ctx.bus.publish("queue.ready", { at: unit.now });
  }
  return result;
}
