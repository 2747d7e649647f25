import { lockRows } from "@/lib/db/locks";
import { placeholders, type Sql } from "@/lib/db/sql";
import { eventPayload, INTERNAL, rowToEvent, type EventRow, type StoredEvent } from "@/lib/events/event-schema";
import { newId } from "@/lib/ids";
import { deleteWaitingItems, enqueue } from "@/lib/queue/queue";
import type { PartitionSpec } from "@/lib/queue/types";
import type { RunStatus } from "@/lib/realtime/bus";

import type { Unit } from "./context";
import { priorityStepAt } from "./run-start";
import { cancelOpenSteps } from "./steps";

/**
 * Run lifecycle: Queued → Running → Completed | Failed | Cancelled (or Skipped when a
 * flow-control rule declined to start it). Every transition happens in the caller's unit;
 * create-runs.ts writes new runs.
 */
export interface Invocation {
  parentRunId: string;
  correlationId: string;
  stepId: string;
}

export interface RunRecord {
  id: string;
  functionId: string;
  appId: string | null;
  eventId: string | null;
  eventIds: string[];
  status: RunStatus;
  requestVersion: number;
  disableImmediate: boolean;
  pendingSteps: string[];
  partition: PartitionSpec;
  invocation: Invocation | null;
  /** `priority.run` factor in seconds */
  priority: number;
  queuedAt: number;
  startedAt: number | null;
}

export const TERMINAL: readonly RunStatus[] = ["Completed", "Failed", "Cancelled", "Skipped"];

interface RunRow {
  id: string;
  function_id: string;
  app_id: string | null;
  event_id: string | null;
  event_ids: string;
  status: string;
  request_version: number;
  disable_immediate: unknown;
  pending_steps: string | null;
  partition: string | null;
  invocation: string | null;
  priority: number;
  queued_at: number;
  started_at: number | null;
}

const RUN_COLUMNS = `id, function_id, app_id, event_id, event_ids, status, request_version, disable_immediate,
  pending_steps, partition, invocation, priority, queued_at, started_at`;

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    functionId: row.function_id,
    appId: row.app_id,
    eventId: row.event_id,
    eventIds: JSON.parse(row.event_ids) as string[],
    status: row.status as RunStatus,
    requestVersion: Number(row.request_version),
    disableImmediate: row.disable_immediate === true || row.disable_immediate === 1,
    pendingSteps: row.pending_steps ? (JSON.parse(row.pending_steps) as string[]) : [],
    partition: row.partition
      ? (JSON.parse(row.partition) as PartitionSpec)
      : { id: `fn:${row.function_id}`, functionId: row.function_id, slots: [] },
    invocation: row.invocation ? (JSON.parse(row.invocation) as Invocation) : null,
    priority: Number(row.priority ?? 0),
    queuedAt: Number(row.queued_at),
    startedAt: row.started_at === null ? null : Number(row.started_at),
  };
}

export async function loadRun(sql: Sql, runId: string): Promise<RunRecord | null> {
  const row = await sql.get<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`, [runId]);
  return row ? toRecord(row) : null;
}

/**
 * Reads the run inside a unit, locking its row on PostgreSQL so concurrent completions of
 * parallel steps serialise (SQLite's write lock already does).
 */
export async function lockRun(u: Unit, runId: string): Promise<RunRecord | null> {
  const row = await u.tx.get<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?${lockRows(u.tx)}`, [runId]);
  return row ? toRecord(row) : null;
}

export async function loadEvents(sql: Sql, ids: readonly string[]): Promise<StoredEvent[]> {
  if (ids.length === 0) return [];
  const rows = await sql.all<EventRow>(
    `SELECT id, name, data, "user", ts, v, external_id, received_at FROM events WHERE id IN (${placeholders(ids.length)})`,
    ids,
  );
  const byId = new Map(rows.map((r) => [r.id, rowToEvent(r)]));
  return ids.map((id) => byId.get(id)).filter((e): e is StoredEvent => !!e);
}

