import { cancelRunById } from "@/lib/commands/cancel";
import { handle, json } from "@/lib/http/responses";
import { dashboardDeps } from "@/lib/queries/deps";
import { getRunDetail } from "@/lib/queries/run-detail";
import { getRuntime } from "@/lib/runtime/globals";

type Ctx = { params: Promise<{ id: string }> };

// POST /api/v1/runs/<id>/cancel — cancel a queued, running or sleeping run; answers the run detail
export const POST = handle(async (_req: Request, { params }: Ctx) => {
  const rt = getRuntime();
  const { id } = await params;
  const cancelled = await cancelRunById(rt.ctx, id, "cancelled from the dashboard");
  return json({ cancelled, ...(await getRunDetail(dashboardDeps(rt), id)) });
});
