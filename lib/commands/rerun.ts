import type { RerunResult } from "@/lib/contracts/runs";
import { parseJsonText } from "@/lib/db/json";
import type { PrismaDb } from "@/lib/db/prisma";
import { AppError, notFound } from "@/lib/errors";
import { inUnit, type EngineContext } from "@/lib/state/context";
import { createRun, type RunSpec } from "@/lib/state/create-runs";
import { priorityStart } from "@/lib/state/run-start";
import { loadEvents } from "@/lib/state/runs";

/**
 * Rerun: a new run of the same function with the same trigger event(s), linked to the original
 * (`origin_run_id`). From a step: the new run starts with the memoized results that completed
 * before that step's first attempt, so the SDK skips them and executes from the chosen step on.
 */
export async function rerunRun(
  ctx: EngineContext,
  prisma: PrismaDb,
  runId: string,
  options: { fromStepId?: string } = {},
): Promise<RerunResult> {
  const run = await prisma.run.findUnique({
    where: { id: runId },
    select: { id: true, functionId: true, eventIds: true, trigger: true, cron: true, priority: true },
  });
  if (!run) throw notFound("run", runId);
  const fn = ctx.registry.get(run.functionId);
  if (!fn)
    throw new AppError("conflict", `function ${JSON.stringify(run.functionId)} no longer exists, so its runs cannot be rerun`);
  // The database, not the in-memory registry: a pause made a moment ago may not have reached it yet.
  const stored = await prisma.function.findUnique({ where: { id: fn.id }, select: { paused: true } });
  if (stored?.paused ?? fn.paused)
    throw new AppError("conflict", `function ${JSON.stringify(fn.id)} is paused: resume it before rerunning its runs`);

  let memo: NonNullable<RunSpec["memo"]> = [];
  let fromHashedId: string | null = null;
  if (options.fromStepId) {
    const chosen = await prisma.step.findFirst({ where: { id: options.fromStepId, runId } });
    if (!chosen)
      throw new AppError(
        "invalid_field",
        `step ${JSON.stringify(options.fromStepId)} is not a step of run ${runId}`,
        "fromStepId",
      );
    fromHashedId = chosen.hashedId;
    memo = await memoBefore(prisma, runId, chosen.hashedId);
  }

  const ids = parseJsonText(run.eventIds);
  const events = await loadEvents(ctx.sql, Array.isArray(ids) ? ids.filter((x): x is string => typeof x === "string") : []);
  const id = await inUnit(ctx, (u) => {
    // The rerun keeps the original's priority (decided from its event when it was created).
    const start = priorityStart(u.now, u.now, run.priority);
    return createRun(u, {
      fn,
      events,
      trigger: run.trigger,
      cron: run.cron,
      origin: { runId, stepId: fromHashedId },
      memo,
      priority: run.priority,
      availableAt: start.at,
      statusReason: start.reason,
    });
  });
  if (!id) throw new AppError("conflict", "the rerun could not be created");
  return { id, originRunId: runId, fromStepId: fromHashedId, memoized: memo.length };
}

/** The run's memoized results recorded before the first row of step `hashedId`, once per step id. */
async function memoBefore(prisma: PrismaDb, runId: string, hashedId: string): Promise<NonNullable<RunSpec["memo"]>> {
  const first = await prisma.step.findFirst({ where: { runId, hashedId }, orderBy: { seq: "asc" }, select: { seq: true } });
  const rows = await prisma.step.findMany({
    where: { runId, isMemo: true, seq: { lt: first?.seq ?? 0 }, hashedId: { not: hashedId } },
    orderBy: { seq: "asc" },
  });
  const seen = new Set<string>();
  const out: NonNullable<RunSpec["memo"]> = [];
  for (const row of rows) {
    if (seen.has(row.hashedId)) continue;
    seen.add(row.hashedId);
    out.push({
      hashedId: row.hashedId,
      name: row.name,
      op: row.op,
      memo: parseJsonText(row.memo),
      ...(row.output !== null ? { output: parseJsonText(row.output) } : {}),
      ...(row.error !== null ? { error: parseJsonText(row.error) } : {}),
    });
  }
  return out;
}
