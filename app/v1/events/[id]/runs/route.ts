import { handle, json } from "@/lib/http/responses";
import { listV1RunsForEvent } from "@/lib/queries/v1";
import { getRuntime } from "@/lib/runtime/globals";

// GET /v1/events/<id>/runs — the runs this event started
export const GET = handle(async (_req: Request, { params }: { params: Promise<{ id: string }> }) =>
  json({ data: await listV1RunsForEvent(getRuntime().prisma, (await params).id) }),
);
