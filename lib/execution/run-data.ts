import type { Sql } from "@/lib/db/sql";
import { notFound } from "@/lib/errors";
import { eventPayload } from "@/lib/events/event-schema";
import { loadEvents, loadRun } from "@/lib/state/runs";
import { loadMemo } from "@/lib/state/steps";

/**
 * What a call carries when it is too large to send (`ctx.use_api`): the SDK fetches the run's
 * events (`/v0/runs/<id>/batch`) and memoized steps (`/v0/runs/<id>/actions`) instead.
 */
export async function runEventsForSdk(sql: Sql, runId: string): Promise<Record<string, unknown>[]> {
  const run = await loadRun(sql, runId);
  if (!run) throw notFound("run", runId);
  return (await loadEvents(sql, run.eventIds)).map(eventPayload);
}

export async function runMemoForSdk(sql: Sql, runId: string): Promise<Record<string, unknown>> {
  const run = await loadRun(sql, runId);
  if (!run) throw notFound("run", runId);
  return (await loadMemo(sql, runId)).steps;
}
