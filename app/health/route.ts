import { checkHealth } from "@/lib/runtime/health";
import { handle, json } from "@/lib/http/responses";
import { getRuntime } from "@/lib/runtime/globals";

// GET /health — 200 when the database answers, 503 when it does not
export const GET = handle(async () => {
  const health = await checkHealth(getRuntime());
  return json(health, health.status === "ok" ? 200 : 503);
});
