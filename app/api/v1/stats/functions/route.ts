import { handle, json } from "@/lib/http/responses";
import { functionActivity } from "@/lib/queries/function-stats";
import { getRuntime } from "@/lib/runtime/globals";

// GET /api/v1/stats/functions — runs per function over the last hour (total, failed, in flight)
export const GET = handle(async () => json(await functionActivity(getRuntime().sql)));
