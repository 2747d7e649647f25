import { cancellationInput, type CancellationDto } from "@/lib/contracts/cancellations";
import type { PrismaDb } from "@/lib/db/prisma";
import { AppError } from "@/lib/errors";
import { inUnit, type EngineContext } from "@/lib/execution/context";
import { cancelRun } from "@/lib/execution/runs";
import { parseWith } from "@/lib/http/responses";
import { idFloor, newId } from "@/lib/ids";
import { celEvent, evaluateBool, type Program } from "@/lib/routing/expressions";

import { isoTime, parseJsonText } from "./dto";
import { compileSearch } from "./list";

/**
 * Bulk cancellation (Inngest's `POST /v1/cancellations`): cancels every run of one function
 * that is still Queued or Running and was queued in [started_after, started_before), optionally
 * only those whose trigger event matches the CEL `if`. Candidates are walked newest first over
 * `runs(function_id, status, id)` in chunks; each chunk is cancelled in one unit, so an
 * interruption leaves whole chunks done and the record says how many were cancelled.
 */
export interface BulkCancelDeps {
  ctx: EngineContext;
  prisma: PrismaDb;
}

const CHUNK = 200;

export async function createCancellation(deps: BulkCancelDeps, body: unknown): Promise<CancellationDto> {
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
  const record = await deps.prisma.cancellation.findUniqueOrThrow({ where: { id } });
  return toCancellationDto(record);
}

export async function listCancellations(
  prisma: PrismaDb,
  query: { functionId?: string; cursor?: string; limit?: number },
): Promise<{ data: CancellationDto[]; cursor: string | null }> {
  const limit = query.limit ?? 50;
  const rows = await prisma.cancellation.findMany({
    where: {
      ...(query.functionId ? { functionId: query.functionId } : {}),
      ...(query.cursor ? { id: { lt: query.cursor } } : {}),
    },
    orderBy: { id: "desc" },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  return { data: page.map(toCancellationDto), cursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null };
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

function toCancellationDto(row: {
  id: string;
  functionId: string;
  startedAfter: bigint | null;
  startedBefore: bigint | null;
  expression: string | null;
  cancelled: number;
  createdAt: bigint;
}): CancellationDto {
  return {
    id: row.id,
    function_id: row.functionId,
    started_after: isoTime(row.startedAfter),
    started_before: isoTime(row.startedBefore),
    if: row.expression,
    cancelled: row.cancelled,
    created_at: isoTime(row.createdAt) as string,
  };
}
