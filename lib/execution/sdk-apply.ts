import { completeItem, requeueItem } from "@/lib/queue/queue";
import type { LeasedItem } from "@/lib/queue/types";
import { maxAttempts } from "@/lib/registry/function-config";
import type { RegisteredFunction } from "@/lib/registry/registry";
import type { Unit } from "@/lib/state/context";
import { enqueueCall, finishRun, saveRunState, type CallPayload, type RunRecord } from "@/lib/state/runs";
import { hasMemo, insertStep, insertStepUnlessMemoized } from "@/lib/state/steps";

import { retryAfterTime, retryDelay } from "./backoff";
import type { GatewayOutcome } from "./gateway";
import { continueLeased } from "./handoff";
import type { SdkAnswer, SdkOp } from "./sdk-protocol";
import { startEventWait, startInvoke, startSignalWait, startSleep } from "./sdk-waits";
import { opStart, recordStepFailure, recordStepRun } from "./step-results";

/**
 * What an SDK answer means for the run (protocol reference §6.5), applied in one unit:
 * memoize finished steps, schedule planned ones, turn sleeps/waits/invokes into timers and
 * pauses, retry errors with backoff, and finish the run. `run.pendingSteps` holds the steps
 * started but not yet resolved: re-planned ones are skipped, and with execution version 2 the
 * next discovery waits until all of them are done (parallel fan-in).
 */
export interface ApplyContext {
  u: Unit;
  run: RunRecord;
  fn: RegisteredFunction;
  item: LeasedItem;
  owner: string;
  startedAt: number;
  /** the worker has room to take the run's next call itself (no trip through the queue) */
  mayContinue?: boolean;
  /** set when the run's next call continues on this worker, under the same lease */
  next?: LeasedItem;
  /** step.fetch / step.ai.infer requests made after the call (gateway.ts), by hashed step id */
  gateway?: Map<string, GatewayOutcome>;
}

export async function applySdkAnswer(c: ApplyContext, answer: SdkAnswer): Promise<void> {
  const { u, run } = c;
  if (answer.version !== null && answer.version !== run.requestVersion)
    await saveRunState(u, run, { requestVersion: answer.version });

  if (answer.kind === "complete") {
    await finishRun(u, run, { status: "Completed", output: answer.output });
    await completeItem(u.tx, c.item, c.owner);
    return;
  }
  if (answer.kind === "error") return applyFunctionError(c, answer);

  const payload = c.item.payload as CallPayload;
  const ops = answer.ops;
  if (ops.length === 0) {
    await completeItem(u.tx, c.item, c.owner);
    return;
  }

  const complete = ops.find((o) => o.op === "RunComplete");
  const pending = new Set(run.pendingSteps);
  let resolvedSomething = false;
  let wantsDiscovery = false;
  const parallel = ops.filter((o) => o.op !== "RunComplete").length > 1;

  for (const op of ops) {
    switch (op.op) {
      case "StepRun": {
        await recordStepRun(u, run.id, op, c.item.attempt, c.startedAt);
        pending.delete(op.id);
        resolvedSomething = true;
        break;
      }
      case "StepError": {
        if (c.item.attempt + 1 < maxAttempts(c.fn.config)) {
          await retryStep(
            c,
            op,
            { op: "StepRun", error: op.error, startedAt: opStart(op, c.startedAt) },
            pending,
            answer.retryAfter,
          );
          return;
        }
        await recordStepFailure(u, run.id, op, c.item.attempt, c.startedAt);
        pending.delete(op.id);
        resolvedSomething = true;
        break;
      }
      case "StepFailed": {
        await recordStepFailure(u, run.id, op, c.item.attempt, c.startedAt);
        pending.delete(op.id);
        resolvedSomething = true;
        break;
      }
      case "StepPlanned": {
        if (pending.has(op.id) || (await hasMemo(u.tx, run.id, op.id))) break;
        pending.add(op.id);
        await enqueueCall(u, run, { stepId: op.id });
        break;
      }
      case "Sleep": {
        if (pending.has(op.id) || (await hasMemo(u.tx, run.id, op.id))) break;
        await startSleep(u, run, op);
        pending.add(op.id);
        break;
      }
      case "WaitForEvent": {
        if (pending.has(op.id) || (await hasMemo(u.tx, run.id, op.id))) break;
        await startEventWait(u, run, op);
        pending.add(op.id);
        break;
      }
      case "WaitForSignal": {
        if (pending.has(op.id) || (await hasMemo(u.tx, run.id, op.id))) break;
        if (await startSignalWait(u, run, op)) pending.add(op.id);
        else resolvedSomething = true;
        break;
      }
      case "Gateway":
      case "AIGateway": {
        const outcome = c.gateway?.get(op.id);
        // none: already memoized or pending (a re-reported op), so performGatewayOps skipped it
        if (!outcome || pending.has(op.id) || (await hasMemo(u.tx, run.id, op.id))) break;
        const row = {
          runId: run.id,
          hashedId: op.id,
          name: op.userland?.id ?? op.displayName ?? null,
          displayName: op.displayName ?? null,
          op: op.op,
          attempt: c.item.attempt,
          input: outcome.input,
          startedAt: outcome.startedAt,
          endedAt: outcome.endedAt,
        };
        if (outcome.ok) {
          await insertStepUnlessMemoized(u, {
            ...row,
            status: "Completed",
            output: outcome.data,
            memo: { value: { data: outcome.data } },
          });
        } else if (outcome.retriable && c.item.attempt + 1 < maxAttempts(c.fn.config)) {
          await retryStep(c, op, { ...row, error: outcome.error }, pending);
          return;
        } else {
          await insertStep(u, { ...row, status: "Failed", error: outcome.error, memo: { value: { error: outcome.error } } });
        }
        resolvedSomething = true;
        break;
      }
      case "InvokeFunction": {
        if (pending.has(op.id) || (await hasMemo(u.tx, run.id, op.id))) break;
        if (await startInvoke(u, run, op)) pending.add(op.id);
        else resolvedSomething = true;
        break;
      }
      case "RunComplete":
        break;
      case "DiscoveryRequest":
        wantsDiscovery = true;
        break;
      default: {
        // An op this server does not implement fails the step visibly instead of hanging the run.
        const error = { name: "UnsupportedOperation", message: `Stepwise does not support the ${op.op} step operation yet` };
        await recordStepFailure(u, run.id, { ...op, error }, c.item.attempt, c.startedAt);
        pending.delete(op.id);
        resolvedSomething = true;
      }
    }
  }

  if (complete) {
    await saveRunState(u, run, { pendingSteps: [...pending] });
    await finishRun(u, run, { status: "Completed", output: complete.data ?? null });
    await completeItem(u.tx, c.item, c.owner);
    return;
  }

  // A planned-step call answers for that step only; anything else it answered is now resolved.
  if (payload.stepId !== "step") pending.delete(payload.stepId);
  const disableImmediate = parallel ? true : run.disableImmediate;
  const coalesce = run.requestVersion >= 2;
  let discover = wantsDiscovery || resolvedSomething;
  if (discover && coalesce && pending.size > 0) discover = false;
  await saveRunState(u, run, {
    pendingSteps: [...pending],
    disableImmediate: discover && coalesce && pending.size === 0 ? false : disableImmediate,
  });
  if (discover && c.mayContinue && run.partition.slots.length === 0) {
    // Sequential steps go straight on: the same queue item, re-leased with the next call,
    // so each step costs one transaction instead of three (complete, enqueue, lease). Runs
    // under a concurrency limit always queue, so the slot goes to whoever is next in line.
    const next = await continueLeased(u, c.item, c.owner, { stepId: "step" });
    if (next) {
      c.next = next;
      return;
    }
  }
  if (discover) await enqueueCall(u, run, { stepId: "step" });
  await completeItem(u.tx, c.item, c.owner);
}

