import { invokeFunction } from "@/lib/commands/invoke";
import { handle, json, readOptionalJson } from "@/lib/http/responses";
import { getRuntime } from "@/lib/runtime/globals";

type Ctx = { params: Promise<{ id: string }> };

// POST /api/v1/functions/<id>/invoke {data, user?} — start a run now; 201 {eventId, runId}
export const POST = handle(async (req: Request, { params }: Ctx) => {
  const rt = getRuntime();
  return json(await invokeFunction(rt.ctx, rt.prisma, (await params).id, await readOptionalJson(req)), 201);
});
