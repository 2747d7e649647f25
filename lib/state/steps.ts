import type { Sql } from "@/lib/db/sql";
import { newId } from "@/lib/ids";

import type { Unit } from "./context";

/**
 * Step rows: one per attempt or result, shown on the run's timeline. Rows with is_memo set are
 * the results the SDK receives back in `steps` (hashed id → memoized value).
 */
export type StepStatus = "Completed" | "Failed" | "Errored" | "Sleeping" | "Waiting" | "Invoking" | "Cancelled" | "TimedOut";

export interface NewStep {
  runId: string;
  hashedId: string;
  name?: string | null;
  displayName?: string | null;
  op: string;
  status: StepStatus;
  attempt?: number;
  input?: unknown;
  output?: unknown;
  error?: unknown;
  /** the value the SDK gets for this step id; set only for final results */
  memo?: { value: unknown } | null;
  startedAt: number;
  endedAt?: number | null;
  wakeAt?: number | null;
}

const text = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

export async function insertStep(u: Unit, step: NewStep): Promise<string> {
  return (await writeStep(u, step, false)) as string;
}

/**
 * Inserts a final result unless the step already has one (a re-sent StepRun, a checkpoint
 * repeated by the SDK): one statement instead of a read and a write. Null when it had one.
 */
export async function insertStepUnlessMemoized(u: Unit, step: NewStep): Promise<string | null> {
  return writeStep(u, step, true);
}

async function writeStep(u: Unit, step: NewStep, unlessMemoized: boolean): Promise<string | null> {
  const id = newId(u.now);
  const values = [
    id,
    step.runId,
    step.runId,
    step.hashedId,
    step.name ?? null,
    step.displayName ?? null,
    step.op,
    step.status,
    step.attempt ?? 0,
    text(step.input),
    text(step.output),
    text(step.error),
    step.memo ? JSON.stringify(step.memo.value ?? null) : null,
    !!step.memo,
    step.startedAt,
    step.endedAt ?? null,
    step.wakeAt ?? null,
  ];
  const columns = `INSERT INTO steps (id, run_id, seq, hashed_id, name, display_name, op, status, attempt, input, output, error,
                        memo, is_memo, started_at, ended_at, wake_at)`;
  const row = `?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM steps WHERE run_id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?`;
  const inserted = unlessMemoized
    ? await u.tx.run(
        `${columns} SELECT ${row}
         WHERE NOT EXISTS (SELECT 1 FROM steps WHERE run_id = ? AND hashed_id = ? AND is_memo = ?)`,
        [...values, step.runId, step.hashedId, true],
      )
    : await u.tx.run(`${columns} VALUES (${row})`, values);
  if (inserted === 0) return null;
  u.messages.push({ topic: "step.changed", payload: { runId: step.runId, stepId: id, status: step.status } });
  return id;
}

/** Turns a waiting row (sleep, waitForEvent, invoke) into its final, memoized result. */
export async function resolveStepRow(
  u: Unit,
  stepRowId: string,
  runId: string,
  result: { status: StepStatus; memo: unknown; output?: unknown; error?: unknown; resolvedByEventId?: string },
): Promise<boolean> {
  const changed = await u.tx.run(
    `UPDATE steps SET status = ?, memo = ?, is_memo = ?, output = ?, error = ?, ended_at = ?, resolved_by_event_id = ?
     WHERE id = ? AND is_memo = ? AND status IN ('Sleeping', 'Waiting', 'Invoking')`,
    [
      result.status,
      JSON.stringify(result.memo ?? null),
      true,
      text(result.output),
      text(result.error),
      u.now,
      result.resolvedByEventId ?? null,
      stepRowId,
      false,
    ],
  );
  // `resumed`: the run leaves its sleep or wait, which the runs list shows (lib/realtime/hub.ts).
  if (changed)
    u.messages.push({ topic: "step.changed", payload: { runId, stepId: stepRowId, status: result.status, resumed: true } });
  return changed > 0;
}

export interface Memo {
  /** hashed step id → value, in completion order */
  steps: Record<string, unknown>;
  stack: string[];
}

export async function loadMemo(sql: Sql, runId: string): Promise<Memo> {
  const rows = await sql.all<{ hashed_id: string; memo: string | null }>(
    `SELECT hashed_id, memo FROM steps WHERE run_id = ? AND is_memo = ? ORDER BY ended_at, seq`,
    [runId, true],
  );
  const steps: Record<string, unknown> = {};
  const stack: string[] = [];
  for (const r of rows) {
    if (r.hashed_id in steps) continue;
    steps[r.hashed_id] = r.memo === null ? null : (JSON.parse(r.memo) as unknown);
    stack.push(r.hashed_id);
  }
  return { steps, stack };
}

export async function hasMemo(sql: Sql, runId: string, hashedId: string): Promise<boolean> {
  const row = await sql.get(`SELECT 1 AS one FROM steps WHERE run_id = ? AND hashed_id = ? AND is_memo = ? LIMIT 1`, [
    runId,
    hashedId,
    true,
  ]);
  return !!row;
}

/** Marks the run's open waits as cancelled (the run ended while they were pending). */
export async function cancelOpenSteps(u: Unit, runId: string): Promise<void> {
  await u.tx.run(
    `UPDATE steps SET status = 'Cancelled', ended_at = ? WHERE run_id = ? AND status IN ('Sleeping', 'Waiting', 'Invoking')`,
    [u.now, runId],
  );
}
