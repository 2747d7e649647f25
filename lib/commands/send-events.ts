import type { SendEventResult } from "@/lib/contracts/events";
import { parseJsonText } from "@/lib/db/json";
import type { PrismaDb } from "@/lib/db/prisma";
import { notFound } from "@/lib/errors";
import type { EventInput } from "@/lib/events/event-schema";
import { parseEvents } from "@/lib/events/parse-events";
import { ingestEvents } from "@/lib/ingest/ingest";
import type { EngineContext } from "@/lib/state/context";

/**
 * Sending events from the dashboard: the body is validated exactly as `/e/<key>` validates it
 * (one event or an array, the first bad field named) and stored through the same ingest path.
 */
export async function sendEvents(ctx: EngineContext, body: unknown): Promise<SendEventResult> {
  const events = parseEvents(body);
  const { ids } = await ingestEvents(ctx, events);
  return { ids, status: 200 };
}

/** Sends a stored event again as a new event (same name, data and user; a new id and time). */
export async function replayEvent(ctx: EngineContext, prisma: PrismaDb, id: string): Promise<SendEventResult> {
  const event = await prisma.event.findUnique({ where: { id } });
  if (!event) throw notFound("event", id);
  const data = parseJsonText(event.data);
  const input: EventInput = {
    name: event.name,
    data: data && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, unknown>) : {},
    ...(event.user !== null ? { user: parseJsonText(event.user) } : {}),
    ...(event.v ? { v: event.v } : {}),
  };
  const { ids } = await ingestEvents(ctx, [input]);
  return { ids, status: 200 };
}
