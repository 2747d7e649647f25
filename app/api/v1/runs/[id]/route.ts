import { handle, json } from "@/lib/http/responses";
import { dashboardDeps } from "@/lib/queries/deps";
import { getRunDetail } from "@/lib/queries/run-detail";
import { getRuntime } from "@/lib/runtime/globals";

type Ctx = { params: Promise<{ id: string }> };

// GET /api/v1/runs/<id> — the run, its steps, trigger events, in-flight work and waits
export const GET = handle(async (_req: Request, { params }: Ctx) =>
  json(await getRunDetail(dashboardDeps(getRuntime()), (await params).id)),
);