/**
 * Queued → Running as one conditional statement outside any transaction; answers the run as
 * it now is, or null when it was not Queued (the caller then takes the general path). The
 * caller publishes the change (it is committed when this returns).
 */
export async function startQueuedRun(sql: Sql, runId: string, now: number): Promise<RunRecord | null> {
  const row = await sql.get<RunRow>(
    `UPDATE runs SET status = 'Running', started_at = ?, status_reason = NULL, updated_at = ?
     WHERE id = ? AND status = 'Queued' RETURNING ${RUN_COLUMNS}`,
    [now, now, runId],
  );
  return row ? toRecord(row) : null;
}

export async function markRunning(u: Unit, run: RunRecord): Promise<boolean> {
  if (run.status !== "Queued") return run.status === "Running";
  const changed = await u.tx.run(
    `UPDATE runs SET status = 'Running', started_at = ?, status_reason = NULL, updated_at = ? WHERE id = ? AND status = 'Queued'`,
    [u.now, u.now, run.id],
  );
  if (changed) {
    run.status = "Running";
    run.startedAt = u.now;
    u.messages.push({
      topic: "run.changed",
      payload: { id: run.id, functionId: run.functionId, status: "Running", appId: run.appId },
    });
  }
  return changed > 0;
}

export type RunOutcome =
  | { status: "Completed"; output: unknown }
  | { status: "Failed"; error: SerializedError }
  | { status: "Cancelled"; reason: string; byEventId?: string };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  [key: string]: unknown;
}

/**
 * Ends a run (once): records the outcome, drops its waiting work and waits, and emits
 * `inngest/function.finished` plus `.failed` or `.cancelled` through the ingest path (`ctx.recordEvents`),
 * so onFailure handlers and parents waiting in step.invoke react in the same transaction.
 */
export async function finishRun(
  u: Unit,
  run: RunRecord,
  outcome: RunOutcome,
  /** the run's trigger events when the caller already holds them (saves reading them again) */
  knownEvents?: StoredEvent[],
): Promise<boolean> {
  const { tx, now } = u;
  const changed = await tx.run(
    `UPDATE runs SET status = ?, output = ?, error = ?, status_reason = ?, cancelled_by_event_id = ?, ended_at = ?,
            updated_at = ?, started_at = coalesce(started_at, ?)
     WHERE id = ? AND status IN ('Queued', 'Running')`,
    [
      outcome.status,
      outcome.status === "Completed" ? JSON.stringify(outcome.output ?? null) : null,
      outcome.status === "Failed" ? JSON.stringify(outcome.error) : null,
      outcome.status === "Cancelled" ? outcome.reason : null,
      outcome.status === "Cancelled" ? (outcome.byEventId ?? null) : null,
      now,
      now,
      outcome.status === "Cancelled" ? null : now,
      run.id,
    ],
  );
  if (changed === 0) return false;
  run.status = outcome.status;
  await deleteWaitingItems(tx, { runId: run.id });
  await tx.run(`DELETE FROM pauses WHERE run_id = ?`, [run.id]);
  if (outcome.status === "Cancelled") await cancelOpenSteps(u, run.id);
  u.messages.push({
    topic: "run.changed",
    payload: { id: run.id, functionId: run.functionId, status: outcome.status, appId: run.appId },
  });

  const events = knownEvents ?? (await loadEvents(tx, run.eventIds));
  const first = events[0];
  const data: Record<string, unknown> = {
    function_id: run.functionId,
    run_id: run.id,
    event: first ? eventPayload(first) : {},
    events: events.map(eventPayload),
    _inngest: { status: outcome.status },
  };
  if (outcome.status === "Completed") data.result = outcome.output ?? null;
  if (outcome.status === "Failed") data.error = outcome.error;
  if (outcome.status === "Cancelled") data.error = { name: "Cancelled", message: outcome.reason };
  if (run.invocation) data.correlation_id = run.invocation.correlationId;

  const emitted: { name: string; data: Record<string, unknown> }[] = [];
  const ids: (string | undefined)[] = [];
  if (outcome.status === "Failed") {
    emitted.push({ name: INTERNAL.failed, data });
    ids.push(run.id);
  }
  if (outcome.status === "Cancelled") {
    emitted.push({ name: INTERNAL.cancelled, data });
    ids.push(undefined);
  }
  emitted.push({ name: INTERNAL.finished, data });
  ids.push(undefined);
  await u.ctx.recordEvents(u, emitted, { ids });
  return true;
}

