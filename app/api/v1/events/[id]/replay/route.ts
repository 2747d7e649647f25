import { replayEvent } from "@/lib/commands/send-events";
import { handle, json } from "@/lib/http/responses";
import { getRuntime } from "@/lib/runtime/globals";

type Ctx = { params: Promise<{ id: string }> };

// POST /api/v1/events/<id>/replay — send the event again as a new event; answers {ids, status}
export const POST = handle(async (_req: Request, { params }: Ctx) => {
  const rt = getRuntime();
  return json(await replayEvent(rt.ctx, rt.prisma, (await params).id));
});
