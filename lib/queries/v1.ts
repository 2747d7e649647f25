import type { V1Event, V1Run } from "@/lib/contracts/v1";
import type { Event, Run } from "@/lib/db/generated/sqlite/client";
import type { PrismaDb } from "@/lib/db/prisma";
import { AppError, notFound } from "@/lib/errors";

import { queuedReasons } from "./queued-reason";

/** Reads behind the Inngest-compatible REST API (`/v1/events`, `/v1/runs`). */
const iso = (ms: bigint | number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
const parse = (text: string | null): unknown => (text === null ? null : (JSON.parse(text) as unknown));

export function toV1Run(run: Run): V1Run {
  return {
    run_id: run.id,
    function_id: run.functionId,
    status: run.status,
    status_reason: run.statusReason,
    output: parse(run.output),
    error: parse(run.error),
    event_id: run.eventId,
    queued_at: iso(run.queuedAt) as string,
    run_started_at: iso(run.startedAt),
    ended_at: iso(run.endedAt),
  };
}

export function toV1Event(e: Event): V1Event {
  return {
    id: e.id,
    internal_id: e.id,
    external_id: e.externalId,
    name: e.name,
    data: JSON.parse(e.data) as Record<string, unknown>,
    user: parse(e.user),
    ts: Number(e.ts),
    v: e.v,
    received_at: iso(e.receivedAt) as string,
  };
}

export async function getV1Run(prisma: PrismaDb, id: string): Promise<V1Run> {
  const run = await prisma.run.findUnique({ where: { id } });
  if (!run) throw notFound("run", id);
  return (await toV1Runs(prisma, [run]))[0] as V1Run;
}

/** Runs as the API answers them, with why queued ones are still waiting. */
export async function toV1Runs(prisma: PrismaDb, runs: readonly Run[]): Promise<V1Run[]> {
  const reasons = await queuedReasons(prisma, runs);
  return runs.map((run) => {
    const v1 = toV1Run(run);
    const reason = reasons.get(run.id);
    return reason ? { ...v1, status_reason: reason } : v1;
  });
}

export async function getV1Event(prisma: PrismaDb, id: string): Promise<V1Event> {
  const event = await prisma.event.findUnique({ where: { id } });
  if (!event) throw notFound("event", id);
  return toV1Event(event);
}

export async function listV1RunsForEvent(prisma: PrismaDb, eventId: string): Promise<V1Run[]> {
  const event = await prisma.event.findUnique({ where: { id: eventId }, select: { id: true } });
  if (!event) throw notFound("event", eventId);
  // Its own runs, and those it joined: a batch, or a debounce that started with a later event.
  const joined = await prisma.runEvent.findMany({ where: { eventId }, select: { runId: true } });
  const runs = await prisma.run.findMany({
    where: joined.length ? { OR: [{ eventId }, { id: { in: joined.map((j) => j.runId) } }] } : { eventId },
    orderBy: { id: "asc" },
  });
  return toV1Runs(prisma, runs);
}

/** Newest first, keyset-paginated by id: `cursor` is the last id of the previous page. */
export async function listV1Events(
  prisma: PrismaDb,
  query: { name?: string; limit?: number; cursor?: string },
): Promise<{ data: V1Event[]; cursor: string | null }> {
  const limit = query.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw new AppError("invalid_field", "limit must be an integer from 1 to 500", "limit");
  const rows = await prisma.event.findMany({
    where: { ...(query.name ? { name: query.name } : {}), ...(query.cursor ? { id: { lt: query.cursor } } : {}) },
    orderBy: { id: "desc" },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  return { data: page.map(toV1Event), cursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null };
}
