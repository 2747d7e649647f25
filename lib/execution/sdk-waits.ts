import { INTERNAL } from "@/lib/events/event-schema";
import { recordEvents } from "@/lib/ingest/ingest";
import type { Unit } from "@/lib/state/context";
import { createPause, createSignalPause, pauseTimeoutItemId } from "@/lib/state/pauses";
import { enqueueCall, type RunRecord } from "@/lib/state/runs";
import { insertStep, resolveStepRow } from "@/lib/state/steps";
import { parseDuration, resolveWakeTime } from "@/lib/time/duration";

import type { SdkOp } from "./sdk-protocol";

/**
 * The waits an SDK answer starts (sdk-apply.ts): step.sleep, step.waitForEvent,
 * step.waitForSignal and step.invoke. Each writes the step row the run page shows while it
 * waits, the pause or timer that ends it, and the timeout that ends it otherwise.
 */
export async function startSleep(u: Unit, run: RunRecord, op: SdkOp): Promise<void> {
  const spec = text(op.opts?.duration ?? op.name);
  const wakeAt = resolveWakeTime(spec, u.now) ?? u.now;
  const stepRowId = await insertStep(u, {
    runId: run.id,
    hashedId: op.id,
    name: op.userland?.id ?? op.displayName ?? null,
    displayName: op.displayName ?? null,
    op: "Sleep",
    status: "Sleeping",
    input: { duration: spec },
    startedAt: u.now,
    wakeAt,
  });
  await enqueueCall(u, run, { stepId: "step", wake: { stepRowId } }, wakeAt);
}

export async function startEventWait(u: Unit, run: RunRecord, op: SdkOp): Promise<void> {
  const opts = op.opts ?? {};
  const timeoutMs = parseDuration(text(opts.timeout));
  const expiresAt = timeoutMs !== null ? u.now + timeoutMs : null;
  const eventName = text(opts.event ?? op.name);
  const expression = typeof opts.if === "string" ? opts.if : null;
  const stepRowId = await insertStep(u, {
    runId: run.id,
    hashedId: op.id,
    name: op.userland?.id ?? op.displayName ?? null,
    displayName: op.displayName ?? null,
    op: "WaitForEvent",
    status: "Waiting",
    input: { event: eventName, if: expression, timeout: opts.timeout ?? null },
    startedAt: u.now,
    wakeAt: expiresAt,
  });
  const pauseId = await createPause(u, {
    runId: run.id,
    kind: "wait",
    stepId: op.id,
    stepRowId,
    eventName,
    expression,
    expiresAt,
  });
  if (expiresAt !== null)
    await enqueueCall(
      u,
      run,
      { stepId: "step", pauseTimeout: { pauseId, stepRowId, kind: "wait" } },
      expiresAt,
      pauseTimeoutItemId(pauseId),
    );
}

/**
 * step.waitForSignal: a pause holding the signal, with its timeout. False when the step failed
 * at once (no signal name, or another run holds the signal and onConflict is "fail").
 */
export async function startSignalWait(u: Unit, run: RunRecord, op: SdkOp): Promise<boolean> {
  const opts = op.opts ?? {};
  const signal = text(opts.signal ?? op.name);
  const timeoutMs = parseDuration(text(opts.timeout));
  const expiresAt = timeoutMs !== null ? u.now + timeoutMs : null;
  const replace = opts.conflict === "replace";
  const stepRowId = await insertStep(u, {
    runId: run.id,
    hashedId: op.id,
    name: op.userland?.id ?? op.displayName ?? null,
    displayName: op.displayName ?? null,
    op: "WaitForSignal",
    status: "Waiting",
    input: { signal, timeout: opts.timeout ?? null, onConflict: replace ? "replace" : "fail" },
    startedAt: u.now,
    wakeAt: expiresAt,
  });
  const fail = async (message: string) => {
    const error = { name: "SignalConflictError", message };
    await resolveStepRow(u, stepRowId, run.id, { status: "Failed", memo: { error }, error });
    return false;
  };
  if (!signal) return fail("step.waitForSignal: the signal name is empty");
  const held = await createSignalPause(u, { runId: run.id, stepId: op.id, stepRowId, signal, expiresAt, replace });
  if ("heldBy" in held)
    return fail(
      `step.waitForSignal: run ${held.heldBy} is already waiting for signal "${signal}" (onConflict: "fail"; "replace" takes the signal over)`,
    );
  if (expiresAt !== null)
    await enqueueCall(
      u,
      run,
      { stepId: "step", pauseTimeout: { pauseId: held.pauseId, stepRowId, kind: "signal" } },
      expiresAt,
      pauseTimeoutItemId(held.pauseId),
    );
  return true;
}

/** Starts the child run; false when the target does not exist (the step fails at once). */
export async function startInvoke(u: Unit, run: RunRecord, op: SdkOp): Promise<boolean> {
  const opts = op.opts ?? {};
  const targetId = text(opts.function_id);
  const payload = (opts.payload ?? {}) as { data?: Record<string, unknown>; v?: string };
  const timeoutMs = opts.timeout !== undefined ? parseDuration(text(opts.timeout)) : null;
  const expiresAt = timeoutMs !== null ? u.now + timeoutMs : null;
  const correlationId = `${run.id}.${op.id}`;
  const stepRowId = await insertStep(u, {
    runId: run.id,
    hashedId: op.id,
    name: op.userland?.id ?? op.displayName ?? null,
    displayName: op.displayName ?? null,
    op: "InvokeFunction",
    status: "Invoking",
    input: { function_id: targetId, payload },
    startedAt: u.now,
    wakeAt: expiresAt,
  });
  if (!u.ctx.registry.get(targetId)) {
    const error = { name: "Error", message: `step.invoke: function "${targetId}" is not registered with this server` };
    await u.tx.run(`UPDATE steps SET status = 'Failed', memo = ?, is_memo = ?, error = ?, ended_at = ? WHERE id = ?`, [
      JSON.stringify({ error }),
      true,
      JSON.stringify(error),
      u.now,
      stepRowId,
    ]);
    return false;
  }
  const pauseId = await createPause(u, {
    runId: run.id,
    kind: "invoke",
    stepId: op.id,
    stepRowId,
    eventName: INTERNAL.finished,
    matchKey: correlationId,
    expiresAt,
  });
  if (expiresAt !== null)
    await enqueueCall(
      u,
      run,
      { stepId: "step", pauseTimeout: { pauseId, stepRowId, kind: "invoke" } },
      expiresAt,
      pauseTimeoutItemId(pauseId),
    );
  await recordEvents(u, [
    {
      name: INTERNAL.invoked,
      data: {
        ...(payload.data ?? {}),
        _inngest: {
          fn_id: targetId,
          correlation_id: correlationId,
          source_run_id: run.id,
          source_step_id: op.id,
          source_fn_id: run.functionId,
          source_app_id: run.appId,
          expire: expiresAt,
        },
      },
      v: payload.v,
    },
  ]);
  return true;
}

/** An op option as text (SDK options are strings or numbers). */
function text(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : "";
}