/** Cancels a run unless it already ended. A call in flight finishes, but nothing calls the app again. */
export async function cancelRun(u: Unit, runId: string, reason: string, byEventId?: string): Promise<boolean> {
  const run = await lockRun(u, runId);
  if (!run || TERMINAL.includes(run.status)) return false;
  return finishRun(u, run, { status: "Cancelled", reason, byEventId });
}

/** Holds the run's pending-parallel bookkeeping (version-2 fan-in and re-plan dedupe). */
export async function saveRunState(
  u: Unit,
  run: RunRecord,
  change: { requestVersion?: number; disableImmediate?: boolean; pendingSteps?: string[] },
): Promise<void> {
  const same =
    (change.requestVersion === undefined || change.requestVersion === run.requestVersion) &&
    (change.disableImmediate === undefined || change.disableImmediate === run.disableImmediate) &&
    (change.pendingSteps === undefined ||
      (change.pendingSteps.length === run.pendingSteps.length &&
        change.pendingSteps.every((id, i) => id === run.pendingSteps[i])));
  // Most steps change none of it: no write then (`run` was read in this same unit).
  if (same) return;
  if (change.requestVersion !== undefined) run.requestVersion = change.requestVersion;
  if (change.disableImmediate !== undefined) run.disableImmediate = change.disableImmediate;
  if (change.pendingSteps !== undefined) run.pendingSteps = change.pendingSteps;
  await u.tx.run(`UPDATE runs SET request_version = ?, disable_immediate = ?, pending_steps = ?, updated_at = ? WHERE id = ?`, [
    run.requestVersion,
    run.disableImmediate,
    run.pendingSteps.length ? JSON.stringify(run.pendingSteps) : null,
    u.now,
    run.id,
  ]);
}

/**
 * A step the run was waiting on (sleep, wait, invoke, planned step) is resolved. Answers
 * whether the next discovery call should happen now: with execution version 2 it waits until
 * every pending parallel step is resolved.
 */
export async function stepResolved(u: Unit, run: RunRecord, hashedId: string | null): Promise<boolean> {
  const pending = run.pendingSteps.filter((id) => id !== hashedId);
  const coalesce = run.requestVersion >= 2;
  const discover = !coalesce || pending.length === 0;
  if (pending.length !== run.pendingSteps.length || (discover && coalesce && run.disableImmediate))
    await saveRunState(u, run, { pendingSteps: pending, ...(discover && coalesce ? { disableImmediate: false } : {}) });
  return discover;
}

/** Queues the next call for a run (discovery, or one planned step) in the run's partition. */
export async function enqueueCall(
  u: Unit,
  run: RunRecord,
  payload: CallPayload,
  availableAt = u.now,
  id = newId(u.now),
): Promise<void> {
  const at = priorityStepAt(u.now, availableAt, run.priority, run.queuedAt);
  await enqueue(u.tx, [
    { id, kind: "exec", runId: run.id, functionId: run.functionId, payload, availableAt: at, partition: run.partition },
  ]);
  if (at <= u.now) u.wake = true;
}

/** What an exec item asks for: discovery (`stepId: "step"`) or one planned step. */
export interface CallPayload {
  stepId: string;
  /** a sleep that ends when this item becomes due */
  wake?: { stepRowId: string };
  /** the timeout of a waitForEvent/waitForSignal/invoke pause */
  pauseTimeout?: { pauseId: string; stepRowId: string; kind: "wait" | "invoke" | "signal" };
}
