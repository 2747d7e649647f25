import { celEvent, compileExpression, evaluateBool } from "@/lib/cel/expressions";
import { chunk, placeholders } from "@/lib/db/sql";
import { eventPayload, INTERNAL, type StoredEvent } from "@/lib/events/event-schema";
import { newId } from "@/lib/ids";
import { deleteWaitingItems } from "@/lib/queue/queue";

import type { Unit } from "./context";
import { cancelRun, enqueueCall, loadEvents, lockRun, stepResolved, TERMINAL } from "./runs";
import { resolveStepRow } from "./steps";

/**
 * Pauses: runs waiting for an event (step.waitForEvent), for a child run (step.invoke), for a
 * signal (step.waitForSignal), or watching for a cancelOn event. Incoming events are matched by
 * the pause's event name (an index lookup), then by its CEL `if` with `event` = the run's
 * trigger and `async` = the incoming event; invoke pauses match on the correlation id alone,
 * without CEL. Signal pauses are never matched by events: `POST /v1/signals` finds them through
 * the unique `signal` column.
 */
interface PauseRow {
  id: string;
  run_id: string;
  kind: "wait" | "invoke" | "cancel" | "signal";
  step_id: string | null;
  step_row_id: string | null;
  event_name: string;
  expression: string | null;
  match_key: string | null;
  signal: string | null;
  created_at: number;
  expires_at: number | null;
}

export async function matchPauses(u: Unit, events: readonly StoredEvent[]): Promise<void> {
  const byName = new Map<string, StoredEvent[]>();
  const finishedByCorrelation = new Map<string, StoredEvent>();
  for (const e of events) {
    if (e.name === INTERNAL.finished) {
      const correlation = e.data.correlation_id;
      if (typeof correlation === "string") finishedByCorrelation.set(correlation, e);
      continue;
    }
    // push, not spread: a group of thousands of same-name events must stay linear.
    const list = byName.get(e.name);
    if (list) list.push(e);
    else byName.set(e.name, [e]);
  }

  if (finishedByCorrelation.size) {
    const keys = [...finishedByCorrelation.keys()];
    const rows = await u.tx.all<PauseRow>(
      `SELECT * FROM pauses WHERE event_name = ? AND match_key IN (${placeholders(keys.length)})`,
      [INTERNAL.finished, ...keys],
    );
    for (const pause of rows) {
      const event = finishedByCorrelation.get(pause.match_key ?? "");
      if (event) await resolvePause(u, pause, event);
    }
  }

  if (byName.size === 0) return;
  const names = [...byName.keys()];
  const triggerCache = new Map<string, Record<string, unknown>>();
  for (const part of chunk(names, 200)) {
    const pauses = await u.tx.all<PauseRow>(
      `SELECT * FROM pauses WHERE event_name IN (${placeholders(part.length)}) AND match_key IS NULL ORDER BY created_at`,
      part,
    );
    for (const pause of pauses) {
      if (pause.expires_at !== null && Number(pause.expires_at) < u.now) continue;
      const candidates = byName.get(pause.event_name) ?? [];
      for (const event of candidates) {
        if (event.receivedAt < Number(pause.created_at)) continue;
        if (pause.expression) {
          let trigger = triggerCache.get(pause.run_id);
          if (!trigger) {
            trigger = await runTriggerEvent(u, pause.run_id);
            triggerCache.set(pause.run_id, trigger);
          }
          const context = { event: trigger, async: celEvent(event) };
          if (!evaluateBool(compileExpression(pause.expression), context)) continue;
        }
        if (await resolvePause(u, pause, event)) break;
      }
    }
  }
}

async function runTriggerEvent(u: Unit, runId: string): Promise<Record<string, unknown>> {
  const row = await u.tx.get<{ event_id: string | null }>(`SELECT event_id FROM runs WHERE id = ?`, [runId]);
  const [event] = row?.event_id ? await loadEvents(u.tx, [row.event_id]) : [];
  return event ? (celEvent(event) as Record<string, unknown>) : { data: {} };
}

/** Claims the pause (deleting it; only one resolver wins) and resumes or cancels its run. */
async function resolvePause(u: Unit, pause: PauseRow, event: StoredEvent): Promise<boolean> {
  if (pause.kind === "cancel") {
    const claimed = await u.tx.run(`DELETE FROM pauses WHERE id = ?`, [pause.id]);
    if (claimed === 0) return false;
    await cancelRun(u, pause.run_id, `cancelled by event ${event.name} (${event.id})`, event.id);
    return true;
  }
  if (pause.kind === "wait")
    return resumePause(u, pause, {
      status: "Completed",
      memo: eventPayload(event),
      output: eventPayload(event),
      resolvedByEventId: event.id,
    });
  const data = event.data;
  const error = data.error as Record<string, unknown> | undefined;
  const status = (data._inngest as { status?: string } | undefined)?.status;
  const failed = status === "Failed" || status === "Cancelled" || (error !== undefined && !("result" in data));
  return resumePause(u, pause, {
    status: failed ? "Failed" : "Completed",
    memo: failed ? { error: error ?? { name: "Error", message: "invoked function failed" } } : { data: data.result ?? null },
    output: failed ? undefined : (data.result ?? null),
    error: failed ? error : undefined,
    resolvedByEventId: event.id,
  });
}

