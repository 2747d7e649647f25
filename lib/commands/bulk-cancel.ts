import { celEvent, compileSearch, evaluateBool, type Program } from "@/lib/cel/expressions";
import { cancellationInput } from "@/lib/contracts/cancellations";
import { parseJsonText } from "@/lib/db/json";
import type { Cancellation, PrismaDb } from "@/lib/db/prisma";
import { AppError } from "@/lib/errors";
import { parseWith } from "@/lib/http/responses";
import { idFloor, newId } from "@/lib/ids";
import { inUnit, type EngineContext } from "@/lib/state/context";
import { cancelRun } from "@/lib/state/runs";

/**
 * Bulk cancellation (Inngest's `POST /v1/cancellations`): cancels every run of one function
 * that is still Queued or Running and was queued in [started_after, started_before), optionally
 * only those whose trigger event matches the CEL `if`. Candidates are walked newest first over
 * `runs(function_id, status, id)` in chunks; each chunk is cancelled in one unit, so an
 * interruption leaves whole chunks done and the record says how many were cancelled. Answers
 * the record; lib/queries/cancellations.ts renders it for the API.
 */
export interface BulkCancelDeps {
  ctx: EngineContext;
  prisma: PrismaDb;
}

const CHUNK = 200;

export async function createCancellation(deps: BulkCancelDeps, body: unknown): Promise<Cancellation> {
  const input = parseWith(cancellationInput, body);
  const fn = await deps.prisma.function.findUnique({ where: { id: input.function_id }, select: { id: true, appId: true } });
  if (!fn) throw new AppError("not_found", `function ${JSON.stringify(input.function_id)} not found`, "function_id");
  if (input.app_id && fn.appId && input.app_id !== fn.appId)
    throw new AppError(
      "invalid_field",
      `function ${fn.id} belongs to app ${JSON.stringify(fn.appId)}, not ${JSON.stringify(input.app_id)}`,
      "app_id",
    );
  const after = toMs(input.started_after);
  const before = toMs(input.started_before);
  if (after !== null && before !== null && after >= before)
    throw new AppError("invalid_field", "started_after must be earlier than started_before", "started_before");
  const program = input.if ? compileSearch(input.if, "if") : null;

  const now = Date.now();
  const id = newId(now);
  await deps.prisma.cancellation.create({
    data: {
      id,
      functionId: fn.id,
      startedAfter: after === null ? null : BigInt(after),
      startedBefore: before === null ? null : BigInt(before),
      expression: input.if ?? null,
      cancelled: 0,
      createdAt: BigInt(now),
    },
  });

  let cancelled = 0;
  const reason = `bulk cancellation ${id}`;
  for (const status of ["Queued", "Running"] as const) {
    let cursor: string | undefined = before !== null ? idFloor(before) : undefined;
    for (;;) {
      const rows = await deps.prisma.run.findMany({
        where: {
          functionId: fn.id,
          status,
          id: { ...(cursor ? { lt: cursor } : {}), ...(after !== null ? { gte: idFloor(after) } : {}) },
        },
        select: { id: true, eventId: true },
        orderBy: { id: "desc" },
        take: CHUNK,
      });
      if (rows.length === 0) break;
      cursor = rows[rows.length - 1]?.id;
      const targets = program ? await matching(deps.prisma, rows, program) : rows.map((r) => r.id);
      if (targets.length) {
        const done = await inUnit(deps.ctx, async (u) => {
          let n = 0;
          for (const runId of targets) if (await cancelRun(u, runId, reason)) n++;
          return n;
        });
        cancelled += done;
        await deps.prisma.cancellation.update({ where: { id }, data: { cancelled } });
      }
      if (rows.length < CHUNK) break;
    }
  }
  return deps.prisma.cancellation.findUniqueOrThrow({ where: { id } });
}

async function matching(prisma: PrismaDb, rows: { id: string; eventId: string | null }[], program: Program): Promise<string[]> {
  const ids = [...new Set(rows.map((r) => r.eventId).filter((x): x is string => !!x))];
  const events = await prisma.event.findMany({ where: { id: { in: ids } } });
  const byId = new Map(events.map((e) => [e.id, e]));
  return rows
    .filter((r) => {
      const e = r.eventId ? byId.get(r.eventId) : undefined;
      if (!e) return false;
      const event = celEvent({
        id: e.id,
        name: e.name,
        data: parseJsonText(e.data),
        ts: Number(e.ts),
        user: parseJsonText(e.user),
        v: e.v,
      });
      return evaluateBool(program, { event });
    })
    .map((r) => r.id);
}

function toMs(value: string | number | undefined): number | null {
  if (value === undefined) return null;
  return typeof value === "number" ? value : Date.parse(value);
}
