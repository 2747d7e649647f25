import { handle, json } from "@/lib/http/responses";
import { dashboardDeps } from "@/lib/queries/deps";
import { getEventDetail } from "@/lib/queries/events";
import { getRuntime } from "@/lib/runtime/globals";

type Ctx = { params: Promise<{ id: string }> };

// GET /api/v1/events/<id> — the event and the runs it started
export const GET = handle(async (_req: Request, { params }: Ctx) =>
  json(await getEventDetail(dashboardDeps(getRuntime()), (await params).id)),
);
