import { handle, json } from "@/lib/http/responses";
import { knownEventNames } from "@/lib/queries/events";
import { isEventTrigger } from "@/lib/registry/function-config";
import { getRuntime } from "@/lib/runtime/globals";

// GET /api/v1/events/names — event names for filters: trigger names plus recently received names
export const GET = handle(async () => {
  const rt = getRuntime();
  const triggers = rt.registry.all.flatMap((fn) => fn.triggers.filter(isEventTrigger).map((t) => t.event));
  return json({ data: await knownEventNames(rt.prisma, triggers) });
});
