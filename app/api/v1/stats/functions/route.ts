import { functionActivity } from "@/lib/dashboard/function-stats";
import { handle, json } from "@/lib/http/responses";
import { getRuntime } from "@/lib/runtime/globals";

// GET /api/v1/stats/functions — runs per function over the last hour (total, failed, in flight)
export const GET = handle(async () => json(await functionActivity(getRuntime().sql)));
