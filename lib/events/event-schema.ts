import { z } from "zod";

/** One event as senders write it (Inngest's event format). */
export const eventInputSchema = z.object({
  name: z.string({ error: "name is required and must be a string" }).trim().min(1, "name must not be empty"),
  data: z
    .record(z.string(), z.unknown(), { error: "data must be an object" })
    .nullish()
    .transform((v) => v ?? {}),
  user: z.unknown().optional(),
  id: z
    .union([z.string(), z.number()], { error: "id must be a string" })
    .transform(String)
    .pipe(z.string().min(1, "id must not be empty").max(256, "id must be at most 256 characters"))
    .nullish()
    .transform((v) => v ?? undefined),
  ts: z
    .number({ error: "ts must be a number of milliseconds since the Unix epoch" })
    .int("ts must be an integer number of milliseconds")
    .nonnegative("ts must not be negative")
    .nullish()
    .transform((v) => v ?? undefined),
  v: z
    .string({ error: "v must be a string" })
    .nullish()
    .transform((v) => v ?? undefined),
});

/** A validated event to store (also what the engine emits internally). */
export interface EventInput {
  name: string;
  data: Record<string, unknown>;
  user?: unknown;
  id?: string;
  ts?: number;
  v?: string;
}

export type ParsedEvent = z.output<typeof eventInputSchema> & EventInput;

/** An event as stored and as functions receive it. */
export interface StoredEvent {
  id: string;
  name: string;
  data: Record<string, unknown>;
  user: unknown;
  ts: number;
  v: string | null;
  externalId: string | null;
  receivedAt: number;
}

/** The event object sent to functions (Inngest adds `user: {}` when absent). */
export function eventPayload(e: StoredEvent): Record<string, unknown> {
  return {
    id: e.id,
    name: e.name,
    data: e.data,
    user: e.user ?? {},
    ts: e.ts,
    ...(e.v ? { v: e.v } : {}),
  };
}

export interface EventRow {
  id: string;
  name: string;
  data: string;
  user: string | null;
  ts: number | bigint;
  v: string | null;
  external_id?: string | null;
  externalId?: string | null;
  received_at?: number | bigint;
  receivedAt?: number | bigint;
}

export function rowToEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    name: row.name,
    data: JSON.parse(row.data) as Record<string, unknown>,
    user: row.user ? (JSON.parse(row.user) as unknown) : undefined,
    ts: Number(row.ts),
    v: row.v,
    externalId: row.external_id ?? row.externalId ?? null,
    receivedAt: Number(row.received_at ?? row.receivedAt ?? row.ts),
  };
}

/** Internal events the engine emits. */
export const INTERNAL = {
  finished: "inngest/function.finished",
  failed: "inngest/function.failed",
  cancelled: "inngest/function.cancelled",
  invoked: "inngest/function.invoked",
  cron: "inngest/scheduled.timer",
} as const;
