import { runListQuery } from "@/lib/contracts/runs";
import { handle, json, parseWith, searchParams } from "@/lib/http/responses";
import { dashboardDeps } from "@/lib/queries/deps";
import { listRuns } from "@/lib/queries/run-list";
import { getRuntime } from "@/lib/runtime/globals";

// GET /api/v1/runs?status=&functionId=&appId=&from=&to=&q=&cursor=&after=&ids=&limit= — newest first
export const GET = handle(async (req: Request) => {
  const filter = parseWith(runListQuery, Object.fromEntries(searchParams(req)));
  return json(await listRuns(dashboardDeps(getRuntime()), filter));
});
