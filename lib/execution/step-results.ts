import type { Unit } from "@/lib/state/context";
import { insertStep, insertStepUnlessMemoized } from "@/lib/state/steps";

import type { SdkOp } from "./sdk-protocol";

/** When the SDK says the op started (`timing.a`, ns), or `fallback`. */
export function opStart(op: SdkOp, fallback: number): number {
  const a = op.timing?.a;
  return typeof a === "number" && a > 0 ? Math.round(a / 1e6) : fallback;
}

/**
 * Memoizes a step's result (a StepRun answered, or checkpointed while the call goes on), unless
 * it already has one. False when it had.
 */
export async function recordStepRun(u: Unit, runId: string, op: SdkOp, attempt: number, fallbackStart: number) {
  const opts = op.opts ?? {};
  const id = await insertStepUnlessMemoized(u, {
    runId,
    hashedId: op.id,
    name: op.userland?.id ?? op.name ?? null,
    displayName: op.displayName ?? op.name ?? null,
    op: typeof opts.type === "string" ? opts.type : "StepRun",
    status: "Completed",
    attempt,
    input: opts.input,
    output: op.data ?? null,
    memo: { value: { data: op.data ?? null } },
    startedAt: opStart(op, fallbackStart),
    endedAt: u.now,
  });
  return id !== null;
}

/** Memoizes a step's final error: the SDK throws it into the function on the next call. */
export async function recordStepFailure(u: Unit, runId: string, op: SdkOp, attempt: number, fallbackStart: number) {
  const error = op.error ?? { name: "Error", message: "step failed" };
  await insertStep(u, {
    runId,
    hashedId: op.id,
    name: op.userland?.id ?? op.name ?? null,
    displayName: op.displayName ?? op.name ?? null,
    op: "StepRun",
    status: "Failed",
    attempt,
    error,
    memo: { value: { error } },
    startedAt: opStart(op, fallbackStart),
    endedAt: u.now,
  });
}