/**
 * Records a failed attempt and calls the same step again after the backoff (or Retry-After);
 * the item is re-queued with the next attempt number.
 */
async function retryStep(
  c: ApplyContext,
  op: SdkOp,
  row: { op: string; error: unknown; startedAt: number; input?: unknown; endedAt?: number },
  pending: Set<string>,
  retryAfter?: string,
): Promise<void> {
  const { u, run } = c;
  await insertStep(u, {
    runId: run.id,
    hashedId: op.id,
    name: op.userland?.id ?? op.name ?? null,
    displayName: op.displayName ?? op.name ?? null,
    op: row.op,
    status: "Errored",
    attempt: c.item.attempt,
    input: row.input,
    error: row.error,
    startedAt: row.startedAt,
    endedAt: row.endedAt ?? u.now,
  });
  const at = retryAfterTime(retryAfter, u.now) ?? u.now + retryDelay(c.item.attempt, u.ctx.options.retryBaseMs);
  await requeueItem(u.tx, c.item, c.owner, { availableAt: at, attempt: c.item.attempt + 1 });
  await saveRunState(u, run, { pendingSteps: [...pending] });
}

async function applyFunctionError(c: ApplyContext, answer: Extract<SdkAnswer, { kind: "error" }>) {
  const { u, run, item } = c;
  const attempts = maxAttempts(c.fn.config);
  const final = answer.noRetry || item.attempt + 1 >= attempts;
  await insertStep(u, {
    runId: run.id,
    hashedId: (item.payload as CallPayload).stepId,
    name: null,
    displayName: answer.status ? `HTTP ${answer.status}` : answer.error.name,
    op: "Execution",
    status: final ? "Failed" : "Errored",
    attempt: item.attempt,
    error: answer.error,
    startedAt: c.startedAt,
    endedAt: u.now,
  });
  if (final) {
    await finishRun(u, run, { status: "Failed", error: answer.error });
    await completeItem(u.tx, item, c.owner);
    return;
  }
  const at = retryAfterTime(answer.retryAfter, u.now) ?? u.now + retryDelay(item.attempt, u.ctx.options.retryBaseMs);
  await requeueItem(u.tx, item, c.owner, { availableAt: at, attempt: item.attempt + 1 });
}
