import { z } from "zod";

import { AppError, notFound } from "@/lib/errors";
import { parseWith } from "@/lib/http/responses";
import { inUnit, type EngineContext } from "@/lib/state/context";
import { lockRun, saveRunState, TERMINAL } from "@/lib/state/runs";
import { hasMemo } from "@/lib/state/steps";

import { recordStepFailure, recordStepRun } from "./step-results";
import type { SdkOp } from "./sdk-protocol";

/**
 * v4 async checkpointing (`POST /v1/checkpoint/<runId>/async`, reference §7.2): while one call
 * runs several steps in-process, the SDK reports each finished step here and carries on. Each
 * is stored like a StepRun answer, so a crash mid-call loses none of them. The call is tied to
 * its queue item lease (`qi_id` = item id + lease time): when that lease is no longer the
 * current one (the item was reclaimed, or the run ended) the answer is 409 and the SDK stops.
 */
const opSchema = z.looseObject({ id: z.string().min(1), op: z.string().min(1) });
const checkpointSchema = z.looseObject({
  qi_id: z.string({ error: "qi_id is required" }).min(1),
  steps: z.array(opSchema, { error: "steps must be an array of step ops" }),
});

/** The queue-item reference sent as `ctx.qi_id`: the lease, not just the item. */
export function queueItemRef(item: { id: string; leasedAt: number }): string {
  return `${item.id}@${item.leasedAt}`;
}

function parseRef(ref: string): { itemId: string; leasedAt: number } | null {
  const at = ref.lastIndexOf("@");
  if (at <= 0) return null;
  const leasedAt = Number(ref.slice(at + 1));
  return Number.isFinite(leasedAt) ? { itemId: ref.slice(0, at), leasedAt } : null;
}

export async function applyCheckpoint(ctx: EngineContext, runId: string, body: unknown): Promise<{ stored: number }> {
  const input = parseWith(checkpointSchema, body);
  const ref = parseRef(input.qi_id);
  const stale = () => new AppError("stale", "this call's queue item is no longer leased; stop and let the server continue");
  return inUnit(ctx, async (u) => {
    const run = await lockRun(u, runId);
    if (!run) throw notFound("run", runId);
    if (!ref) throw stale();
    const item = await u.tx.get<{ run_id: string | null; state: number; leased_at: number | null }>(
      `SELECT run_id, state, leased_at FROM queue_items WHERE id = ?`,
      [ref.itemId],
    );
    if (!item || item.run_id !== runId || Number(item.state) !== 1 || Number(item.leased_at) !== ref.leasedAt) throw stale();
    if (TERMINAL.includes(run.status)) throw stale();

    const pending = new Set(run.pendingSteps);
    let stored = 0;
    for (const raw of input.steps) {
      const op = raw as unknown as SdkOp;
      if (op.op !== "StepRun" && op.op !== "StepFailed") continue;
      if (op.op === "StepRun") {
        if (!(await recordStepRun(u, runId, op, 0, u.now))) continue;
      } else {
        if (await hasMemo(u.tx, runId, op.id)) continue;
        await recordStepFailure(u, runId, op, 0, u.now);
      }
      pending.delete(op.id);
      stored++;
    }
    if (pending.size !== run.pendingSteps.length) await saveRunState(u, run, { pendingSteps: [...pending] });
    return { stored };
  });
}
