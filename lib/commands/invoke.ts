import { invokeInput, type InvokeResult } from "@/lib/contracts/functions";
import type { PrismaDb } from "@/lib/db/prisma";
import { AppError, notFound } from "@/lib/errors";
import { INTERNAL } from "@/lib/events/event-schema";
import { parseWith } from "@/lib/http/responses";
import { ingestEvents } from "@/lib/ingest/ingest";
import type { EngineContext } from "@/lib/state/context";

/**
 * Invoke from the dashboard: the same `inngest/function.invoked` event step.invoke sends,
 * addressed to the function by `data._inngest.fn_id`, so the run starts through the normal
 * routing (and its flow-control rules). Answers the event id and the run it started.
 */
export async function invokeFunction(
  ctx: EngineContext,
  prisma: PrismaDb,
  functionId: string,
  body: unknown,
): Promise<InvokeResult> {
  const input = parseWith(invokeInput, body ?? {});
  const fn = ctx.registry.get(functionId);
  if (!fn) throw notFound("function", functionId);
  // The database, not the in-memory registry: a pause made a moment ago may not have reached it yet.
  const stored = await prisma.function.findUnique({ where: { id: fn.id }, select: { paused: true } });
  if (stored?.paused ?? fn.paused)
    throw new AppError("conflict", `function ${JSON.stringify(fn.id)} is paused: resume it to invoke it`);
  const { ids } = await ingestEvents(ctx, [
    {
      name: INTERNAL.invoked,
      data: { ...input.data, _inngest: { fn_id: fn.id } },
      ...(input.user !== undefined ? { user: input.user } : {}),
    },
  ]);
  const eventId = ids[0] as string;
  const run = await prisma.run.findFirst({
    where: { eventId, functionId: fn.id },
    select: { id: true },
    orderBy: { id: "desc" },
  });
  return { eventId, runId: run?.id ?? null };
}