/** Claims the pause, records the waiting step's result and queues the run's next call. */
async function resumePause(u: Unit, pause: PauseRow, result: Parameters<typeof resolveStepRow>[3]): Promise<boolean> {
  const claimed = await u.tx.run(`DELETE FROM pauses WHERE id = ?`, [pause.id]);
  if (claimed === 0) return false;
  const run = await lockRun(u, pause.run_id);
  if (!run || TERMINAL.includes(run.status)) return true;
  await deleteWaitingItems(u.tx, { id: pauseTimeoutItemId(pause.id) });
  await resolveStepRow(u, pause.step_row_id ?? "", run.id, result);
  if (await stepResolved(u, run, pause.step_id)) await enqueueCall(u, run, { stepId: "step" });
  return true;
}

/** Signal pauses are found by their signal column; this name only keeps them out of event matching. */
const SIGNAL_EVENT = "stepwise/signal";

/**
 * step.waitForSignal: the run takes the signal unless another run's wait holds it. With
 * `replace` the holder lets go (its wait stays open until its timeout, as the SDK documents);
 * a holder past its timeout always lets go. The unique index decides races between processes.
 */
export async function createSignalPause(
  u: Unit,
  pause: { runId: string; stepId: string; stepRowId: string; signal: string; expiresAt: number | null; replace: boolean },
): Promise<{ pauseId: string } | { heldBy: string }> {
  const id = newId(u.now);
  // Twice at most: on PostgreSQL a waiter committed while this insert waited on the index is
  // invisible to the first UPDATE, and `replace` must take the signal from it too.
  for (let round = 0; round < 2; round++) {
    await u.tx.run(
      pause.replace
        ? `UPDATE pauses SET signal = NULL WHERE signal = ?`
        : `UPDATE pauses SET signal = NULL WHERE signal = ? AND expires_at IS NOT NULL AND expires_at < ?`,
      pause.replace ? [pause.signal] : [pause.signal, u.now],
    );
    const inserted = await u.tx.run(
      `INSERT INTO pauses (id, run_id, kind, step_id, step_row_id, event_name, match_key, signal, created_at, expires_at)
       VALUES (?, ?, 'signal', ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (signal) DO NOTHING`,
      [id, pause.runId, pause.stepId, pause.stepRowId, SIGNAL_EVENT, pause.signal, pause.signal, u.now, pause.expiresAt],
    );
    if (inserted > 0) return { pauseId: id };
    if (!pause.replace) break;
  }
  const holder = await u.tx.get<{ run_id: string }>(`SELECT run_id FROM pauses WHERE signal = ?`, [pause.signal]);
  return { heldBy: holder?.run_id ?? "another run" };
}

/**
 * `POST /v1/signals`: resumes the run waiting for the signal with `{signal, data}` (memoized as
 * `{data: {signal, data}}`, reference §6.4). Null when no run waits for it.
 */
export async function resumeSignal(u: Unit, signal: string, data: unknown): Promise<string | null> {
  const pause = await u.tx.get<PauseRow>(`SELECT * FROM pauses WHERE signal = ?`, [signal]);
  if (!pause || (pause.expires_at !== null && Number(pause.expires_at) < u.now)) return null;
  const value = { signal, data: data ?? null };
  if (!(await resumePause(u, pause, { status: "Completed", memo: { data: value }, output: value }))) return null;
  return pause.run_id;
}

export const pauseTimeoutItemId = (pauseId: string) => `pause-timeout:${pauseId}`;

/**
 * The timeout of a wait, signal wait or invoke: claims the pause and records its timed-out result, so the
 * call that follows sees it. False when an event already resolved the pause.
 */
export async function expirePause(
  u: Unit,
  runId: string,
  timeout: { pauseId: string; stepRowId: string; kind: "wait" | "invoke" | "signal" },
): Promise<boolean> {
  const claimed = await u.tx.run(`DELETE FROM pauses WHERE id = ?`, [timeout.pauseId]);
  if (claimed === 0) return false;
  if (timeout.kind !== "invoke") {
    await resolveStepRow(u, timeout.stepRowId, runId, { status: "TimedOut", memo: null, output: null });
  } else {
    const error = { name: "InngestInvokeTimeoutError", message: "Timed out waiting for the invoked function to complete" };
    await resolveStepRow(u, timeout.stepRowId, runId, { status: "TimedOut", memo: { error }, error });
  }
  return true;
}

export async function createPause(
  u: Unit,
  pause: {
    runId: string;
    kind: "wait" | "invoke";
    stepId: string;
    stepRowId: string;
    eventName: string;
    expression?: string | null;
    matchKey?: string | null;
    expiresAt: number | null;
  },
): Promise<string> {
  const id = newId(u.now);
  await u.tx.run(
    `INSERT INTO pauses (id, run_id, kind, step_id, step_row_id, event_name, expression, match_key, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      id,
      pause.runId,
      pause.kind,
      pause.stepId,
      pause.stepRowId,
      pause.eventName,
      pause.expression ?? null,
      pause.matchKey ?? null,
      u.now,
      pause.expiresAt,
    ],
  );
  return id;
}
