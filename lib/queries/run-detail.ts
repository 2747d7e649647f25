import type { RunDetail } from "@/lib/contracts/runs";
import { parseJsonText } from "@/lib/db/json";
import type { PrismaDb, Run, Step } from "@/lib/db/prisma";
import { notFound } from "@/lib/errors";
import { maxAttempts } from "@/lib/registry/function-config";
import type { FunctionRegistry } from "@/lib/registry/registry";

import { isoTime, RUN_LIST_SELECT, toEventDto, toRunListItem, toStepDto } from "./dto";
import { queuedReasons } from "./queued-reason";
import { subStateOf } from "./run-sub-state";

/**
 * Everything the run page shows in one answer: the run, its step rows (one per attempt or
 * result), its trigger events, the work the engine holds for it now (a call in flight, a retry
 * or wake-up waiting), its open waits and the reruns made from it.
 */
export interface RunDetailDeps {
  prisma: PrismaDb;
  registry: FunctionRegistry;
}

const MAX_EVENTS = 100;

export async function getRunDetail(deps: RunDetailDeps, id: string): Promise<RunDetail> {
  const { prisma, registry } = deps;
  const run = await prisma.run.findUnique({ where: { id } });
  if (!run) throw notFound("run", id);
  const eventIds = parseIds(run.eventIds);
  const [steps, events, items, pauses, reruns, originStep] = await Promise.all([
    prisma.step.findMany({ where: { runId: id }, orderBy: { seq: "asc" } }),
    prisma.event.findMany({ where: { id: { in: eventIds.slice(0, MAX_EVENTS) } } }),
    prisma.queueItem.findMany({ where: { runId: id }, orderBy: { availableAt: "asc" } }),
    prisma.pause.findMany({ where: { runId: id }, orderBy: { createdAt: "asc" } }),
    prisma.run.findMany({ where: { originRunId: id }, select: RUN_LIST_SELECT, orderBy: { id: "desc" }, take: 20 }),
    run.originRunId && run.originStepId
      ? prisma.step.findFirst({
          where: { runId: run.originRunId, hashedId: run.originStepId },
          select: { name: true, displayName: true },
          orderBy: { seq: "asc" },
        })
      : null,
  ]);
  // The events that resumed its waits and the one that cancelled it, by name: one lookup.
  const causeIds = [...new Set([...steps.map((s) => s.resolvedByEventId), run.cancelledByEventId])].filter(
    (x): x is string => !!x,
  );
  const causeRows = causeIds.length
    ? await prisma.event.findMany({ where: { id: { in: causeIds } }, select: { id: true, name: true } })
    : [];
  const causeNames = new Map(causeRows.map((e) => [e.id, e.name]));
  // An event gone from the table still leaves its id.
  const cause = (eid: string | null) => (eid ? { id: eid, name: causeNames.get(eid) ?? null } : null);
  const fn = registry.get(run.functionId);
  // A queued run waiting for a concurrency slot says so (worked out now: nobody writes it down).
  const statusReason = (await queuedReasons(prisma, [run])).get(run.id) ?? run.statusReason;
  const kept = keptFromOrigin(run, steps);
  const functionName = (fid: string) => registry.get(fid)?.name ?? null;
  const order = new Map(eventIds.map((eid, i) => [eid, i]));

  return {
    run: {
      ...toRunListItem(run, functionName),
      statusReason,
      eventIds,
      output: parseJsonText(run.output),
      error: parseJsonText(run.error),
      originStepId: run.originStepId,
      originStepName: originStep ? (originStep.displayName ?? originStep.name) : null,
      invocation: run.invocation ? (parseJsonText(run.invocation) as RunDetail["run"]["invocation"]) : null,
      subState: run.status === "Running" ? subStateOf(steps.filter((s) => !s.isMemo)) : null,
      cancelledBy: cause(run.cancelledByEventId),
    },
    function: fn
      ? { id: fn.id, name: fn.name, kind: fn.kind, appId: fn.appId, paused: fn.paused, maxAttempts: maxAttempts(fn.config) }
      : null,
    steps: steps.map((s) => toStepDto(s, kept.has(s.id), cause(s.resolvedByEventId))),
    events: events.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0)).map(toEventDto),
    pending: items
      .filter((item) => item.kind === "exec" || item.kind === "timeout")
      .map((item) => {
        const payload = parseJsonText(item.payload) as { stepId?: string } | null;
        return {
          id: item.id,
          state: item.state === 1 ? ("running" as const) : ("waiting" as const),
          kind: item.kind,
          stepId: payload?.stepId ?? null,
          attempt: item.attempt,
          availableAt: isoTime(item.availableAt) as string,
          leasedAt: item.state === 1 ? isoTime(item.leasedAt) : null,
        };
      }),
    waits: pauses.map((p) => ({
      id: p.id,
      kind: p.kind,
      eventName: p.eventName,
      signal: p.kind === "signal" ? p.matchKey : null,
      expression: p.expression,
      createdAt: isoTime(p.createdAt) as string,
      expiresAt: isoTime(p.expiresAt),
    })),
    reruns: reruns.map((r) => toRunListItem(r, functionName)),
    now: new Date().toISOString(),
  };
}

/**
 * A rerun's step rows copied from the original run: createRun writes them first (lowest seq), in
 * the run's own creation unit, so they start and end at the run's queued time, before any call.
 */
function keptFromOrigin(run: Run, steps: Step[]): Set<string> {
  const kept = new Set<string>();
  if (!run.originRunId) return kept;
  for (const s of steps) {
    if (s.startedAt !== run.queuedAt || s.endedAt !== run.queuedAt || !s.isMemo) break;
    kept.add(s.id);
  }
  return kept;
}

function parseIds(text: string): string[] {
  const parsed = parseJsonText(text);
  return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === "string") : [];
}
