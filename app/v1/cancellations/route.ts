import { z } from "zod";

import { createCancellation } from "@/lib/commands/bulk-cancel";
import { handle, json, parseWith, readJson, searchParams } from "@/lib/http/responses";
import { listCancellations, toCancellationDto } from "@/lib/queries/cancellations";
import { getRuntime } from "@/lib/runtime/globals";

const query = z.object({
  function_id: z.string().min(1).optional(),
  cursor: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

// POST /v1/cancellations {function_id, app_id?, started_after?, started_before?, if?} — cancel matching runs now
export const POST = handle(async (req: Request) => {
  const rt = getRuntime();
  const record = await createCancellation({ ctx: rt.ctx, prisma: rt.prisma }, await readJson(req));
  return json(toCancellationDto(record), 201);
});

// GET /v1/cancellations?function_id=&cursor=&limit= — newest first
export const GET = handle(async (req: Request) => {
  const q = parseWith(query, Object.fromEntries(searchParams(req)));
  return json(await listCancellations(getRuntime().prisma, { functionId: q.function_id, cursor: q.cursor, limit: q.limit }));
});
