import { notFound } from "@/lib/errors";
import { inUnit, type EngineContext } from "@/lib/state/context";
import { cancelRun, loadRun } from "@/lib/state/runs";

/** Cancels one run; cancelling a run that already ended changes nothing (and is not an error). */
export async function cancelRunById(ctx: EngineContext, runId: string, reason: string): Promise<boolean> {
  const run = await loadRun(ctx.sql, runId);
  if (!run) throw notFound("run", runId);
  return inUnit(ctx, (u) => cancelRun(u, runId, reason));
}
